package pgtopo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Entries of a server's root directory.
const (
	dataDirName   = "data"       // the cluster
	socketDirName = "run"        // the Unix-domain socket and its lock file
	logName       = "server.log" // everything the server writes, across restarts
)

// fastSettings are the first postgresql.conf lines of every cluster. They give up what
// only protects against an operating-system crash (fsync, full-page writes) and what a
// throwaway server does not use (WAL for replicas, autovacuum, JIT compilation), and keep
// synchronous commits, so a commit a client saw succeed survives a killed server.
var fastSettings = []string{
	"fsync = off",
	"full_page_writes = off",
	"wal_level = minimal",
	"max_wal_senders = 0",
	"autovacuum = off",
	"jit = off",
}

// makeRoot creates the directory that holds a server's cluster, socket and log, in
// baseDir and owned by acct, and removes it when tb ends. It is not a t.TempDir(): that
// lies in a directory only the test binary's account may enter, and its path, which holds
// the test's name, may be too long for a Unix-domain socket.
func makeRoot(tb testing.TB, acct *account) string {
	tb.Helper()
	root, err := os.MkdirTemp(baseDir(), "pgtopo-")
	if err != nil {
		tb.Fatalf("pgtopo: server directory: %v", err)
	}
	tb.Cleanup(func() {
		if err := os.RemoveAll(root); err != nil {
			tb.Errorf("pgtopo: remove server directory: %v", err)
		}
	})
	socketDir := filepath.Join(root, socketDirName)
	if err := os.Mkdir(socketDir, 0o700); err != nil {
		tb.Fatalf("pgtopo: socket directory: %v", err)
	}
	for _, dir := range []string{root, socketDir} {
		if err := acct.own(dir); err != nil {
			tb.Fatalf("pgtopo: %v", err)
		}
	}
	return root
}

// createCluster writes a copy of snap and appends fastSettings, then settings, to its
// postgresql.conf.
func (s *Server) createCluster(snap *snapshot, settings []string) error {
	if err := snap.write(s.dataDir(), s.acct); err != nil {
		return fmt.Errorf("copy template cluster: %w", err)
	}
	return appendConfig(filepath.Join(s.dataDir(), "postgresql.conf"), slices.Concat(fastSettings, settings))
}

// appendConfig appends lines to the configuration file at path, where they win over the
// lines initdb wrote.
func appendConfig(path string, lines []string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("configure cluster: %w", err)
	}
	text := "\n# Added by test/pgtopo for a throwaway test server.\n" + strings.Join(lines, "\n") + "\n"
	_, err = f.WriteString(text)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("configure cluster: %w", err)
	}
	return nil
}

// dataDir is the cluster's directory.
func (s *Server) dataDir() string { return filepath.Join(s.root, dataDirName) }

// logPath is the server's log file.
func (s *Server) logPath() string { return filepath.Join(s.root, logName) }
