// Command cachebench measures what deleting cache keys by pattern costs the other clients
// of a Redis server. It writes -keys cache entries twice over (pipelined) under a prefix
// of its own, keeps -clients goroutines reading other cache keys in a loop, and records
// their latency in three phases of one run:
//
//  1. baseline: nothing else happens;
//  2. SCAN+UNLINK: the cache store's DeletePattern removes the first set of keys;
//  3. KEYS+DEL: the anti-pattern (one KEYS, one DEL of everything it returned, as several
//     cache libraries clear a cache) removes the second set, for comparison.
//
// It prints p50, p99 and max per phase and checks the targets of the SCAN phase (p99
// within 1 ms of baseline, max under 50 ms). Everything it wrote is deleted on exit, and
// every key carries a one-hour TTL in case the program is killed.
//
//	go run ./cmd/cachebench -redis redis://127.0.0.1:6379/9 -keys 1000000
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// options are the command-line flags.
type options struct {
	redisURL  string
	keys      int
	clients   int
	hotKeys   int
	valueSize int
	baseline  time.Duration
	settle    time.Duration
}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "cachebench:", err)
		os.Exit(1)
	}
}

// mainErr parses the flags and runs the benchmark until it ends or is interrupted.
func mainErr() error {
	var o options
	flag.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/9", "Redis URL (use a database you may fill temporarily)")
	flag.IntVar(&o.keys, "keys", 1_000_000, "keys deleted in each delete phase")
	flag.IntVar(&o.clients, "clients", 8, "concurrent reading clients")
	flag.IntVar(&o.hotKeys, "hot", 1000, "keys the clients read (never deleted during the run)")
	flag.IntVar(&o.valueSize, "value", 100, "value size in bytes")
	flag.DurationVar(&o.baseline, "baseline", 5*time.Second, "length of the baseline phase")
	flag.DurationVar(&o.settle, "settle", 500*time.Millisecond, "client warm-up before each delete phase")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, o, os.Stdout)
}

// run executes the benchmark and writes its report to out.
func run(ctx context.Context, o options, out io.Writer) error {
	if o.keys < 1 || o.clients < 1 || o.hotKeys < 1 || o.valueSize < 1 {
		return errors.New("-keys, -clients, -hot and -value must be positive")
	}
	redisOpts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return fmt.Errorf("parse -redis: %w", err)
	}
	redisOpts.PoolSize = o.clients + 4
	redisOpts.ReadTimeout = time.Minute // KEYS and a DEL of every key it returned are slow
	client := redis.NewClient(redisOpts)
	defer func() { _ = client.Close() }()
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping %s: %w", redisOpts.Addr, err)
	}

	ks, err := keyspace.New("", "cachebench:"+randomHex(6)+":")
	if err != nil {
		return err
	}
	b := &bench{opts: o, client: client, ks: ks, store: redisstore.NewCacheStore(client, ks), out: out}
	err = b.run(ctx)
	b.cleanup(ctx)
	return errors.Join(err, b.outErr)
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(buf)
}
