package pgtopo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// initdbTimeout bounds the creation of the template cluster.
const initdbTimeout = 60 * time.Second

// template is the cluster that initdb makes, once per test binary, for every server to
// start from a copy of: initdb takes seconds of CPU, writing a copy a fraction of one.
var template = sync.OnceValues(makeTemplate)

// snapshot is a cluster held in memory, so that no template is left on disk when the test
// binary exits. Trailing zeros of a file (most of the first WAL segment) are not held but
// written back as a hole.
type snapshot struct {
	dirs   []string // relative to the cluster's directory, parents first
	files  []snapshotFile
	initdb time.Duration // how long initdb took
}

// snapshotFile is one file of a snapshot.
type snapshotFile struct {
	path string // relative to the cluster's directory
	data []byte // without trailing zeros
	size int64
}

// makeTemplate runs initdb, as the account that will run the servers, into a scratch
// directory that it removes after reading the cluster into a snapshot. The cluster has
// trust authentication for the superuser postgres and no locale.
func makeTemplate() (snap *snapshot, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp(baseDir(), "pgtopo-initdb-")
	if err != nil {
		return nil, fmt.Errorf("initdb directory: %w", err)
	}
	defer func() {
		if removeErr := os.RemoveAll(scratch); removeErr != nil {
			snap, err = nil, errors.Join(err, fmt.Errorf("remove initdb directory: %w", removeErr))
		}
	}()
	if err := acct.own(scratch); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := initdb(bin, acct, scratch); err != nil {
		return nil, err
	}
	snap, err = readSnapshot(filepath.Join(scratch, dataDirName))
	if err != nil {
		return nil, fmt.Errorf("read template cluster: %w", err)
	}
	snap.initdb = time.Since(began)
	return snap, nil
}

// initdb creates a cluster in root's data directory.
func initdb(bin string, acct *account, root string) error {
	ctx, cancel := context.WithTimeout(context.Background(), initdbTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, initdbBinary),
		"--pgdata", filepath.Join(root, dataDirName), "--username", superuser, "--auth", "trust",
		"--encoding", "UTF8", "--no-locale", "--no-sync")
	cmd.Dir = root
	cmd.SysProcAttr = sysProcAttr(acct)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// readSnapshot reads the directories and files under dir.
func readSnapshot(dir string) (*snapshot, error) {
	snap := &snapshot{}
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if entry.IsDir() {
			snap.dirs = append(snap.dirs, rel)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		snap.files = append(snap.files, snapshotFile{path: rel, data: bytes.TrimRight(data, "\x00"), size: int64(len(data))})
		return nil
	})
	return snap, err
}

// write recreates the snapshot's cluster in dir, which must not exist, owned by acct.
func (snap *snapshot) write(dir string, acct *account) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if err := acct.own(dir); err != nil {
		return err
	}
	for _, rel := range snap.dirs {
		path := filepath.Join(dir, rel)
		if err := os.Mkdir(path, 0o700); err != nil {
			return err
		}
		if err := acct.own(path); err != nil {
			return err
		}
	}
	for _, f := range snap.files {
		if err := f.write(filepath.Join(dir, f.path), acct); err != nil {
			return err
		}
	}
	return nil
}

// write creates the file at path, owned by acct.
func (f snapshotFile) write(path string, acct *account) error {
	if err := os.WriteFile(path, f.data, 0o600); err != nil {
		return err
	}
	if int64(len(f.data)) < f.size {
		if err := os.Truncate(path, f.size); err != nil {
			return err
		}
	}
	return acct.own(path)
}
