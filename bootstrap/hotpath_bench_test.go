package bootstrap_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/bootstrap"
)

// meAllocBudget is the most allocations one authenticated GET /v1/me may make through
// the whole router on the embedded stack (in-memory sessions and cache), access log line
// included. The measured figure is in docs/performance.md ("Hot path of an authenticated
// read"); the budget leaves room above it so that only a real regression fails.
const meAllocBudget = 80

// discardWriter is a ResponseWriter that keeps nothing, so the measurement is the
// router's own.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// hotPath is the application on the embedded stack, its access log formatted as JSON
// and discarded, with a logged-in user.
type hotPath struct {
	router *httpapi.Router
	req    *http.Request
}

func startHotPath(tb testing.TB) *hotPath {
	tb.Helper()
	cfg, err := bootstrap.Load(map[string]string{
		"APP_ENV":     "test",
		"HTTP_ADDR":   "127.0.0.1:0",
		"LOG_LEVEL":   "info",
		"LOG_FORMAT":  "json",
		"SQLITE_PATH": filepath.Join(tb.TempDir(), "studytool.db"),
	})
	require.NoError(tb, err)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).
		With(slog.String("service", "studytool"))
	var router *httpapi.Router
	app := bootstrap.NewApp(cfg, fx.Replace(logger), fx.Populate(&router))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(tb, app.Start(ctx))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		assert.NoError(tb, app.Stop(ctx))
	})

	post := func(path, body string) string {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		require.Less(tb, rec.Code, 300, rec.Body.String())
		return rec.Body.String()
	}
	post("/v1/auth/register", `{"email":"hot@example.com","password":"correct horse battery","displayName":"Hot"}`)
	var login struct{ Token string }
	require.NoError(tb, json.Unmarshal([]byte(post("/v1/auth/login",
		`{"email":"hot@example.com","password":"correct horse battery"}`)), &login))

	req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	h := &hotPath{router: router, req: req}
	w := h.serve()
	require.Equal(tb, http.StatusOK, w.status)
	return h
}

func (h *hotPath) serve() *discardWriter {
	w := &discardWriter{h: make(http.Header, 8)}
	h.router.ServeHTTP(w, h.req)
	return w
}

// BenchmarkHotPathGetMe is one authenticated GET /v1/me through the whole router (every
// middleware, the authenticator, the cached profile read) on the embedded stack:
//
//	go test -run '^$' -bench BenchmarkHotPathGetMe -benchmem -count 6 ./bootstrap
func BenchmarkHotPathGetMe(b *testing.B) {
	h := startHotPath(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if w := h.serve(); w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// TestHotPathGetMeAllocBudget fails when an authenticated GET /v1/me allocates more than
// meAllocBudget times (allocations are counted, not timed, so the test is stable).
func TestHotPathGetMeAllocBudget(t *testing.T) {
	h := startHotPath(t)
	allocs := testing.AllocsPerRun(200, func() { h.serve() })
	t.Logf("GET /v1/me: %.0f allocations per request (budget %d)", allocs, meAllocBudget)
	assert.LessOrEqual(t, allocs, float64(meAllocBudget))
}
