package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/cmd/internal/benchproc"
)

// memory are the child's memory figures of a run, in bytes.
type memory struct {
	// idle is VmRSS before the load; peak is VmHWM at its end; sampled the largest VmRSS
	// of the samples taken during it; after is VmRSS once it ended.
	idle, peak, sampled, after int64
	samples                    int
	// budget is PASSWORD_HASH_CONCURRENCY hashes; slack the allowance above it.
	budget, slack int64
}

// limit is the most the peak may reach.
func (m memory) limit() int64 { return m.idle + m.budget + m.slack }

// ok reports whether the peak stayed within the limit.
func (m memory) ok() bool { return m.peak <= m.limit() }

// benchmark starts the child, measures it idle, loads it, reports, and stops it.
func benchmark(ctx context.Context, o options, r *report) (err error) {
	log, closeLog, err := openChildLog(o.childLog)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeLog()) }()
	runID := randomHex(4)
	c, err := launch(ctx, o, keyPrefix(runID), log)
	if err != nil {
		return err
	}
	r.header(o, c.env, c.Pid())
	defer func() {
		r.printf("child: %s\n", c.Stop())
		err = errors.Join(err, cleanRedis(ctx, o.redisURL, keyPrefix(runID), r))
	}()

	if err := c.WaitAnswering(ctx, c.baseURL+"/readyz", http.StatusOK); err != nil {
		return err
	}
	l := &load{client: newHTTPClient(o.workers), baseURL: c.baseURL, runID: runID, password: "ab-" + randomHex(6) + "-Pw"}
	return measure(ctx, o, c, l, r)
}

// keyPrefix is the Redis key prefix of run runID.
func keyPrefix(runID string) string { return "authbench:" + runID + ":" }

// openChildLog creates the file the child's output is copied to; with no path there is
// none, and the writer is nil.
func openChildLog(path string) (io.Writer, func() error, error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Create(path) //nolint:gosec // G304: the path is the operator's own -child-log flag
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// launch starts the child on two free loopback ports with the run's environment.
func launch(ctx context.Context, o options, keyPrefix string, log io.Writer) (*child, error) {
	httpAddr, err := benchproc.FreeAddr(ctx)
	if err != nil {
		return nil, err
	}
	metricsAddr, err := benchproc.FreeAddr(ctx)
	if err != nil {
		return nil, err
	}
	return startChild(ctx, o.binary, childEnv(o, httpAddr, metricsAddr, keyPrefix), log)
}

// measure reads the idle RSS, seeds the accounts, runs the load while sampling RSS, and
// reports the figures and verdicts.
func measure(ctx context.Context, o options, c *child, l *load, r *report) error {
	m := memory{budget: int64(o.hashConcurrency) * argon2.MemoryPerHash, slack: int64(o.slackMB) * 1_000_000}
	var err error
	if m.idle, err = idleRSS(ctx, c.Pid(), o.settle); err != nil {
		return err
	}
	sampler := sampleRSS(ctx, c.Pid())
	if err := l.seed(ctx, o.accounts); err != nil {
		_, _, _ = sampler.finish()
		return err
	}
	t, elapsed := l.run(ctx, o.workers, o.ips, o.duration)
	m.sampled, m.samples, err = sampler.finish()
	if err := errors.Join(ctx.Err(), err); err != nil {
		return err
	}
	end, err := readStatus(c.Pid())
	if err != nil {
		return err
	}
	m.peak, m.after = end.hwm, end.rss
	metrics, err := scrapeMetrics(ctx, l.client, c.metricsURL, metricHashes, metricBusy)
	if err != nil {
		return err
	}

	r.answers(t, elapsed)
	r.memory(m, o.hashConcurrency)
	r.metrics(metrics, t.total(outcome{http.StatusServiceUnavailable, codeBusy}))
	if !r.verdicts(m, t) {
		return errFailed
	}
	return nil
}

// idleRSS waits settle and returns the VmRSS of pid.
func idleRSS(ctx context.Context, pid int, settle time.Duration) (int64, error) {
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(settle):
	}
	m, err := readStatus(pid)
	return m.rss, err
}

// cleanRedis deletes the run's keys (sessions, rate-limit counters, cache entries). It
// also runs after an interrupt, so it ignores ctx's cancellation.
func cleanRedis(ctx context.Context, redisURL, keyPrefix string, r *report) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("clean redis: %w", err)
	}
	client := redis.NewClient(opts)
	defer func() { _ = client.Close() }()
	deleted := 0
	iter := client.Scan(ctx, 0, keyPrefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		if err := client.Unlink(ctx, iter.Val()).Err(); err != nil {
			return fmt.Errorf("clean redis: %w", err)
		}
		deleted++
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("clean redis: %w", err)
	}
	r.printf("redis: deleted the run's %d keys under %s\n", deleted, keyPrefix)
	return nil
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(buf)
}
