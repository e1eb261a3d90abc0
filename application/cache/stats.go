package cache

import (
	"sync"
	"sync/atomic"

	"github.com/studytool/studytool/ports"
)

// Stats returns a snapshot of the counters. HitRate is hits / (hits + misses), 0 before
// any read.
func (c *Cache) Stats() ports.CacheStats {
	out := ports.CacheStats{Features: map[string]ports.CacheFeatureStats{}}
	c.stats.mu.RLock()
	defer c.stats.mu.RUnlock()
	for name, fc := range c.stats.features {
		s := fc.snapshot()
		out.Features[name] = s
		out.Hits += s.Hits
		out.Misses += s.Misses
		out.Errors += s.Errors
	}
	if reads := out.Hits + out.Misses; reads > 0 {
		out.HitRate = float64(out.Hits) / float64(reads)
	}
	return out
}

// statsRegistry holds one featureCounters per feature seen.
type statsRegistry struct {
	mu       sync.RWMutex
	features map[string]*featureCounters
}

type featureCounters struct {
	hits, misses, errors, staleServes, loads, corrupt atomic.Int64
}

// of returns the counters of feature, creating them on first use.
func (r *statsRegistry) of(feature string) *featureCounters {
	r.mu.RLock()
	fc, ok := r.features[feature]
	r.mu.RUnlock()
	if ok {
		return fc
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if fc, ok := r.features[feature]; ok {
		return fc
	}
	if r.features == nil {
		r.features = make(map[string]*featureCounters)
	}
	fc = &featureCounters{}
	r.features[feature] = fc
	return fc
}

func (fc *featureCounters) snapshot() ports.CacheFeatureStats {
	return ports.CacheFeatureStats{
		Hits:        fc.hits.Load(),
		Misses:      fc.misses.Load(),
		Errors:      fc.errors.Load(),
		StaleServes: fc.staleServes.Load(),
		Loads:       fc.loads.Load(),
		Corrupt:     fc.corrupt.Load(),
	}
}
