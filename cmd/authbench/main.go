// Command authbench checks that password hashing keeps the service within its memory
// budget under hostile anonymous traffic. It starts `studytool serve` as a child process
// on the real stack (PostgreSQL, Redis) with every authentication limit stated
// explicitly, measures the child's idle RSS, registers a few accounts, then runs -workers
// concurrent anonymous clients for -duration. Each client alternates a registration with
// a fresh email and a login to one of the accounts, with the right password and with a
// wrong one, from one of -ips client addresses (sent in X-Forwarded-For, which the child
// trusts from 127.0.0.1), so that the per-IP limits and the hashing semaphore both bite.
//
// While the clients run it samples the child's VmRSS every 100 ms; at the end it reads
// VmHWM (the kernel's record of the peak) and the child's hashing metrics, and prints a
// report with two verdicts:
//
//   - memory: peak RSS ≤ idle RSS + PASSWORD_HASH_CONCURRENCY × 64 MiB + -slack-mb MB;
//   - answers: every status is 200, 201, 401, 409, 422, 429 or 503, and every 429 and 503
//     carries Retry-After as a positive whole number of seconds.
//
// It exits non-zero when either fails. The child is stopped with SIGTERM (and killed if
// it does not exit in time) on every path, Ctrl-C included, and the run's Redis keys are
// deleted afterwards. The database must exist; the run adds accounts with unique emails,
// so it can be reused and dropped afterwards:
//
//	createdb -h 127.0.0.1 -U postgres studytool_authbench
//	go run ./cmd/authbench -workers 64 -duration 20s -ips 8
//	dropdb -h 127.0.0.1 -U postgres studytool_authbench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

// errFailed reports that a verdict failed; the report says which.
var errFailed = errors.New("a target was missed")

// options are the command-line flags.
type options struct {
	binary      string
	childLog    string
	databaseURL string
	redisURL    string

	workers  int
	duration time.Duration
	ips      int
	accounts int
	settle   time.Duration
	slackMB  int

	hashConcurrency int
	hashWait        time.Duration
	registerPerHour int
	loginsPerMinute int
	extraEnv        envFlag
}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "authbench:", err)
		os.Exit(1)
	}
}

// mainErr parses the flags and runs the benchmark until it ends or is interrupted.
func mainErr() error {
	o := options{extraEnv: envFlag{}}
	flag.StringVar(&o.binary, "binary", "", "studytool binary to run (default: go build ./cmd/studytool into a temporary directory)")
	flag.StringVar(&o.childLog, "child-log", "", "file to copy the child's output to (e.g. with -env GODEBUG=gctrace=1)")
	flag.StringVar(&o.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/studytool_authbench?sslmode=disable", "DATABASE_URL of the child (the database must exist)")
	flag.StringVar(&o.redisURL, "redis-url", "redis://127.0.0.1:6379/12", "REDIS_URL of the child; the run uses a key prefix of its own there")
	flag.IntVar(&o.workers, "workers", 64, "concurrent anonymous clients")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long the clients start new requests")
	flag.IntVar(&o.ips, "ips", 8, "distinct client IP addresses the workers share (X-Forwarded-For)")
	flag.IntVar(&o.accounts, "accounts", 8, "accounts registered before the load, which the logins use")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "pause between readiness and the idle RSS reading")
	flag.IntVar(&o.slackMB, "slack-mb", 150, "allowance above idle RSS + hashing budget, in MB (10^6 bytes)")
	flag.IntVar(&o.hashConcurrency, "hash-concurrency", 4, "PASSWORD_HASH_CONCURRENCY of the child")
	flag.DurationVar(&o.hashWait, "hash-wait", 2*time.Second, "PASSWORD_HASH_WAIT of the child")
	flag.IntVar(&o.registerPerHour, "register-per-hour", 20, "REGISTER_RATE_LIMIT_PER_HOUR of the child (production's default)")
	flag.IntVar(&o.loginsPerMinute, "logins-per-minute", 10, "LOGIN_RATE_LIMIT_PER_MINUTE of the child (production's default)")
	flag.Var(o.extraEnv, "env", "extra child variable KEY=VALUE, overriding the above (repeatable), e.g. -env GOMEMLIMIT=400MiB")
	flag.Parse()
	if err := o.validate(); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, o, os.Stdout)
	if ctx.Err() != nil {
		return errors.New("interrupted; the child was stopped")
	}
	return err
}

// validate refuses flag values the benchmark cannot run with.
func (o options) validate() error {
	if o.workers < 1 || o.ips < 1 || o.accounts < 1 || o.hashConcurrency < 1 || o.registerPerHour < 1 ||
		o.loginsPerMinute < 1 || o.slackMB < 0 {
		return errors.New("-workers, -ips, -accounts, -hash-concurrency and the limits must be positive, -slack-mb not negative")
	}
	if o.duration <= 0 || o.hashWait <= 0 || o.settle < 0 {
		return errors.New("-duration and -hash-wait must be positive, -settle not negative")
	}
	if o.ips > 65_000 {
		return errors.New("-ips must be at most 65000")
	}
	return nil
}

// run builds the binary unless given one, runs the benchmark and writes its report to out.
func run(ctx context.Context, o options, out io.Writer) error {
	if o.binary == "" {
		dir, err := os.MkdirTemp("", "authbench-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if o.binary, err = benchproc.BuildStudytool(ctx, dir); err != nil {
			return err
		}
	}
	r := &report{out: out}
	err := benchmark(ctx, o, r)
	return errors.Join(err, r.err)
}

// envFlag collects repeated -env KEY=VALUE flags.
type envFlag map[string]string

// String implements flag.Value.
func (e envFlag) String() string { return strings.Join(sortedEnv(e), " ") }

// Set implements flag.Value.
func (e envFlag) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	e[key] = value
	return nil
}
