package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
)

// The per-middleware benchmarks serve GET /v1/me through a Gin engine that holds the
// middleware under test (plus what it needs ahead of it) and a handler that writes a
// small JSON body. BenchmarkMiddleware/none is the engine alone: a middleware's cost is
// its line minus that one. Run them with
//
//	go test -run '^$' -bench BenchmarkMiddleware -benchmem -count 6 ./adapters/httpapi
//
// The metrics and tracing middleware (bootstrap's RouterConfig.Middleware) are measured in
// adapters/observability, the whole chain with the real stores in bootstrap
// (BenchmarkHotPathGetMe).

// benchWriter is a ResponseWriter that keeps nothing: its header map is emptied before
// each request, so the writer itself allocates nothing per request.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(status int)      { w.status = status }
func (w *benchWriter) reset()                      { clear(w.h); w.status = 0 }

// benchAuthenticator creates a session in a fresh in-memory store and returns the store's
// authenticator and the token.
func benchAuthenticator(b *testing.B) (*Authenticator, string) {
	b.Helper()
	clk := clock.System{}
	sessions := memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute, MaxPerUser: 5,
	}, clk, nil)
	token := strings.Repeat("A", 43) // the length of a real token, 32 bytes in base64url
	now := time.Now()
	if _, err := sessions.Create(context.Background(), &domain.Session{
		ID: auth.SessionID(token), UserID: "0190c1de-8e59-7000-8000-000000000001", CreatedAt: now, LastActivity: now,
	}); err != nil {
		b.Fatal(err)
	}
	return NewAuthenticator(auth.NewAuthenticateHandler(sessions, clk, auth.Binding{}), nil, CookieConfig{}, nil), token
}

// benchMe is the handler behind every benchmark engine: a small JSON object, as GET
// /v1/me answers.
func benchMe(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"id": "0190c1de-8e59-7000-8000-000000000001", "email": "bench@example.com"})
}

// serveBench serves req through engine b.N times.
func serveBench(b *testing.B, engine *gin.Engine, req *http.Request) {
	b.Helper()
	w := &benchWriter{h: make(http.Header)}
	engine.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.reset()
		engine.ServeHTTP(w, req)
	}
}

func BenchmarkMiddleware(b *testing.B) {
	discard := slog.New(WithRequestID(slog.NewJSONHandler(io.Discard, nil)))
	authn, token := benchAuthenticator(b)
	csrf, err := crossOriginProtection(nil)
	if err != nil {
		b.Fatal(err)
	}
	withLogger := func(c *gin.Context) {
		c.Request = c.Request.WithContext(&requestContext{Context: c.Request.Context(), id: "bench", logger: discard})
		c.Next()
	}
	cases := []struct {
		name string
		mw   []gin.HandlerFunc
	}{
		{"none", nil},
		{"requestID", []gin.HandlerFunc{requestID(discard)}},
		{"securityHeaders", []gin.HandlerFunc{securityHeaders(false)}},
		{"corsHandler", []gin.HandlerFunc{corsHandler(nil)}},
		{"requestCache", []gin.HandlerFunc{RequestCache()}},
		{"accessLog/context-only", []gin.HandlerFunc{withLogger}},
		{"accessLog/json-discard", []gin.HandlerFunc{withLogger, accessLog(0)}},
		{"accessLog/2xx-sampled-out", []gin.HandlerFunc{withLogger, accessLog(1)}},
		{"recovery", []gin.HandlerFunc{recovery()}},
		{"csrf", []gin.HandlerFunc{csrf}},
		{"bodyLimit", []gin.HandlerFunc{bodyLimit(DefaultMaxBodyBytes, DefaultMaxUploadBytes)}},
		{"idempotencyKeyFormat", []gin.HandlerFunc{idempotencyKeyFormat()}},
		{"authenticator", []gin.HandlerFunc{authn.Required()}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			engine := gin.New()
			engine.ContextWithFallback = true
			engine.Use(tc.mw...)
			engine.GET("/v1/me", benchMe)
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/v1/me", nil)
			req.RemoteAddr = "192.0.2.1:40000"
			req.Header.Set("Authorization", "Bearer "+token)
			serveBench(b, engine, req)
		})
	}
}
