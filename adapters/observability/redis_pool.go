package observability

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// RedisClient is one Redis connection to observe, under its role label.
type RedisClient struct {
	// Role is RoleCache, RoleState or RoleShared.
	Role   string
	Client redis.UniversalClient
}

// poolCollector reads the connection pool statistics of each client at scrape time. A
// client's separate pipeline pool, when it has one, is added in.
type poolCollector struct {
	clients                        []RedisClient
	hits, misses, timeouts, stales *prometheus.Desc
	conns                          *prometheus.Desc
}

// NewPoolCollector returns a collector of the pool statistics of clients.
func NewPoolCollector(clients ...RedisClient) prometheus.Collector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "redis_pool", name), help,
			append([]string{"role"}, labels...), nil)
	}
	return &poolCollector{
		clients:  clients,
		hits:     desc("hits_total", "Times a free connection was found in the Redis pool."),
		misses:   desc("misses_total", "Times no free connection was found in the Redis pool and one had to be dialed or waited for."),
		timeouts: desc("timeouts_total", "Times waiting for a Redis pool connection timed out."),
		stales:   desc("stale_connections_total", "Stale connections removed from the Redis pool."),
		conns:    desc("connections", "Connections in the Redis pool, by state (total, idle).", "state"),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.timeouts, c.stales, c.conns} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, rc := range c.clients {
		s := poolTotals(rc.Client.PoolStats())
		counter := func(d *prometheus.Desc, v uint32) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), rc.Role)
		}
		counter(c.hits, s.Hits)
		counter(c.misses, s.Misses)
		counter(c.timeouts, s.Timeouts)
		counter(c.stales, s.StaleConns)
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.TotalConns), rc.Role, "total")
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.IdleConns), rc.Role, "idle")
	}
}

// poolTotals adds a pipeline pool's figures to the command pool's.
func poolTotals(s *redis.PoolStats) redis.PoolStats {
	if s == nil {
		return redis.PoolStats{}
	}
	out := *s
	if p := s.PipelineStats; p != nil {
		out.Hits += p.Hits
		out.Misses += p.Misses
		out.Timeouts += p.Timeouts
		out.StaleConns += p.StaleConns
		out.TotalConns += p.TotalConns
		out.IdleConns += p.IdleConns
	}
	return out
}
