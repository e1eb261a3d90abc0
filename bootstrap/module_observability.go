package bootstrap

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/application/study"
)

// HTTPMiddleware is the middleware the router installs on every request, ahead of its
// own (see httpapi.RouterConfig.Middleware).
type HTTPMiddleware []gin.HandlerFunc

// ObservabilityModule provides the Prometheus registry, served by a MetricsServer on
// METRICS_ADDR, the HTTP
// middleware (request metrics, and spans when OTEL_EXPORTER_OTLP_ENDPOINT is set) and the
// tracer provider, which it flushes and stops on stop. It adds GORM spans to the
// database and exposes the cache layer's counters when the graph has a cache. The Redis
// side (hooks, pools, INFO poller) is wired by RedisModule through instrumentRedis.
var ObservabilityModule = fx.Module("observability",
	fx.Provide(
		observability.NewMetrics,
		newTracing,
		newHTTPMiddleware,
		newMetricsServer,
	),
	fx.Invoke(traceDatabase, registerCacheStats, registerHasherMetrics, serveMetrics),
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

// registerCacheStats exposes the cache layer's per-feature counters and the progress
// cache's absorbed failures.
func registerCacheStats(m *observability.Metrics, c *cache.Cache, reads *progress.GetProgressHandler, reviews *study.ReviewCardHandler) error {
	collectors := append(
		[]prometheus.Collector{observability.NewCacheCollector(cacheStatsSource(c))},
		observability.NewProgressCacheCollectors(reads.CacheFailures, reviews.CacheFailures)...)
	return m.Register(collectors...)
}

// cacheStatsSource adapts the cache layer's Stats to the collector's source.
func cacheStatsSource(c *cache.Cache) observability.CacheStatsSource {
	return func() map[string]observability.CacheFeatureStats {
		features := c.Stats().Features
		out := make(map[string]observability.CacheFeatureStats, len(features))
		for name, s := range features {
			out[name] = observability.CacheFeatureStats{
				Hits: s.Hits, Misses: s.Misses, Errors: s.Errors, StaleServes: s.StaleServes, Loads: s.Loads,
			}
		}
		return out
	}
}

// redisInstrumentationParams are what instrumentRedis needs from the graph.
type redisInstrumentationParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config
	Logger    *slog.Logger
	Clients   RedisClients
	Keyspace  keyspace.Keyspace
	Metrics   *observability.Metrics
	Tracing   *observability.Tracing
}

// instrumentRedis adds the metrics and slow-operation hook (and spans, when tracing is
// on) to each Redis connection, exposes the connections' pool statistics, and polls
// their INFO from start to stop. It runs while the graph is built, before any command.
// One connection serving both roles is labelled observability.RoleShared.
func instrumentRedis(p redisInstrumentationParams) error {
	clients := []observability.RedisClient{{Role: observability.RoleShared, Client: p.Clients.Cache}}
	if p.Clients.State != p.Clients.Cache {
		clients = []observability.RedisClient{
			{Role: observability.RoleCache, Client: p.Clients.Cache},
			{Role: observability.RoleState, Client: p.Clients.State},
		}
	}
	for _, c := range clients {
		c.Client.AddHook(observability.NewRedisHook(p.Metrics, observability.RedisHookConfig{
			Role:          c.Role,
			Keyspace:      p.Keyspace,
			SlowThreshold: p.Config.Redis.SlowOpThreshold,
			Logger:        p.Logger,
		}))
		if err := p.Tracing.InstrumentRedis(c.Client); err != nil {
			return err
		}
	}
	if err := p.Metrics.Register(observability.NewPoolCollector(clients...)); err != nil {
		return err
	}
	poller, err := observability.NewInfoPoller(p.Metrics, observability.InfoPollerConfig{Logger: p.Logger}, clients...)
	if err != nil {
		return err
	}
	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			poller.Start(ctx)
			return nil
		},
		OnStop: poller.Stop,
	})
	return nil
}
