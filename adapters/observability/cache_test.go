package observability_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/ports"
)

func TestCacheCollectorReadsTheSourceAtScrapeTime(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	var snapshot map[string]ports.CacheFeatureStats
	require.NoError(t, m.Register(observability.NewCacheCollector(
		func() ports.CacheStats { return ports.CacheStats{Features: snapshot} })))
	assert.NotContains(t, gather(t, m), "studytool_cache_hits_total", "no feature, no series")

	snapshot = map[string]ports.CacheFeatureStats{
		"user:profile": {Hits: 9, Misses: 3, Errors: 1, StaleServes: 2, Loads: 4},
		"deck":         {Hits: 5},
	}
	families := gather(t, m)
	want := map[string]map[string]float64{
		"studytool_cache_hits_total":         {"user:profile": 9, "deck": 5},
		"studytool_cache_misses_total":       {"user:profile": 3, "deck": 0},
		"studytool_cache_errors_total":       {"user:profile": 1, "deck": 0},
		"studytool_cache_stale_serves_total": {"user:profile": 2, "deck": 0},
		"studytool_cache_loads_total":        {"user:profile": 4, "deck": 0},
	}
	for name, byFeature := range want {
		require.Contains(t, families, name)
		assert.Len(t, families[name].GetMetric(), len(byFeature), name)
		for feature, v := range byFeature {
			m := series(families, name, map[string]string{"feature": feature})
			require.NotNil(t, m, "%s{feature=%q}", name, feature)
			require.NotNil(t, m.GetCounter(), "%s is a counter", name)
			assert.InDelta(t, v, value(m), 0, "%s{feature=%q}", name, feature)
		}
	}
}

func TestCacheFailuresAbsorbedAreCountedByFeatureAndOperation(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	m.CacheFailureAbsorbed("progress", "read")
	m.CacheFailureAbsorbed("progress", "read")
	m.CacheFailureAbsorbed("user:profile", "invalidate")
	families := gather(t, m)
	const name = "studytool_cache_failures_absorbed_total"
	require.Contains(t, families, name)
	for labels, want := range map[[2]string]float64{{"progress", "read"}: 2, {"user:profile", "invalidate"}: 1} {
		s := series(families, name, map[string]string{"feature": labels[0], "operation": labels[1]})
		require.NotNil(t, s, "%v", labels)
		require.NotNil(t, s.GetCounter(), "a counter")
		assert.InDelta(t, want, value(s), 0, "%v", labels)
	}
}
