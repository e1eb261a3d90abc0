package observability

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/studytool/studytool/adapters/shared/localtier"
)

// LocalTierCollector exports the counters and size of local tiers (see
// localtier.Tier), labelled by tier name, read when scraped.
type LocalTierCollector struct {
	tiers []*localtier.Tier

	hits, misses, bypasses, evictions, invalidations, flushes *prometheus.Desc
	entries, bytes, up                                        *prometheus.Desc
}

// NewLocalTierCollector returns a collector over tiers.
func NewLocalTierCollector(tiers ...*localtier.Tier) *LocalTierCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "local_cache", name), help, []string{"tier"}, nil)
	}
	return &LocalTierCollector{
		tiers:         tiers,
		hits:          desc("hits_total", "Reads the local tier answered without a round trip to Redis."),
		misses:        desc("misses_total", "Reads the local tier, while in use, passed on to Redis."),
		bypasses:      desc("bypasses_total", "Reads passed on to Redis because the tier's invalidation channel was down."),
		evictions:     desc("evictions_total", "Entries dropped to stay within LOCAL_CACHE_MAX_ENTRIES and LOCAL_CACHE_MAX_BYTES."),
		invalidations: desc("invalidations_total", "Entries dropped because Redis reported their key changed, or a write of this replica did."),
		flushes:       desc("flushes_total", "Times the whole tier was emptied: its invalidation channel went down, or Redis was flushed."),
		entries:       desc("entries", "Entries the local tier holds."),
		bytes:         desc("bytes", "Estimated memory of the local tier's entries."),
		up:            desc("up", "1 while the tier's invalidation channel is up and the tier is in use, else 0."),
	}
}

// Describe implements prometheus.Collector.
func (c *LocalTierCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.bypasses, c.evictions, c.invalidations, c.flushes, c.entries, c.bytes, c.up} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *LocalTierCollector) Collect(ch chan<- prometheus.Metric) {
	for _, t := range c.tiers {
		s, name := t.Stats(), t.Name()
		counter := func(d *prometheus.Desc, v int64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), name)
		}
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		counter(c.hits, s.Hits)
		counter(c.misses, s.Misses)
		counter(c.bypasses, s.Bypasses)
		counter(c.evictions, s.Evictions)
		counter(c.invalidations, s.Invalidations)
		counter(c.flushes, s.Flushes)
		gauge(c.entries, float64(s.Entries))
		gauge(c.bytes, float64(s.Bytes))
		up := 0.0
		if s.Up {
			up = 1
		}
		gauge(c.up, up)
	}
}
