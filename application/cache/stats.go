package cache

import (
	"sync"
	"sync/atomic"
)

// FeatureStats counts what the cache did for one feature since the process started.
type FeatureStats struct {
	// Hits are reads answered from the cache (store or request cache), tombstones
	// included.
	Hits int64 `json:"hits"`
	// Misses are reads that found no usable entry (absent, expired or corrupt).
	Misses int64 `json:"misses"`
	// Errors are store failures (read, write, generation) and unusable keys; none of
	// them failed a caller.
	Errors int64 `json:"errors"`
	// StaleServes are hits served while XFetch had the entry recomputed early.
	StaleServes int64 `json:"staleServes"`
	// Loads are loader calls (misses after merging, early refreshes, bypasses).
	Loads int64 `json:"loads"`
	// Corrupt are entries the codec could not read (foreign or damaged), counted as
	// misses too.
	Corrupt int64 `json:"corrupt"`
}

// Stats is a snapshot of the cache's counters, in total and per feature.
type Stats struct {
	Hits    int64   `json:"hits"`
	Misses  int64   `json:"misses"`
	Errors  int64   `json:"errors"`
	HitRate float64 `json:"hitRate"`
	// Features maps a feature (`user:profile`) to its counters.
	Features map[string]FeatureStats `json:"features"`
}

// Stats returns a snapshot of the counters. HitRate is hits / (hits + misses), 0 before
// any read.
func (c *Cache) Stats() Stats {
	out := Stats{Features: map[string]FeatureStats{}}
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

func (fc *featureCounters) snapshot() FeatureStats {
	return FeatureStats{
		Hits:        fc.hits.Load(),
		Misses:      fc.misses.Load(),
		Errors:      fc.errors.Load(),
		StaleServes: fc.staleServes.Load(),
		Loads:       fc.loads.Load(),
		Corrupt:     fc.corrupt.Load(),
	}
}
