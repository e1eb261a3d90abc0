//go:build linux

package pgtopo

import (
	"os"
	"syscall"
)

// Where servers' directories go when TMPDIR does not say: shmDir, if it is a tmpfs with
// at least minShmFree bytes free for the clusters and what tests write to them.
const (
	shmDir     = "/dev/shm"
	tmpfsMagic = 0x01021994 // the f_type statfs(2) reports for a tmpfs
	minShmFree = 1 << 30
)

// baseDir is the directory that servers' directories are made in: TMPDIR when it is set;
// otherwise /dev/shm when it is a tmpfs with room to spare, since creating a cluster's
// thousand files there takes a tenth of the time it takes on a disk file system;
// otherwise os.TempDir().
func baseDir() string {
	if _, set := os.LookupEnv("TMPDIR"); !set && roomyTmpfs(shmDir) {
		return shmDir
	}
	return os.TempDir()
}

// roomyTmpfs reports whether dir is on a tmpfs with at least minShmFree bytes free.
func roomyTmpfs(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == tmpfsMagic && st.Bsize > 0 && st.Bavail >= minShmFree/uint64(st.Bsize)
}
