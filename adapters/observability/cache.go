package observability

import (
	"github.com/prometheus/client_golang/prometheus"
)

// CacheFeatureStats are one cache feature's counters since the process started.
type CacheFeatureStats struct {
	Hits, Misses, Errors, StaleServes, Loads int64
}

// CacheStatsSource returns a snapshot of the cache layer's counters by feature
// (`user:profile`). Bootstrap adapts the cache layer's Stats to it, so this adapter needs
// no import of the application and the application no import of Prometheus.
type CacheStatsSource func() map[string]CacheFeatureStats

// cacheCollector reads a CacheStatsSource at scrape time.
type cacheCollector struct {
	source                                   CacheStatsSource
	hits, misses, errors, staleServes, loads *prometheus.Desc
}

// NewCacheCollector returns a collector of source's counters as
// studytool_cache_{hits,misses,errors,stale_serves,loads}_total{feature}.
func NewCacheCollector(source CacheStatsSource) prometheus.Collector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "cache", name), help, []string{"feature"}, nil)
	}
	return &cacheCollector{
		source:      source,
		hits:        desc("hits_total", "Cache reads answered from the cache, by feature."),
		misses:      desc("misses_total", "Cache reads that found no usable entry, by feature."),
		errors:      desc("errors_total", "Cache store failures and unusable keys, by feature; none failed a caller."),
		staleServes: desc("stale_serves_total", "Cache hits served while the entry was recomputed early (XFetch), by feature."),
		loads:       desc("loads_total", "Loader calls made by the cache, by feature."),
	}
}

// Describe implements prometheus.Collector.
func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.errors, c.staleServes, c.loads} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for feature, s := range c.source() {
		for d, v := range map[*prometheus.Desc]int64{
			c.hits: s.Hits, c.misses: s.Misses, c.errors: s.Errors,
			c.staleServes: s.StaleServes, c.loads: s.Loads,
		} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), feature)
		}
	}
}

// NewProgressCacheCollectors expose the progress cache's failures, which the use-cases
// count without failing a request: reads that fell back to the database and
// write-throughs after a committed review that did not reach the cache, as
// studytool_progress_cache_failures_total{operation="read"|"write_through"}.
func NewProgressCacheCollectors(reads, writeThroughs func() uint64) []prometheus.Collector {
	counter := func(operation string, source func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace:   namespace,
			Subsystem:   "progress_cache",
			Name:        "failures_total",
			Help:        "Progress cache operations that failed and were absorbed (served from the database, or left for the TTL), by operation.",
			ConstLabels: prometheus.Labels{"operation": operation},
		}, func() float64 { return float64(source()) })
	}
	return []prometheus.Collector{counter("read", reads), counter("write_through", writeThroughs)}
}
