package observability

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric name.
const namespace = "studytool"

// Redis roles as metric labels. RoleShared labels a connection that serves both roles,
// the default deployment where cache and state share one server and one client.
const (
	RoleCache  = "cache"
	RoleState  = "state"
	RoleShared = "shared"
)

// redisDurationBuckets suit Redis commands: sub-millisecond on a healthy server, up to
// seconds when it stalls.
var redisDurationBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// Metrics is the service's Prometheus registry and the metric families the service
// updates directly. The registry is private (not prometheus.DefaultRegisterer), so
// several applications can live in one process, as they do in tests. It is safe for
// concurrent use.
type Metrics struct {
	registry *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	redisDuration *prometheus.HistogramVec
	redisSlow     *prometheus.CounterVec
	breakerState  *prometheus.GaugeVec

	sessionsCreated prometheus.Counter
	sessionsEvicted prometheus.Counter
	sessionsExpired prometheus.Counter
	rateLimited     *prometheus.CounterVec
	cacheAbsorbed   *prometheus.CounterVec

	dbWait     *prometheus.HistogramVec
	dbTimeouts *prometheus.CounterVec

	sweeps      *prometheus.CounterVec
	sweepPruned *prometheus.CounterVec
}

// NewMetrics returns a registry holding the service's metric families and the Go runtime
// and process collectors.
func NewMetrics() (*Metrics, error) {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		redisDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "redis", Name: "command_duration_seconds",
			Help:    "Redis command latency seen by the client, by role and command; a pipeline counts once as \"pipeline\", a transaction as \"multi\".",
			Buckets: redisDurationBuckets,
		}, []string{"role", "command"}),
		redisSlow: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "redis", Name: "slow_commands_total",
			Help: "Redis commands slower than REDIS_SLOW_OP_THRESHOLD, by role and command.",
		}, []string{"role", "command"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "redis", Name: "breaker_state",
			Help: "Circuit breaker state per Redis role: 0 closed, 1 half-open, 2 open.",
		}, []string{"role"}),
		sessionsCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "sessions", Name: "created_total",
			Help: "Login sessions created.",
		}),
		sessionsEvicted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "sessions", Name: "evicted_total",
			Help: "Sessions destroyed because a new login exceeded MAX_SESSIONS_PER_USER.",
		}),
		sessionsExpired: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "sessions", Name: "expired_pruned_total",
			Help: "Expired sessions found and removed from their user's index.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "rate_limited_total",
			Help: "Events refused by the rate limiter, by scope (login-ip, login-failed-*, register-ip, …).",
		}, []string{"scope"}),
		cacheAbsorbed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "cache_failures_absorbed_total",
			Help: "Cache failures the cached repositories absorbed (answered from, or left to, the database), by feature and operation.",
		}, []string{"feature", "operation"}),
	}
	m.dbWait, m.dbTimeouts = newDatabaseMetrics()
	m.sweeps, m.sweepPruned = newSweepMetrics()
	err := m.Register(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration,
		m.redisDuration, m.redisSlow, m.breakerState,
		m.sessionsCreated, m.sessionsEvicted, m.sessionsExpired, m.rateLimited, m.cacheAbsorbed,
		m.dbWait, m.dbTimeouts,
		m.sweeps, m.sweepPruned,
	)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Register adds collectors to the registry; it fails when one clashes with a metric
// already registered.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return fmt.Errorf("metrics: register: %w", err)
		}
	}
	return nil
}

// Gatherer returns the registry for reading, as the /metrics handler and tests do.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.registry }

// Handler serves the registry in the Prometheus exposition formats. Collection errors
// go to logger and the metrics that could be gathered are still served.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
	})
}

// BreakerState is a circuit breaker's state as the redis_breaker_state gauge reports it.
// The values are those of sony/gobreaker's State, so a breaker can convert its own.
type BreakerState int

// The breaker states.
const (
	BreakerClosed   BreakerState = 0
	BreakerHalfOpen BreakerState = 1
	BreakerOpen     BreakerState = 2
)

// SetBreakerState records the state of role's circuit breaker; call it on every
// transition (and once with the initial state).
func (m *Metrics) SetBreakerState(role string, state BreakerState) {
	m.breakerState.WithLabelValues(role).Set(float64(state))
}
