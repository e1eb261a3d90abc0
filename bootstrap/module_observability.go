package bootstrap

import (
	"github.com/gin-gonic/gin"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/ports"
)

// HTTPMiddleware is the middleware the router installs on every request, ahead of its
// own (see httpapi.RouterConfig.Middleware).
type HTTPMiddleware []gin.HandlerFunc

// ObservabilityModule provides the Prometheus registry (also as the stores' and cached
// repositories' observer), the HTTP middleware (request metrics, and spans when
// OTEL_EXPORTER_OTLP_ENDPOINT is set) and the tracer provider, which it flushes and stops
// on stop. It adds GORM spans to the database and exposes the cache layer's and the
// password hasher's figures. The Redis side (hooks, pools, INFO poller) is RedisModule's.
var ObservabilityModule = fx.Module("observability",
	fx.Provide(
		fx.Annotate(observability.NewMetrics, fx.As(fx.Self()), fx.As(new(ports.CacheObserver))),
		newTracing,
		newHTTPMiddleware,
	),
	fx.Invoke(traceDatabase, registerCacheStats, registerHasherMetrics),
)

// MetricsServerModule serves the registry on its own listener, METRICS_ADDR.
var MetricsServerModule = fx.Module("metrics",
	fx.Provide(newMetricsServer),
	fx.Invoke(serveMetrics),
)

// newTracing builds the tracer provider (disabled without an endpoint) and shuts it
// down, flushing buffered spans, on stop.
func newTracing(lc fx.Lifecycle, cfg Config) (*observability.Tracing, error) {
	tracing, err := observability.NewTracing(observability.TracingConfig{
		Endpoint:    cfg.Observability.OTLPEndpoint,
		ServiceName: cfg.Observability.ServiceName,
	})
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(tracing.Shutdown))
	return tracing, nil
}

// newHTTPMiddleware returns the tracing middleware, when tracing is on, ahead of the
// metrics middleware.
func newHTTPMiddleware(m *observability.Metrics, tracing *observability.Tracing) HTTPMiddleware {
	var mw HTTPMiddleware
	if t := tracing.GinMiddleware(); t != nil {
		mw = append(mw, t)
	}
	return append(mw, m.HTTPMiddleware())
}

// traceDatabase adds GORM spans when tracing is on.
func traceDatabase(db *gormdb.DB, tracing *observability.Tracing) error {
	if plugin := tracing.GormPlugin(); plugin != nil {
		return db.Use(plugin)
	}
	return nil
}

// registerCacheStats exposes the cache layer's per-feature counters, read at scrape time.
func registerCacheStats(m *observability.Metrics, c ports.CacheLayer) error {
	return m.Register(observability.NewCacheCollector(c.Stats))
}
