// Command loadbench is the load harness of `make load`: it measures the service's
// authenticated reads and its review loop against a one-round-trip reference, side by
// side, on the configured Redis and PostgreSQL.
//
// It starts `studytool serve` (the -binary given, or one it builds) on REDIS_URL and
// DATABASE_URL from the environment (by default the local servers: Redis database 14,
// PostgreSQL database studytool_load, created for the run and dropped afterwards), with
// the caller's whole environment passed through, so a variable such as LOCAL_CACHE or
// LOG_LEVEL set for the run reaches the service; only the listen addresses and the Redis
// key prefix are the harness's own. It also starts the 1-RTT reference (this command
// re-run with -serve-reference): a tiny Gin server whose GET /v1/me is one GETEX of a
// session key on the same Redis, a JSON decode of a small profile and a JSON response,
// with no logging.
//
// It registers and logs in a reader (with one deck of 10 cards) and a learner (with one
// deck of 20 cards and one open study session per connection), then, -runs times, loads
// each target closed-loop on -conns connections for -duration after -warmup: the
// reference, GET /v1/me, GET /v1/decks and the review loop (each connection answers the
// cards of its own study session; -review-conns sets their number). It prints a Markdown table of req/s, p50 and p99 and
// the ratio to the reference of the same run, with the medians over the runs.
//
// Every child is stopped with SIGTERM on every path (Ctrl-C included) and the run's Redis
// keys (all under a key prefix of its own) are deleted afterwards.
//
//	make load ARGS='-duration 10s -runs 3'
//	go run ./cmd/loadbench -conns 64 -duration 10s -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Defaults of the stack when the environment names none.
const (
	defaultRedisURL    = "redis://127.0.0.1:6379/14"
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/studytool_load?sslmode=disable"
)

// options are the command-line flags.
type options struct {
	binary     string
	serviceLog string
	conns      int
	duration   time.Duration
	warmup     time.Duration
	runs       int
	review     bool
	reviewConn int
	// referenceHeaders makes the reference answer with the header set the service sends
	// (see writeLikeService), so that both responses cost the client the same.
	referenceHeaders bool

	serveReference string // set in the reference child: its listen address
	redisURL       string
	databaseURL    string
	keyPrefix      string
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.binary, "binary", "", "the studytool binary to serve (default: build one)")
	fs.StringVar(&o.serviceLog, "service-log", "", "a file to copy the service's output to (default: discarded)")
	fs.IntVar(&o.conns, "conns", 64, "connections per target, each a closed loop")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured duration of each target in each run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	fs.IntVar(&o.runs, "runs", 3, "runs over every target")
	fs.BoolVar(&o.review, "review", true, "load the review loop too")
	fs.IntVar(&o.reviewConn, "review-conns", 0, "connections of the review loop (default: -conns); each holds a database connection for a while, "+
		"so beyond DB_MAX_OPEN_CONNS some wait longer than DB_POOL_WAIT_TIMEOUT and are answered 503")
	fs.BoolVar(&o.referenceHeaders, "reference-headers", false, "the reference answers with the service's response headers "+
		"(Cache-Control, ETag, Referrer-Policy, Vary, X-Content-Type-Options, X-Request-Id), so the client parses as much for both")
	fs.StringVar(&o.serveReference, "serve-reference", "", "internal: serve the 1-RTT reference on this address")
	fs.StringVar(&o.redisURL, "redis-url", envOr("REDIS_URL", defaultRedisURL), "Redis of the service and the reference (REDIS_URL)")
	fs.StringVar(&o.databaseURL, "database-url", envOr("DATABASE_URL", defaultDatabaseURL), "PostgreSQL of the service (DATABASE_URL)")
	fs.StringVar(&o.keyPrefix, "key-prefix", "", "internal: the Redis key prefix of the run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.conns < 1 || o.runs < 1 || o.duration <= 0 || o.warmup < 0 || o.reviewConn < 0 {
		return o, fmt.Errorf("-conns and -runs must be at least 1, -duration positive, -warmup and -review-conns not negative")
	}
	if o.reviewConn == 0 && o.review {
		o.reviewConn = o.conns
	}
	if !o.review {
		o.reviewConn = 0
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.serveReference != "" {
		return serveReference(o.serveReference, o.redisURL, o.keyPrefix, o.referenceHeaders)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return bench(ctx, o, stdout, stderr)
}
