package observability_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/adapters/observability"
)

// nopWriter is a ResponseWriter that keeps nothing; its header map is emptied per request.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkHTTPMiddleware measures the middleware bootstrap passes to the router
// (RouterConfig.Middleware) on a GET of a small JSON body: "none" is the engine alone,
// "metrics" adds the request metrics (always on), "tracing+metrics" adds spans too (on
// when OTEL_EXPORTER_OTLP_ENDPOINT is set; here they are batched for a collector that
// receives them). The router's own middleware are measured in adapters/httpapi.
//
//	go test -run '^$' -bench BenchmarkHTTPMiddleware -benchmem -count 6 ./adapters/observability
func BenchmarkHTTPMiddleware(b *testing.B) {
	metrics, err := observability.NewMetrics()
	if err != nil {
		b.Fatal(err)
	}
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer collector.Close()
	tracing, err := observability.NewTracing(observability.TracingConfig{Endpoint: collector.URL, ServiceName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tracing.Shutdown(ctx)
	}()
	cases := []struct {
		name string
		mw   []gin.HandlerFunc
	}{
		{"none", nil},
		{"metrics", []gin.HandlerFunc{metrics.HTTPMiddleware()}},
		{"tracing+metrics", []gin.HandlerFunc{tracing.GinMiddleware(), metrics.HTTPMiddleware()}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			engine := gin.New()
			engine.Use(tc.mw...)
			engine.GET("/v1/me", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": "1", "email": "bench@example.com"}) })
			req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
			w := &nopWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				engine.ServeHTTP(w, req)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		})
	}
}
