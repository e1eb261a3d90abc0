// Package pgtopo starts private PostgreSQL servers for fault tests, from the machine's
// initdb and postgres binaries: each Start writes a fresh cluster into a temporary
// directory and serves it on a spare loopback port, so a test may stop, kill and restart
// the server on the same port and cluster while its clients run. LockTables holds tables
// locked from a connection of its own, on a private server or any other.
//
// initdb runs once per test binary; the cluster it makes is kept in memory as a template
// that every Start writes a copy of, which takes a fraction of initdb's time. The
// temporary directories lie in TMPDIR when it is set, else in /dev/shm when that is a
// roomy tmpfs (on Linux), else in os.TempDir(). The clusters are tuned for speed, not
// durability (no fsync, minimal WAL), which only an operating-system crash could tell
// apart; commits stay synchronous, so a killed server keeps every commit it
// acknowledged, as a production server does.
//
// PostgreSQL refuses to run as root. A test binary running as root makes the clusters
// belong to the postgres operating-system account and runs initdb and the servers as that
// account; any other user runs them as itself.
//
// A server runs in the foreground as a child of the test binary; on Linux it is also shut
// down if the test binary dies. Missing binaries (or, under root, a missing postgres
// account) skip the calling test, or fail it when STUDYTOOL_REQUIRE_BACKENDS=1, as
// test/testenv does for an unreachable server.
package pgtopo

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/studytool/studytool/test/testenv"
)

// Binary names, looked up together in one directory so that initdb and postgres are of
// the same version.
const (
	initdbBinary   = "initdb"
	postgresBinary = "postgres"
)

// debianBinDirs matches the per-version binary directories of Debian's and Ubuntu's
// packages, which do not put postgres on PATH.
const debianBinDirs = "/usr/lib/postgresql/*/bin"

// binDir finds, once per test binary, the directory of the PostgreSQL binaries.
var binDir = sync.OnceValues(findBinDir)

// lookBinDir returns the directory of the PostgreSQL binaries, or skips tb (fails it when
// backends are required) when there is none.
func lookBinDir(tb testing.TB) string {
	tb.Helper()
	dir, err := binDir()
	if err != nil {
		unavailable(tb, err)
	}
	return dir
}

// unavailable skips tb because PostgreSQL cannot run here, or fails it when backends are
// required.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if testenv.Required() {
		tb.Fatalf("pgtopo: PostgreSQL is required (%s=1) but cannot run: %v", testenv.EnvRequire, err)
	}
	tb.Skipf("SKIPPED — PostgreSQL cannot run (%v); install it or set %s=1 to make this a failure",
		err, testenv.EnvRequire)
}

// findBinDir returns the first candidate directory that holds both initdb and postgres.
func findBinDir() (string, error) {
	candidates := candidateBinDirs()
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, initdbBinary)) && isExecutable(filepath.Join(dir, postgresBinary)) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no directory holds both %s and %s (looked beside %s on PATH, in pg_config --bindir and in %s: %q)",
		initdbBinary, postgresBinary, postgresBinary, debianBinDirs, candidates)
}

// candidateBinDirs lists where the binaries may be, best first: beside the postgres on
// PATH (symbolic links resolved), then pg_config's directory, then Debian's directories,
// newest version first.
func candidateBinDirs() []string {
	var dirs []string
	if path, err := exec.LookPath(postgresBinary); err == nil {
		if resolved, err := filepath.EvalSymlinks(path); err == nil {
			dirs = append(dirs, filepath.Dir(resolved))
		}
	}
	out, err := exec.CommandContext(context.Background(), "pg_config", "--bindir").Output()
	if err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	versions, _ := filepath.Glob(debianBinDirs) // the pattern is valid
	slices.SortFunc(versions, func(a, b string) int { return cmp.Compare(majorVersion(b), majorVersion(a)) })
	return append(dirs, versions...)
}

// majorVersion returns the major version of a Debian binary directory (15 for
// /usr/lib/postgresql/15/bin, 9.6 for /usr/lib/postgresql/9.6/bin), 0 when it has none.
func majorVersion(binDir string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	if err != nil {
		return 0
	}
	return v
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
