package bootstrap_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/test/testenv"
)

// spanSink counts the OTLP/HTTP trace exports it receives.
type spanSink struct {
	mu      sync.Mutex
	exports int
	bytes   int
}

func (s *spanSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/v1/traces" {
		s.exports++
		s.bytes += len(body)
	}
	w.WriteHeader(http.StatusOK)
}

func (s *spanSink) received() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exports, s.bytes
}

// observedApp is a started application: its router, served in process, and its metrics
// listener.
type observedApp struct {
	router  *httpapi.Router
	metrics *bootstrap.MetricsServer
}

// startObservedApp starts the application for environ, completed with a test
// environment, an ephemeral listen address and a SQLite file. The application stops when
// the returned function is called or the test ends, whichever comes first.
func startObservedApp(t *testing.T, environ map[string]string) (*observedApp, func()) {
	t.Helper()
	environ["APP_ENV"] = "test"
	environ["HTTP_ADDR"] = "127.0.0.1:0"
	environ["LOG_LEVEL"] = "error"
	environ["SQLITE_PATH"] = filepath.Join(t.TempDir(), "studytool.db")
	cfg, err := bootstrap.Load(environ)
	require.NoError(t, err)
	var router *httpapi.Router
	var metrics *bootstrap.MetricsServer
	app := bootstrap.NewApp(cfg, fx.Populate(&router, &metrics))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, app.Start(ctx))
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			assert.NoError(t, app.Stop(ctx))
		})
	}
	t.Cleanup(stop)
	return &observedApp{router: router, metrics: metrics}, stop
}

// scrape reads GET /metrics from the metrics listener; the API's router has no such route.
func (a *observedApp) scrape(t *testing.T) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+a.metrics.Addr()+"/metrics", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	return string(body)
}

// do serves one request in process and returns the status and body.
func (a *observedApp) do(method, path, body string) (int, string) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, reader)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	a.router.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// logInTwice registers an account and logs in twice under a limit of one login a
// minute: one session is created, the second login is refused.
func logInTwice(t *testing.T, a *observedApp) {
	t.Helper()
	code, body := a.do(http.MethodPost, "/v1/auth/register",
		`{"email":"metrics@example.com","password":"correct horse battery","displayName":"Metrics"}`)
	require.Equal(t, http.StatusCreated, code, body)
	login := `{"email":"metrics@example.com","password":"correct horse battery"}`
	code, body = a.do(http.MethodPost, "/v1/auth/login", login)
	require.Equal(t, http.StatusOK, code, body)
	code, body = a.do(http.MethodPost, "/v1/auth/login", login)
	require.Equal(t, http.StatusTooManyRequests, code, body)
}

// sample returns the value of the series whose line starts with prefix in a text
// exposition, or fails.
func sample(t *testing.T, exposition, prefix string) float64 {
	t.Helper()
	for _, line := range strings.Split(exposition, "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		require.NotEmpty(t, fields, line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		require.NoError(t, err, line)
		return v
	}
	t.Fatalf("no series %s in:\n%s", prefix, exposition)
	return 0
}

func TestObservabilityWiringOnRedis_Redis(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	opts := client.Options()
	sink := &spanSink{}
	collector := httptest.NewServer(sink)
	t.Cleanup(collector.Close)
	app, stop := startObservedApp(t, map[string]string{
		"REDIS_URL":                   "redis://" + opts.Addr + "/" + strconv.Itoa(opts.DB),
		"REDIS_KEY_PREFIX":            prefix,
		"LOGIN_RATE_LIMIT_PER_MINUTE": "1",
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
	})

	code, _ := app.do(http.MethodGet, "/readyz", "")
	require.Equal(t, http.StatusOK, code)
	logInTwice(t, app)

	var metrics string
	require.Eventually(t, func() bool {
		metrics = app.scrape(t)
		return strings.Contains(metrics, `studytool_redis_up{role="shared"} 1`)
	}, 10*time.Second, 20*time.Millisecond, "the INFO poller runs from start")

	assert.InDelta(t, 1, sample(t, metrics, `studytool_http_requests_total{method="GET",route="/readyz",status="200"}`), 0)
	assert.InDelta(t, 1, sample(t, metrics, `studytool_http_requests_total{method="POST",route="/v1/auth/login",status="429"}`), 0)
	assert.Positive(t, sample(t, metrics, `studytool_redis_command_duration_seconds_count{command="ping",role="shared"}`))
	assert.Positive(t, sample(t, metrics, `studytool_redis_pool_connections{role="shared",state="total"}`))
	assert.Positive(t, sample(t, metrics, `studytool_redis_memory_used_bytes{role="shared"}`))
	assert.InDelta(t, 1, sample(t, metrics, `studytool_sessions_created_total`), 0)
	assert.InDelta(t, 1, sample(t, metrics, `studytool_rate_limited_total{scope="login-ip"}`), 0)

	stop()
	exports, size := sink.received()
	assert.Positive(t, exports, "stopping flushes the spans to OTEL_EXPORTER_OTLP_ENDPOINT")
	assert.Positive(t, size)
}

func TestObservabilityWiringEmbedded(t *testing.T) {
	t.Parallel()
	app, _ := startObservedApp(t, map[string]string{"LOGIN_RATE_LIMIT_PER_MINUTE": "1"})
	logInTwice(t, app)

	code, _ := app.do(http.MethodGet, "/metrics", "")
	assert.Equal(t, http.StatusNotFound, code, "metrics are never served on the API listener")
	metrics := app.scrape(t)
	assert.InDelta(t, 1, sample(t, metrics, `studytool_sessions_created_total`), 0)
	assert.InDelta(t, 1, sample(t, metrics, `studytool_rate_limited_total{scope="login-ip"}`), 0)
	assert.NotContains(t, metrics, "studytool_redis_pool", "no Redis, no Redis pools")
	assert.GreaterOrEqual(t, sample(t, metrics, `studytool_password_hashes_total`), 3.0,
		"the dummy hash, the registration and the login were hashed")
	assert.Zero(t, sample(t, metrics, `studytool_password_hashes_in_flight`))
}
