package pgtopo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/studytool/studytool/test/testenv"
)

// Names every cluster has: trust authentication lets the superuser in without a
// password, and tests get a database of their own besides the maintenance database.
const (
	superuser     = "postgres"
	maintenanceDB = "postgres"
	databaseName  = "studytool"
)

// Where a server listens: on loopback only, never on the port of the machine's own
// PostgreSQL.
const (
	loopback     = "127.0.0.1"
	reservedPort = 5432
)

// Time limits of process management. A server is ready once it accepts connections, so
// startTimeout also bounds crash recovery after Kill.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	probeTimeout = time.Second
	pollInterval = 20 * time.Millisecond
	// startAttempts is how often a server is started on a fresh port when the one found
	// free was taken before the server could bind it.
	startAttempts = 3
	// logTailLines is how much of the server log a failure shows.
	logTailLines = 100
)

// Server is a private PostgreSQL server that a test started. Its port and cluster stay the
// same across Stop, Kill and Restart, so a restarted server has what the previous run
// committed. Its methods are safe for concurrent use, so a test may stop it while other
// goroutines send it queries; those that take a testing.TB must be called from the
// test's goroutine, as tb.Fatal requires.
type Server struct {
	bin  string   // directory of the PostgreSQL binaries
	acct *account // runs the server; nil for the test binary's own account
	root string   // holds the cluster, the socket directory and the log
	port int

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of a server's postmaster.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the postmaster has exited and been reaped
}

// Start creates a cluster in a fresh temporary directory and serves it on a free loopback
// port, with an empty database for the test (see URL). settings are postgresql.conf lines,
// e.g. "max_connections = 20", that win over the package's; the port and listen addresses
// are always the package's. When tb ends the server is shut down immediately and its
// directory removed; if tb failed, the end of the server log is logged first.
func Start(tb testing.TB, settings ...string) *Server {
	tb.Helper()
	bin := lookBinDir(tb)
	acct, err := serverAccount()
	if err != nil {
		unavailable(tb, err)
	}
	began := time.Now()
	snap, err := template()
	if err != nil {
		tb.Fatalf("pgtopo: %v", err)
	}
	s := &Server{bin: bin, acct: acct, root: makeRoot(tb, acct)}
	tb.Cleanup(func() { s.logOnFailure(tb) })
	copyBegan := time.Now()
	if err := s.createCluster(snap, settings); err != nil {
		tb.Fatalf("pgtopo: %v", err)
	}
	startBegan := time.Now()
	s.startOnFreePort(tb)
	tb.Cleanup(func() {
		if err := s.stop(syscall.SIGQUIT); err != nil {
			tb.Errorf("pgtopo: %v", err)
		}
	})
	version, err := s.createDatabase()
	if err != nil {
		tb.Fatalf("pgtopo: %v", err)
	}
	tb.Logf("pgtopo: PostgreSQL %s ready on port %d in %s (cluster copied in %s, server started in %s; "+
		"the template's initdb, once per test binary, took %s)", version, s.port, since(began),
		startBegan.Sub(copyBegan).Round(time.Millisecond), since(startBegan), snap.initdb.Round(time.Millisecond))
	return s
}

// URL is a postgres:// URL of the test's database as the superuser, without TLS.
func (s *Server) URL() string { return s.urlOf(databaseName) }

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// Stop shuts the server down fast, as pg_ctl stop -m fast does: it ends every session,
// rolling back open transactions, writes a checkpoint and exits. Stopping a stopped
// server does nothing.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	if err := s.stop(syscall.SIGINT); err != nil {
		tb.Fatalf("pgtopo: stop: %v", err)
	}
}

// Kill shuts the server down immediately, as pg_ctl stop -m immediate does: every server
// process quits at once without a checkpoint, as in a crash, and the next start recovers
// from the WAL. Committed transactions survive; open ones are lost. The postmaster is
// not sent SIGKILL, which would leave its backends running until they noticed. Killing
// a stopped server does nothing.
func (s *Server) Kill(tb testing.TB) {
	tb.Helper()
	if err := s.stop(syscall.SIGQUIT); err != nil {
		tb.Fatalf("pgtopo: kill: %v", err)
	}
}

// Restart starts the server again on its port and cluster, stopping it fast first if it
// runs, and returns once it accepts connections, crash recovery done.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	began := time.Now()
	if err := s.stopLocked(syscall.SIGINT); err != nil {
		tb.Fatalf("pgtopo: restart: %v", err)
	}
	if err := s.start(); err != nil {
		tb.Fatalf("pgtopo: restart: %v", err)
	}
	tb.Logf("pgtopo: PostgreSQL restarted on port %d in %s", s.port, since(began))
}

