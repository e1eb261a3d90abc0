package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

// Set-up sizes.
const (
	readerCards  = 10 // the reader's deck, listed by GET /v1/decks
	learnerCards = 20 // the learner's deck, studied by the review loop
)

// bench sets up the stack and the children, runs the targets -runs times and prints the
// report; it cleans up on every path.
func bench(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	o.keyPrefix = fmt.Sprintf("loadbench:%d-%d:", os.Getpid(), time.Now().Unix())
	rdb, err := openRedis(ctx, o.redisURL)
	if err != nil {
		return err
	}
	defer func() { _ = rdb.Close() }()
	defer func() {
		n, cerr := deleteKeys(context.WithoutCancel(ctx), rdb, o.keyPrefix)
		_, _ = fmt.Fprintf(stderr, "loadbench: deleted %d Redis keys under %s\n", n, o.keyPrefix)
		err = errors.Join(err, cerr)
	}()
	dropDB, err := ensureDatabase(ctx, o.databaseURL)
	if err != nil {
		return err
	}
	if dropDB != nil {
		defer func() { err = errors.Join(err, dropDB(context.WithoutCancel(ctx))) }()
	}

	binary := o.binary
	if binary == "" {
		dir, err := os.MkdirTemp("", "loadbench-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if binary, err = benchproc.BuildStudytool(ctx, dir); err != nil {
			return err
		}
	}
	var serviceLog io.Writer
	if o.serviceLog != "" {
		f, err := os.Create(o.serviceLog)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		serviceLog = f
	}

	svcAddr, err := benchproc.FreeAddr(ctx)
	if err != nil {
		return err
	}
	metricsAddr, err := benchproc.FreeAddr(ctx)
	if err != nil {
		return err
	}
	svc, err := benchproc.StartChild(ctx, "studytool serve", binary, []string{"serve"},
		serviceEnv(os.Environ(), o, svcAddr, metricsAddr), serviceLog)
	if err != nil {
		return err
	}
	defer func() { _, _ = fmt.Fprintln(stderr, "loadbench:", svc.Stop()) }()

	refAddr, err := benchproc.FreeAddr(ctx)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ref, err := benchproc.StartChild(ctx, "1-RTT reference", self, []string{
		"-serve-reference", refAddr, "-redis-url", o.redisURL, "-key-prefix", o.keyPrefix,
		"-reference-headers=" + strconv.FormatBool(o.referenceHeaders),
	}, os.Environ(), nil)
	if err != nil {
		return err
	}
	defer func() { _, _ = fmt.Fprintln(stderr, "loadbench:", ref.Stop()) }()

	svcURL, refURL := "http://"+svcAddr, "http://"+refAddr
	if err := svc.WaitAnswering(ctx, svcURL+"/readyz", http.StatusOK); err != nil {
		return err
	}
	if err := ref.WaitAnswering(ctx, refURL+"/v1/me", http.StatusUnauthorized); err != nil {
		return err
	}
	targets, err := setUp(ctx, o, rdb, svcURL, refURL)
	if err != nil {
		return err
	}

	started := time.Now()
	loadBefore := loadAverage()
	_, _ = fmt.Fprintf(stderr, "loadbench: %d targets × %d runs, %d connections (review loop %d), %s (+%s warm-up) each\n",
		len(targets), o.runs, o.conns, o.reviewConn, o.duration, o.warmup)
	runs := make([][]result, o.runs)
	cfg := loadConfig{conns: o.conns, warmup: o.warmup, duration: o.duration}
	for i := range runs {
		for _, t := range targets {
			r, err := runLoad(ctx, t, cfg)
			if err != nil {
				return err
			}
			_, _ = fmt.Fprintf(stderr, "loadbench: run %d %-30s %8.0f req/s p50 %s ms p99 %s ms, %d errors %s\n",
				i+1, r.target, r.rate(), ms(r.p50), ms(r.p99), r.errors, r.sampleErr)
			runs[i] = append(runs[i], r)
		}
	}
	_, _ = fmt.Fprint(stdout, header(o, started))
	_, _ = fmt.Fprint(stdout, renderTable(runs, targets[0].name))
	_, _ = fmt.Fprintf(stdout, "\nload average (1, 5, 15 min) before the runs: %s; after: %s\n", loadBefore, loadAverage())
	return nil
}

