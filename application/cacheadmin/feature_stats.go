package cacheadmin

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/studytool/studytool/ports"
)

// samplesPerFeature bounds how many keys of a feature the stats measure.
const samplesPerFeature = 200

// FeatureStats are one feature's figures in the cache store, over every version.
type FeatureStats struct {
	Feature string `json:"feature"`
	Keys    int64  `json:"keys"`
	// Sampled counts the keys measured; MemoryBytes extrapolates their mean to Keys.
	Sampled     int   `json:"sampled"`
	MemoryBytes int64 `json:"memoryBytes"`
	// TTLMin, TTLMedian and TTLMax spread the sampled keys' remaining TTLs; NoTTL counts
	// sampled keys without one.
	TTLMin    time.Duration `json:"-"`
	TTLMedian time.Duration `json:"-"`
	TTLMax    time.Duration `json:"-"`
	NoTTL     int           `json:"noTtl"`
}

// FeatureStatsHandler measures the cache store per feature: the operators' `cache
// stats`. Keys of features this release does not know are counted under "(unknown)".
type FeatureStatsHandler struct {
	scanner ports.CacheScanner
	known   map[string]int
}

// NewFeatureStatsHandler builds the handler; known maps this release's features to
// their schema versions (cached.Schemas).
func NewFeatureStatsHandler(scanner ports.CacheScanner, known map[string]int) *FeatureStatsHandler {
	return &FeatureStatsHandler{scanner: scanner, known: known}
}

// unknownFeature labels keys that are no entry of a known feature.
const unknownFeature = "(unknown)"

// Handle walks the cache namespace once, counts each feature's keys, and samples up to
// samplesPerFeature of them for memory and TTL. step, when not nil, is called after each
// page with the keys scanned so far. Features come sorted by name.
func (h *FeatureStatsHandler) Handle(ctx context.Context, step func(scanned int64)) ([]FeatureStats, error) {
	counts := make(map[string]int64)
	samples := make(map[string][]string)
	var scanned int64
	err := h.scanner.ScanKeys(ctx, "*", func(keys []string) error {
		for _, k := range keys {
			feature, _, ok := parseCacheKey(h.known, k)
			if !ok {
				feature = unknownFeature
			}
			counts[feature]++
			if len(samples[feature]) < samplesPerFeature {
				samples[feature] = append(samples[feature], k)
			}
		}
		scanned += int64(len(keys))
		if step != nil {
			step(scanned)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cache stats: %w", err)
	}
	out := make([]FeatureStats, 0, len(counts))
	for _, feature := range slices.Sorted(maps.Keys(counts)) {
		measured, err := h.scanner.SampleKeys(ctx, samples[feature])
		if err != nil {
			return nil, fmt.Errorf("cache stats: %w", err)
		}
		out = append(out, summarize(feature, counts[feature], measured))
	}
	return out, nil
}

// summarize extrapolates memory from measured keys and spreads their TTLs.
func summarize(feature string, keys int64, measured []ports.CacheKeySample) FeatureStats {
	st := FeatureStats{Feature: feature, Keys: keys, Sampled: len(measured)}
	if len(measured) == 0 {
		return st
	}
	var bytes int64
	var ttls []time.Duration
	for _, m := range measured {
		bytes += m.Bytes
		if m.TTL < 0 {
			st.NoTTL++
			continue
		}
		ttls = append(ttls, m.TTL)
	}
	st.MemoryBytes = bytes * keys / int64(len(measured))
	if len(ttls) > 0 {
		slices.Sort(ttls)
		st.TTLMin, st.TTLMedian, st.TTLMax = ttls[0], ttls[len(ttls)/2], ttls[len(ttls)-1]
	}
	return st
}
