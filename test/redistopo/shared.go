package redistopo

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// running is set by Run: shared topologies may only be started under it, since only it
// can stop them.
var running atomic.Bool

// stops holds the teardown of each shared topology started so far.
var stops struct {
	sync.Mutex
	fns []func() error
}

// Run runs m's tests and then stops the topologies they shared. Call it from the
// TestMain of every package that uses Cluster or Sentinel:
//
//	func TestMain(m *testing.M) { os.Exit(redistopo.Run(m)) }
func Run(m *testing.M) int {
	running.Store(true)
	code := m.Run()
	if err := stopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "redistopo: stop shared topologies: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// requireRun fails tb unless its binary's TestMain runs the tests through Run.
func requireRun(tb testing.TB) {
	tb.Helper()
	if !running.Load() {
		tb.Fatal("redistopo: shared topologies need `func TestMain(m *testing.M) { os.Exit(redistopo.Run(m)) }` in the test package")
	}
}

// topology is what a shared topology must offer for its teardown.
type topology interface {
	kill() error
}

// shared is a topology started at most once per test binary, on first use, in a
// directory of its own that its teardown removes.
type shared[T topology] struct {
	name string
	once sync.Once
	topo T
	err  error
}

var (
	clusters  = &shared[*ClusterTopology]{name: "cluster"}
	sentinels = &shared[*SentinelTopology]{name: "sentinel"}
)

// get returns the topology, starting it with start on first use. A start that failed
// is not retried: every caller gets its error.
func (s *shared[T]) get(start func(root string) (T, error)) (T, error) {
	s.once.Do(func() {
		root, err := os.MkdirTemp("", "redistopo-"+s.name+"-")
		if err != nil {
			s.err = fmt.Errorf("directory: %w", err)
			return
		}
		topo, err := start(root)
		if err != nil {
			s.err = errors.Join(err, os.RemoveAll(root))
			return
		}
		s.topo = topo
		stops.Lock()
		defer stops.Unlock()
		stops.fns = append(stops.fns, func() error { return errors.Join(topo.kill(), os.RemoveAll(root)) })
	})
	return s.topo, s.err
}

// sharedCluster returns the shared cluster.
func sharedCluster(server, cli string) (*ClusterTopology, error) {
	return clusters.get(func(root string) (*ClusterTopology, error) { return startCluster(server, cli, root) })
}

// sharedSentinel returns the shared Sentinel pair.
func sharedSentinel(bin string) (*SentinelTopology, error) {
	return sentinels.get(func(root string) (*SentinelTopology, error) {
		return startSentinel(bin, root, SentinelOptions{})
	})
}

// stopShared stops every shared topology and removes its directory.
func stopShared() error {
	stops.Lock()
	defer stops.Unlock()
	var errs []error
	for _, stop := range stops.fns {
		errs = append(errs, stop())
	}
	stops.fns = nil
	return errors.Join(errs...)
}
