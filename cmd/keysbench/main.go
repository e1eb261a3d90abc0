// Command keysbench measures what `studytool keys cleanup --apply` costs the other
// clients of a Redis server. Under a prefix of its own it writes -keys orphaned sessions
// (session hashes that no user's index lists: the cleanup's session-outside-index) and
// -hot cache entries, keeps -clients goroutines GETting the hot entries, and records
// their latency in two phases of one run:
//
//  1. baseline: nothing else happens;
//  2. cleanup: the cleanup use-case (SCAN, PTTL, HGET of the owner, then UNLINK in
//     pipelines of -batch keys at most -rate keys per second) removes every orphan.
//
// It prints p50, p99 and max per phase and checks the targets of the cleanup phase (p99
// within 1 ms of baseline, max under 50 ms). Every key written carries a one-hour TTL
// and what is left is deleted on exit.
//
//	go run ./cmd/keysbench -redis redis://127.0.0.1:6379/9 -keys 1000000
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// options are the command-line flags.
type options struct {
	redisURL string
	keys     int
	clients  int
	hotKeys  int
	rate     float64
	batch    int
	baseline time.Duration
	settle   time.Duration
}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "keysbench:", err)
		os.Exit(1)
	}
}

// mainErr parses the flags and runs the benchmark until it ends or is interrupted.
func mainErr() error {
	var o options
	flag.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/9", "Redis URL (use a database you may fill temporarily)")
	flag.IntVar(&o.keys, "keys", 1_000_000, "orphaned sessions the cleanup removes")
	flag.IntVar(&o.clients, "clients", 8, "concurrent reading clients")
	flag.IntVar(&o.hotKeys, "hot", 1000, "cache keys the clients read (never deleted)")
	flag.Float64Var(&o.rate, "rate", 20000, "cleanup --rate: keys deleted per second")
	flag.IntVar(&o.batch, "batch", 100, "cleanup --batch: keys per UNLINK pipeline")
	flag.DurationVar(&o.baseline, "baseline", 5*time.Second, "length of the baseline phase")
	flag.DurationVar(&o.settle, "settle", 500*time.Millisecond, "client warm-up before each phase")
	flag.Parse()
	if o.keys < 1 || o.clients < 1 || o.hotKeys < 1 || o.rate <= 0 || o.batch < 1 {
		return errors.New("-keys, -clients, -hot, -rate and -batch must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	redisOpts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return fmt.Errorf("parse -redis: %w", err)
	}
	redisOpts.PoolSize = o.clients + 4
	client := redis.NewClient(redisOpts)
	defer func() { _ = client.Close() }()
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping %s: %w", redisOpts.Addr, err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms.
	ks, err := keyspace.New("", "keysbench:"+hex.EncodeToString(buf)+":")
	if err != nil {
		return err
	}
	b := &bench{opts: o, client: client, ks: ks, out: os.Stdout}
	err = b.run(ctx)
	b.cleanup(ctx)
	return errors.Join(err, b.outErr)
}