// serviceEnv is the service's environment: the caller's, with the stack's URLs
// (defaulted), its own listen addresses and the run's key prefix; APP_ENV is development
// unless the caller set it.
func serviceEnv(environ []string, o options, addr, metricsAddr string) []string {
	own := map[string]string{
		"HTTP_ADDR": addr, "METRICS_ADDR": metricsAddr, "REDIS_URL": o.redisURL, "DATABASE_URL": o.databaseURL,
		"REDIS_KEY_PREFIX": o.keyPrefix,
	}
	env := make([]string, 0, len(environ)+len(own)+1)
	hasAppEnv := false
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := own[k]; ours {
			continue
		}
		hasAppEnv = hasAppEnv || k == "APP_ENV"
		env = append(env, kv)
	}
	if !hasAppEnv {
		env = append(env, "APP_ENV=development")
	}
	for k, v := range own {
		env = append(env, k+"="+v)
	}
	return env
}

// setUp creates the reader and the learner and returns the targets, the reference first.
func setUp(ctx context.Context, o options, rdb *redis.Client, svcURL, refURL string) ([]target, error) {
	a := api{baseURL: svcURL, client: newClient(4)}
	defer a.client.CloseIdleConnections()
	stamp := time.Now().UnixNano()
	reader, err := a.signUp(ctx, fmt.Sprintf("reader-%d@loadbench.example.com", stamp))
	if err != nil {
		return nil, err
	}
	if _, err := a.deckWithCards(ctx, reader, "Reader's deck", readerCards); err != nil {
		return nil, err
	}
	targets := []target{
		getTarget("1-RTT reference GET /v1/me", refURL, "/v1/me", reader),
		getTarget("GET /v1/me", svcURL, "/v1/me", reader),
		getTarget("GET /v1/decks", svcURL, "/v1/decks", reader),
	}
	if err := setUpReference(ctx, rdb, o.keyPrefix, reader); err != nil {
		return nil, err
	}
	if !o.review {
		return targets, nil
	}
	learner, err := a.signUp(ctx, fmt.Sprintf("learner-%d@loadbench.example.com", stamp))
	if err != nil {
		return nil, err
	}
	// One deck per connection: a card's first answer grades it, so a second session of the
	// same deck would find nothing new to study.
	decks := make([]string, o.reviewConn)
	sessions := make([]studySession, o.reviewConn)
	for i := range decks {
		if decks[i], err = a.deckWithCards(ctx, learner, fmt.Sprintf("Learner's deck %d", i+1), learnerCards); err != nil {
			return nil, err
		}
		if sessions[i], err = a.startStudy(ctx, learner, decks[i]); err != nil {
			return nil, err
		}
	}

	return append(targets, reviewTarget(svcURL, learner, decks, sessions)), nil
}

// setUpReference stores the reference's session of token: a small profile.
func setUpReference(ctx context.Context, rdb *redis.Client, prefix, token string) error {
	profile, err := json.Marshal(referenceProfile{
		ID: "0190c1de-8e59-7000-8000-000000000001", Email: "reader@loadbench.example.com", DisplayName: "Load",
		Permissions: []string{}, CreatedAt: time.Now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	if err := rdb.Set(ctx, referenceKey(prefix, token), profile, referenceSessionTTL).Err(); err != nil {
		return fmt.Errorf("reference session: %w", err)
	}
	return nil
}

// header describes the run above the table.
func header(o options, started time.Time) string {
	var b strings.Builder
	_, _ = fmt.Fprintf(&b, "loadbench %s: %d connections per target (review loop %d), %s measured after %s warm-up, %d runs; GOMAXPROCS %d (%d CPUs)\n",
		started.UTC().Format(time.RFC3339), o.conns, o.reviewConn, o.duration, o.warmup, o.runs, runtime.GOMAXPROCS(0), runtime.NumCPU())
	_, _ = fmt.Fprintf(&b, "redis %s, database %s\n\n", redactURL(o.redisURL), redactURL(o.databaseURL))
	return b.String()
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// loadAverage returns /proc/loadavg's first three figures, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// openRedis connects to url.
func openRedis(ctx context.Context, redisURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis %s: %w", redactURL(redisURL), err)
	}
	return rdb, nil
}

// deleteKeys deletes every key under prefix (SCAN and UNLINK) and returns how many.
func deleteKeys(ctx context.Context, rdb *redis.Client, prefix string) (int, error) {
	deleted := 0
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := rdb.Unlink(ctx, batch...).Result()
		deleted += int(n)
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return deleted, err
	}
	return deleted, flush()
}

// ensureDatabase creates the database of databaseURL when it does not exist and returns
// the function that drops it again; nil when the database was there already (it is
// kept: the run's accounts have unique emails).
func ensureDatabase(ctx context.Context, databaseURL string) (func(context.Context) error, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return nil, errors.New("database url names no database")
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", redactURL(admin.String()), err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if exists {
		return nil, nil
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return nil, fmt.Errorf("postgres: create database %s: %w", ident, err)
	}
	return func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			return fmt.Errorf("postgres: drop database %s: %w", ident, err)
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("postgres: drop database %s: %w", ident, err)
		}
		return nil
	}, nil
}
