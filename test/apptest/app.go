// Package apptest runs the whole StudyTool application for tests: in process, as
// bootstrap builds it for `studytool serve`, on a free loopback port, over the embedded
// stores (a SQLite file and the in-memory twins) or the real ones (PostgreSQL and Redis
// through test/testenv, which skips or fails a test whose backend does not answer). It
// also gives HTTP clients of the app, an operator's permission grant, the app's log, and
// the studytool binary run as a child process.
package apptest

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/test/testenv"
)

// Stack selects the stores an app under test runs on.
type Stack string

const (
	// Embedded is the default of `make run`: memory stores and a SQLite file.
	Embedded Stack = "embedded"
	// Real is PostgreSQL and Redis (skipped, or failed under STUDYTOOL_REQUIRE_BACKENDS=1,
	// when they do not answer).
	Real Stack = "real"
)

// Stacks lists every stack, for tests that run on each.
var Stacks = []Stack{Embedded, Real}

// startTimeout and stopTimeout bound starting and stopping an app or a graph.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
)

// Backends are the stores of one stack, set aside for one test: a SQLite file, or a
// PostgreSQL database and a Redis key prefix of the test's own. Apps and commands
// started on the same Backends share their data.
type Backends struct {
	// Environ holds the variables that select the stores: SQLITE_PATH, or DATABASE_URL,
	// REDIS_URL and REDIS_KEY_PREFIX.
	Environ map[string]string
	// Redis and Prefix reach the app's keys on the real stack (nil and "" otherwise).
	Redis  *redis.Client
	Prefix string
}

// NewBackends sets aside the stores of stack s for t; they are removed when t ends.
func NewBackends(t testing.TB, s Stack) *Backends {
	t.Helper()
	if s == Embedded {
		return &Backends{Environ: map[string]string{"SQLITE_PATH": filepath.Join(t.TempDir(), "studytool.db")}}
	}
	client, prefix := testenv.Redis(t)
	opts := client.Options()
	return &Backends{
		Environ: map[string]string{
			"DATABASE_URL":     testenv.Postgres(t),
			"REDIS_URL":        "redis://" + opts.Addr + "/" + strconv.Itoa(opts.DB),
			"REDIS_KEY_PREFIX": prefix,
		},
		Redis:  client,
		Prefix: prefix,
	}
}

// Database returns the configuration that opens the backends' database.
func (b *Backends) Database() gormdb.Config {
	return gormdb.Config{URL: b.Environ["DATABASE_URL"], SQLitePath: b.Environ["SQLITE_PATH"]}
}

// App is the whole application running in process.
type App struct {
	*Backends
	// Config is the configuration the app runs with.
	Config bootstrap.Config
	// Addr is the API listener's host:port; BaseURL is http://Addr.
	Addr, BaseURL string
	// Hasher is the app's password hasher, whose Stats count the hashes it ran.
	Hasher *argon2.Hasher
	// Metrics is the listener of GET /metrics (METRICS_ADDR).
	Metrics *bootstrap.MetricsServer

	t   testing.TB
	log *logSink
	// syncLocal waits until the app's local tier has seen every change made to Redis so
	// far (see SyncLocalCache).
	syncLocal bootstrap.LocalCacheSync
}

// Start starts the app on new backends of stack s; see StartOn.
func Start(t testing.TB, s Stack, environ map[string]string, opts ...fx.Option) *App {
	t.Helper()
	return StartOn(t, NewBackends(t, s), environ, opts...)
}

// StartOn starts the whole application on b, on a free loopback port, and stops it when
// t ends. environ overrides the defaults (APP_ENV=test, LOG_LEVEL=warn, the metrics
// listener on a free port) and b's variables; opts are added to the graph (fx.Populate
// takes values out of it). Any failure fails t.
func StartOn(t testing.TB, b *Backends, environ map[string]string, opts ...fx.Option) *App {
	t.Helper()
	a, err := TryStartOn(t, b, environ, opts...)
	require.NoError(t, err)
	return a
}

// TryStartOn is StartOn returning the error of loading the configuration or starting the
// application instead of failing t.
func TryStartOn(t testing.TB, b *Backends, environ map[string]string, opts ...fx.Option) (*App, error) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	values := map[string]string{
		"APP_ENV": "test", "LOG_LEVEL": "warn", "METRICS_ADDR": "127.0.0.1:0", "HTTP_ADDR": addr,
		// The overload bounds answer 503 when a slot or connection is not free in time;
		// the tests share two cores with the race detector and other packages, so they
		// wait longer than production would. Tests of the bounds set their own.
		"PASSWORD_HASH_WAIT": "30s", "DB_POOL_WAIT_TIMEOUT": "10s", "DB_QUERY_TIMEOUT": "20s",
	}
	maps.Copy(values, b.Environ)
	maps.Copy(values, environ)
	cfg, err := bootstrap.Load(values)
	if err != nil {
		return nil, err
	}
	a := &App{Backends: b, Config: cfg, Addr: addr, BaseURL: "http://" + addr, t: t, log: &logSink{}}
	graph := bootstrap.NewApp(cfg, fx.Options(opts...), a.log.replaceLogger(cfg), fx.Populate(&a.Hasher, &a.Metrics, &a.syncLocal))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := graph.Start(ctx); err != nil {
		return nil, err
	}
	t.Cleanup(func() { a.stop(graph) })
	return a, nil
}

// stop stops the graph and, when the test failed, shows what the app logged.
func (a *App) stop(graph *fx.App) {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := graph.Stop(ctx); err != nil {
		a.t.Errorf("stop app: %v", err)
	}
	if a.t.Failed() {
		a.t.Logf("app log:\n%s", a.log)
	}
}

// Grant gives email's account perms the way an operator does (`studytool users grant`):
// through the operations graph on the app's database and stores.
func (a *App) Grant(email string, perms ...string) {
	a.t.Helper()
	var h *profile.ManagePermissionsHandler
	ops := bootstrap.NewOperationsApp(a.Config, slog.New(slog.DiscardHandler), fx.Populate(&h))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	require.NoError(a.t, ops.Start(ctx))
	_, err := h.Handle(ctx, profile.SetPermissions{Email: email, Grant: perms})
	require.NoError(a.t, errors.Join(err, ops.Stop(ctx)))
	a.SyncLocalCache()
}

// SyncLocalCache returns once the app's local tier has applied every invalidation Redis
// sent it so far: after a change made to Redis from outside the app (another process,
// Grant), the app's next request sees it.
func (a *App) SyncLocalCache() {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	require.NoError(a.t, a.syncLocal(ctx), "sync the app's local tier")
}

// Client returns a new client of the app's API.
func (a *App) Client() *Client { return NewClient(a.t, a.BaseURL) }

// ErrorLogs returns the records the app logged at level ERROR or above, one JSON object
// each.
func (a *App) ErrorLogs() []string { return a.log.atLeast(slog.LevelError) }
