// Package redistopo starts real Redis topologies for tests from the redis-server and
// redis-cli binaries, on spare loopback ports, and stops them afterwards: a private
// server (Standalone) that a test may kill, shut down and restart on the same port and
// data directory; a three-master Redis Cluster (Cluster); and a master/replica pair
// watched by Sentinel (Sentinel, NewSentinel).
//
// Cluster and Sentinel are shared by every test of a test binary, since each takes a
// second or two to form: the first caller starts them, and Run, called from the
// package's TestMain, stops them when the tests are done. Tests on a shared topology keep
// to a key prefix of their own and must not fault its processes; a fault test starts a
// private server or pair instead.
//
// Processes run in the foreground as children of the test binary (on Linux they are
// also killed if it dies). A missing binary skips the calling test, or fails it when
// STUDYTOOL_REQUIRE_BACKENDS=1, as test/testenv does for an unreachable server.
package redistopo

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"testing"

	"github.com/studytool/studytool/test/testenv"
)

// Binary names looked up on PATH.
const (
	serverBinary = "redis-server"
	cliBinary    = "redis-cli"
)

// loopback is the only interface the servers listen on.
const loopback = "127.0.0.1"

// reservedPort is the port of the machine's own Redis, which the topologies never take.
const reservedPort = 6379

// lookBinaries returns the path of each named binary, or skips tb (fails it when
// backends are required) when one is missing.
func lookBinaries(tb testing.TB, names ...string) []string {
	tb.Helper()
	paths := make([]string, len(names))
	for i, name := range names {
		path, err := exec.LookPath(name)
		if err != nil {
			if testenv.Required() {
				tb.Fatalf("redistopo: %s is required (%s=1) but not found: %v", name, testenv.EnvRequire, err)
			}
			tb.Skipf("SKIPPED — %s not found (%v); install Redis or set %s=1 to make this a failure",
				name, err, testenv.EnvRequire)
		}
		paths[i] = path
	}
	return paths
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	for {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		addr, ok := l.Addr().(*net.TCPAddr)
		if err := l.Close(); err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		if !ok {
			return 0, errors.New("find a free port: listener has no TCP address")
		}
		if addr.Port != reservedPort {
			return addr.Port, nil
		}
	}
}
