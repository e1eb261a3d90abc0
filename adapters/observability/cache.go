package observability

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/studytool/studytool/ports"
)

// CacheStatsSource returns a snapshot of the cache layer's counters (ports.CacheLayer's
// Stats), read at scrape time.
type CacheStatsSource func() ports.CacheStats

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
	for feature, s := range c.source().Features {
		for d, v := range map[*prometheus.Desc]int64{
			c.hits: s.Hits, c.misses: s.Misses, c.errors: s.Errors,
			c.staleServes: s.StaleServes, c.loads: s.Loads,
		} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), feature)
		}
	}
}

var _ ports.CacheObserver = (*Metrics)(nil)

// CacheFailureAbsorbed counts one failure a cached repository absorbed, as
// studytool_cache_failures_absorbed_total{feature,operation}.
func (m *Metrics) CacheFailureAbsorbed(feature, operation string) {
	m.cacheAbsorbed.WithLabelValues(feature, operation).Inc()
}
