package redistopo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// masterName is the name under which Sentinel monitors the test master.
const masterName = "studytool-test"

// sentinelFormTimeout bounds the wait for the replica to sync and Sentinel to see both.
const sentinelFormTimeout = 60 * time.Second

// defaultDownAfter is how long the shared Sentinel waits before it calls a silent master
// down: long enough that a busy test machine never causes a failover by accident.
const defaultDownAfter = 5 * time.Second

// SentinelOptions configure a private Sentinel pair.
type SentinelOptions struct {
	// DownAfter is Sentinel's down-after-milliseconds: how long the master may stay
	// silent before Sentinel fails over to the replica. Zero means 5 s.
	DownAfter time.Duration
}

// SentinelTopology is a master and one replica, monitored by one Sentinel with quorum 1
// under a fixed master name.
type SentinelTopology struct {
	// MasterName is the name of the master set.
	MasterName string
	// Master and Replica are the servers as started; after a failover the replica is
	// the master (ask MasterAddr).
	Master, Replica *Server
	// Sentinel is the monitoring Sentinel.
	Sentinel *Server
}

// Addrs returns the Sentinel addresses, to build a failover client with.
func (s *SentinelTopology) Addrs() []string { return []string{s.Sentinel.Addr()} }

// MasterAddr asks Sentinel which server is the master now.
func (s *SentinelTopology) MasterAddr(ctx context.Context) (string, error) {
	client := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel.Addr(), MaxRetries: -1, Protocol: 2})
	defer client.Close()
	hostPort, err := client.GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil {
		return "", fmt.Errorf("sentinel get-master-addr-by-name %s: %w", s.MasterName, err)
	}
	if len(hostPort) != 2 {
		return "", fmt.Errorf("sentinel get-master-addr-by-name %s: reply %q", s.MasterName, hostPort)
	}
	return net.JoinHostPort(hostPort[0], hostPort[1]), nil
}

// Sentinel returns the test binary's shared Sentinel pair, starting it on first use.
// The package's TestMain must call Run, which stops it. Tests must not fault it; use
// NewSentinel for that.
func Sentinel(tb testing.TB) *SentinelTopology {
	tb.Helper()
	requireRun(tb)
	bin := lookBinaries(tb, serverBinary)[0]
	s, err := sharedSentinel(bin)
	if err != nil {
		tb.Fatalf("redistopo: shared sentinel: %v", err)
	}
	return s
}

// NewSentinel starts a Sentinel pair private to the test, which may kill its servers,
// and kills it when the test ends.
func NewSentinel(tb testing.TB, opts SentinelOptions) *SentinelTopology {
	tb.Helper()
	bin := lookBinaries(tb, serverBinary)[0]
	s, err := startSentinel(bin, tb.TempDir(), opts)
	if err != nil {
		tb.Fatalf("redistopo: sentinel: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.kill(); err != nil {
			tb.Errorf("redistopo: %v", err)
		}
	})
	return s
}

// startSentinel starts the master, its replica and the Sentinel, each in a directory of
// its own under root, and waits until the replica is in sync and Sentinel knows both.
func startSentinel(bin, root string, opts SentinelOptions) (s *SentinelTopology, err error) {
	downAfter := opts.DownAfter
	if downAfter <= 0 {
		downAfter = defaultDownAfter
	}
	s = &SentinelTopology{MasterName: masterName}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.kill())
		}
	}()
	dirs := make([]string, 3)
	for i, name := range []string{"master", "replica", "sentinel"} {
		dirs[i] = filepath.Join(root, name)
		if err := os.Mkdir(dirs[i], 0o700); err != nil {
			return nil, fmt.Errorf("sentinel dir: %w", err)
		}
	}
	// The master streams its first sync to the replica at once rather than waiting 5 s
	// for more replicas to share it.
	masterConfig := slices.Concat(noPersistence, []string{"repl-diskless-sync-delay 0"})
	if s.Master, err = startServer(bin, dirs[0], masterConfig, nil); err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	replicaOf := "replicaof " + loopback + " " + strconv.Itoa(s.Master.Port())
	if s.Replica, err = startServer(bin, dirs[1], slices.Concat(noPersistence, []string{replicaOf}), nil); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	ms := strconv.FormatInt(downAfter.Milliseconds(), 10)
	monitor := []string{
		"sentinel monitor " + masterName + " " + loopback + " " + strconv.Itoa(s.Master.Port()) + " 1",
		"sentinel down-after-milliseconds " + masterName + " " + ms,
		"sentinel failover-timeout " + masterName + " 10000",
		"sentinel parallel-syncs " + masterName + " 1",
	}
	if s.Sentinel, err = startServer(bin, dirs[2], monitor, []string{"--sentinel"}); err != nil {
		return nil, fmt.Errorf("sentinel: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sentinelFormTimeout)
	defer cancel()
	if err := s.waitFormed(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// waitFormed waits until the replica has synced with the master and Sentinel reports
// the master and a healthy replica.
func (s *SentinelTopology) waitFormed(ctx context.Context) error {
	master := s.Master.client()
	defer master.Close()
	err := poll(ctx, func() error {
		info, err := master.Info(ctx, "replication").Result()
		if err != nil {
			return err
		}
		if f := infoFields(info); !strings.Contains(f["slave0"], "state=online") {
			return fmt.Errorf("replica not online (slave0:%q)", f["slave0"])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replica sync: %w", err)
	}
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel.Addr(), MaxRetries: -1, Protocol: 2})
	defer sentinel.Close()
	err = poll(ctx, func() error {
		addr, err := s.MasterAddr(ctx)
		if err != nil {
			return err
		}
		if addr != s.Master.Addr() {
			return fmt.Errorf("sentinel names master %s, want %s", addr, s.Master.Addr())
		}
		replicas, err := sentinel.Replicas(ctx, s.MasterName).Result()
		if err != nil {
			return err
		}
		if len(replicas) != 1 || replicas[0]["flags"] != "slave" {
			return fmt.Errorf("sentinel sees replicas %v", replicas)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sentinel discovery: %w", err)
	}
	return nil
}

// kill kills the Sentinel and both servers.
func (s *SentinelTopology) kill() error {
	var errs []error
	for _, srv := range []*Server{s.Sentinel, s.Replica, s.Master} {
		if srv != nil {
			errs = append(errs, srv.Kill())
		}
	}
	return errors.Join(errs...)
}
