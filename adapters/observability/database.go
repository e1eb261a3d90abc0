package observability

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/studytool/studytool/ports"
)

// dbWaitBuckets suit the wait for a pooled connection: none on a healthy service, up to
// the pool wait bound (DB_POOL_WAIT_TIMEOUT, a fraction of a second) when a budget is
// taken.
var dbWaitBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// routeKey carries the HTTP route template of a request in its context, for the
// metrics of the work the request causes.
type routeKey struct{}

// withRoute returns ctx carrying the route template route.
func withRoute(ctx context.Context, route string) context.Context {
	return context.WithValue(ctx, routeKey{}, route)
}

// routeOf returns the route template ctx carries, or "none" outside a request (an
// operator's command).
func routeOf(ctx context.Context) string {
	if route, ok := ctx.Value(routeKey{}).(string); ok {
		return route
	}
	return "none"
}

// newDatabaseMetrics returns the database families: the wait for a connection of each
// budget, and the operations that ran out of a bound by budget, bound and route.
func newDatabaseMetrics() (*prometheus.HistogramVec, *prometheus.CounterVec) {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "db", Name: "wait_seconds",
			Help:    "Time a database operation waited for a connection of its budget (study: progress and reviews; content: accounts, decks, cards).",
			Buckets: dbWaitBuckets,
		}, []string{"budget"}),
		prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "db", Name: "timeouts_total",
			Help: "Database operations that ran out of a bound and answered 503, by budget, bound (pool_wait, query_timeout) and HTTP route.",
		}, []string{"budget", "kind", "route"})
}

var _ ports.DatabaseObserver = (*Metrics)(nil)

// DatabasePoolWait observes studytool_db_wait_seconds{budget}.
func (m *Metrics) DatabasePoolWait(_ context.Context, budget string, waited time.Duration) {
	m.dbWait.WithLabelValues(budget).Observe(waited.Seconds())
}

// DatabaseTimeout counts studytool_db_timeouts_total{budget,kind,route}.
func (m *Metrics) DatabaseTimeout(ctx context.Context, budget string, kind ports.DatabaseTimeoutKind) {
	m.dbTimeouts.WithLabelValues(budget, string(kind), routeOf(ctx)).Inc()
}