// WaitReady waits up to timeout for the server to accept connections. Start and Restart
// return only once it does; WaitReady is for a server that stopped accepting them by
// itself, as when the postmaster reinitialises after a backend crashed. It fails tb if
// the server is stopped or exits.
func (s *Server) WaitReady(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		tb.Fatalf("pgtopo: wait for postgres on port %d: it is stopped", s.port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.waitReady(ctx, p); err != nil {
		tb.Fatalf("pgtopo: %v", err)
	}
}

// startOnFreePort starts the server on a free port, trying another when the one found
// free is taken before the server binds it.
func (s *Server) startOnFreePort(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for range startAttempts {
		s.port = freePort(tb)
		if err = s.start(); err == nil {
			return
		}
	}
	tb.Fatalf("pgtopo: %v", err)
}

// start runs the postmaster and waits until it accepts connections. The caller holds
// s.mu.
func (s *Server) start() error {
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	// The process outlives any test's context: it ends through Stop or Kill.
	cmd := exec.CommandContext(context.Background(), filepath.Join(s.bin, postgresBinary),
		"-D", s.dataDir(), "-p", strconv.Itoa(s.port), "-k", filepath.Join(s.root, socketDirName),
		"-c", "listen_addresses="+loopback)
	cmd.Dir = s.root
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr(s.acct)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status of a stopped server says nothing useful
		_ = logFile.Close()
		close(p.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.waitReady(ctx, p); err != nil {
		return errors.Join(err, p.halt(syscall.SIGQUIT))
	}
	s.proc = p
	return nil
}

// stop sends the postmaster sig (SIGINT: fast shutdown, SIGQUIT: immediate shutdown) and
// waits for it to exit.
func (s *Server) stop(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked(sig)
}

// stopLocked is stop for a caller that holds s.mu.
func (s *Server) stopLocked(sig syscall.Signal) error {
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	if err := p.halt(sig); err != nil {
		return fmt.Errorf("postgres on port %d: %w", s.port, err)
	}
	return nil
}

// halt sends the postmaster sig and waits for it to exit, or kills it when it has not
// after stopTimeout.
func (p *process) halt(sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal postmaster: %w", err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("postmaster did not exit within %s of %v; killed it", stopTimeout, sig)
	}
}

// waitReady polls the server until it accepts connections, p exits or ctx ends.
func (s *Server) waitReady(ctx context.Context, p *process) error {
	for {
		err := s.probe(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("postgres on port %d exited (last probe: %w)", s.port, err)
		case <-ctx.Done():
			return fmt.Errorf("postgres on port %d not ready: %w (last probe: %w)", s.port, ctx.Err(), err)
		case <-time.After(pollInterval):
		}
	}
}

// probe connects to the maintenance database and checks that the server there serves
// this cluster, not one that took the port first.
func (s *Server) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.urlOf(maintenanceDB))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var dir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return err
	}
	if dir != s.dataDir() {
		return fmt.Errorf("port serves the cluster in %s", dir)
	}
	return nil
}

// createDatabase creates the test's database and returns the server's version.
func (s *Server) createDatabase() (version string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.urlOf(maintenanceDB))
	if err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+databaseName); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	return version, nil
}

// urlOf is the URL of database db as the superuser.
func (s *Server) urlOf(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort(loopback, strconv.Itoa(s.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// logOnFailure logs the end of the server log if tb failed, which also shows why a start
// failed.
func (s *Server) logOnFailure(tb testing.TB) {
	tb.Helper()
	if tb.Failed() {
		tb.Log("pgtopo: " + s.logTail())
	}
}

// logTail returns the last lines of the server log.
func (s *Server) logTail() string {
	data, err := os.ReadFile(s.logPath())
	if err != nil {
		return "no server log: " + err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return fmt.Sprintf("server log %s (up to its last %d lines):\n  %s", s.logPath(), logTailLines,
		strings.Join(lines[max(0, len(lines)-logTailLines):], "\n  "))
}

// freePort returns a loopback TCP port that was free a moment ago, never reservedPort.
func freePort(tb testing.TB) int {
	tb.Helper()
	for {
		if port := testenv.FreePort(tb); port != reservedPort {
			return port
		}
	}
}

// since is the time since t, rounded for logs.
func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }
