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
// The readers run in a child process, the same binary started with -reader, as other
// clients of the server would: they share the machine with the cleanup but not its heap,
// garbage collector or scheduler. -readers inprocess runs them beside the cleanup
// instead, as the first measurements did.
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
	"github.com/studytool/studytool/cmd/internal/latencybench"
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
	readers  string
	// reader and prefix make this process the readers of a parent's run.
	reader bool
	prefix string
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
	flag.StringVar(&o.readers, "readers", "process", "where the readers run: process (a child process) or inprocess")
	flag.BoolVar(&o.reader, "reader", false, "internal: be the reader process of a run (reads -hot keys under -prefix)")
	flag.StringVar(&o.prefix, "prefix", "", "internal: the run's key prefix, with -reader")
	flag.Parse()
	if o.readers != "process" && o.readers != "inprocess" {
		return errors.New("-readers must be process or inprocess")
	}
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
	if o.reader {
		ks, err := keyspace.New("", o.prefix)
		if err != nil {
			return fmt.Errorf("-prefix: %w", err)
		}
		b := &bench{opts: o, client: client, ks: ks}
		return latencybench.ServeReaders(ctx, b.readers(), os.Stdin, os.Stdout)
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
