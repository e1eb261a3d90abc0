// Package httpapi is the driving HTTP adapter: a Gin router with request ids, structured
// access logs, panic recovery, a request body limit, the one mapping from errors to RFC
// 9457 problem+json, strict JSON binding, health endpoints and the OpenAPI document.
// Feature handlers plug in as RouteRegistrars.
package httpapi

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"

	"github.com/gin-gonic/gin"
)

func init() {
	// Gin's mode is process-global; setting it once here keeps parallel tests race-free
	// and keeps Gin's debug route dump out of the logs.
	gin.SetMode(gin.ReleaseMode)
	registerJSONFieldNames()
}

// DefaultMaxBodyBytes is the request body limit when RouterConfig leaves it zero (1 MiB).
const DefaultMaxBodyBytes int64 = 1 << 20

// DefaultMaxUploadBytes is the upload limit when RouterConfig leaves it zero (32 MiB).
const DefaultMaxUploadBytes int64 = 32 << 20

// RouterConfig holds the router's settings.
type RouterConfig struct {
	// TrustedProxies lists the IPs or CIDRs whose X-Forwarded-For header is believed when
	// resolving the client IP. Empty trusts no proxy: the client IP is the peer address.
	TrustedProxies []string
	// MaxBodyBytes caps every request body but uploads; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxUploadBytes caps the bodies of the import routes (a CSV file, an Anki
	// package); zero means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// Middleware runs for every request, matched or not, right after the request id is
	// assigned and ahead of the access log, panic recovery and error rendering, so it
	// sees the final status of every response (metrics, tracing). Nil entries are
	// skipped.
	Middleware []gin.HandlerFunc
	// Security configures the response headers and the cross-origin (CSRF) protection.
	Security SecurityConfig
	// AccessLogSkip2xx is the fraction, from 0 to 1, of the access log lines of
	// successful (2xx) responses left out, chosen at random: 0 (the zero value) logs
	// every request; other statuses are always logged. ACCESS_LOG_SAMPLE_2XX is 1 minus
	// this.
	AccessLogSkip2xx float64
}

// RouteRegistrar adds a feature's routes to the router. Feature handlers (auth, decks,
// study, admin, health, metrics) implement it; NewRouter calls each once.
type RouteRegistrar interface {
	// Register adds routes to r. Authenticated features add their own group middleware.
	Register(r gin.IRouter)
}

// RegistrarFunc adapts a plain function to RouteRegistrar.
type RegistrarFunc func(r gin.IRouter)

// Register implements RouteRegistrar.
func (f RegistrarFunc) Register(r gin.IRouter) { f(r) }

// Router is the API's http.Handler: the Gin engine, with HEAD answered wherever GET is.
type Router struct {
	engine *gin.Engine
}

var _ http.Handler = (*Router)(nil)

// ServeHTTP implements http.Handler. A HEAD request is routed as the GET of its path and
// answered with the GET's status and headers, the body left out (RFC 9110 §9.3.2).
//
// Every request ends by yielding its processor (runtime.Gosched), so that connections
// are served in turn when the CPU is saturated. A request answered without waiting on
// anything (a session and profile held in the local tier) never parks its goroutine;
// and when the client's next request on the same connection has already arrived by the
// time the response is written, net/http reads and serves it at once, again and again,
// while the goroutines of other connections wait in the run queue until the runtime
// preempts the busy one (after 10 ms). Under wrk at saturation, GET /v1/me's p99 was
// 20 ms against a median of 1.2 ms; with the yield it is about 6 ms, for a fifth less
// peak throughput (docs/performance.md, "Fairness between connections"). With nothing
// else to run, the yield costs about a hundred nanoseconds.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	defer runtime.Gosched()
	if req.Method != http.MethodHead {
		r.engine.ServeHTTP(w, req)
		return
	}
	get := req.Clone(req.Context())
	get.Method = http.MethodGet
	r.engine.ServeHTTP(headWriter{w}, get)
}

// headWriter answers a HEAD request: headers and status pass, the body is dropped.
type headWriter struct{ http.ResponseWriter }

// Write drops p, reporting it written.
func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteString drops s, reporting it written.
func (w headWriter) WriteString(s string) (int, error) { return len(s), nil }

// Flush passes a flush on, for handlers that stream.
func (w headWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// NewRouter builds the router: request id, security headers, CORS, access log, recovery,
// cross-origin protection, body limit, the Idempotency-Key format check of POSTs under
// /v1 and error rendering run for every request, including unmatched ones (404 and 405
// problem+json).
// logger receives the access log and every failure; NewRouter adds request ids to it.
func NewRouter(cfg RouterConfig, logger *slog.Logger, registrars ...RouteRegistrar) (*Router, error) {
	if logger == nil {
		return nil, fmt.Errorf("http router: logger is nil")
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody == 0 {
		maxBody = DefaultMaxBodyBytes
	}
	maxUpload := cmp.Or(cfg.MaxUploadBytes, DefaultMaxUploadBytes)
	if maxBody < 0 || maxUpload < 0 {
		return nil, fmt.Errorf("http router: max body bytes %d or max upload bytes %d is negative", maxBody, maxUpload)
	}
	if !(cfg.AccessLogSkip2xx >= 0 && cfg.AccessLogSkip2xx <= 1) {
		return nil, fmt.Errorf("http router: access log 2xx skip fraction %v is not between 0 and 1", cfg.AccessLogSkip2xx)
	}

	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	engine.RedirectTrailingSlash = false
	engine.ContextWithFallback = true
	if err := engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("http router: trusted proxies: %w", err)
	}

	csrf, err := crossOriginProtection(cfg.Security.TrustedOrigins)
	if err != nil {
		return nil, err
	}
	logger = slog.New(WithRequestID(logger.Handler()))
	engine.Use(requestID(logger), securityHeaders(cfg.Security.HSTS), corsHandler(cfg.Security.TrustedOrigins))
	for _, mw := range cfg.Middleware {
		if mw != nil {
			engine.Use(mw)
		}
	}
	engine.Use(accessLog(cfg.AccessLogSkip2xx), recovery(), csrf, bodyLimit(maxBody, maxUpload), idempotencyKeyFormat())
	engine.NoRoute(notFoundHandler)
	engine.NoMethod(methodNotAllowedHandler)

	for _, r := range registrars {
		if r == nil {
			return nil, fmt.Errorf("http router: nil route registrar")
		}
		r.Register(engine)
	}
	return &Router{engine: engine}, nil
}
