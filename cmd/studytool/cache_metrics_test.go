package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/bootstrap"
)

// cannedMetrics is a service's /metrics as client_golang writes it: the cache counters
// of two features, one of which has no keys in the store, among other families.
const cannedMetrics = `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
# HELP studytool_cache_hits_total Cache reads answered from the cache, by feature.
# TYPE studytool_cache_hits_total counter
studytool_cache_hits_total{feature="user:profile"} 30
studytool_cache_hits_total{feature="org"} 0
# HELP studytool_cache_misses_total Cache reads that found no usable entry, by feature.
# TYPE studytool_cache_misses_total counter
studytool_cache_misses_total{feature="user:profile"} 10
studytool_cache_misses_total{feature="org"} 0
# HELP studytool_cache_loads_total Loader calls made by the cache, by feature.
# TYPE studytool_cache_loads_total counter
studytool_cache_loads_total{feature="user:profile"} 10
`

// cannedStats are the key figures the scan found.
var cannedStats = []cacheadmin.FeatureStats{
	{Feature: "(unknown)", Keys: 1, Sampled: 1, MemoryBytes: 80},
	{Feature: "user:profile", Keys: 3, Sampled: 3, MemoryBytes: 600, TTLMin: time.Minute, TTLMedian: 2 * time.Minute, TTLMax: 3 * time.Minute},
}

// TestCacheStatsWithTheServiceCounters: the counters scraped from a service's /metrics
// join the key figures per feature, in the table and in --json; a feature the service
// counted without keys in the store gets a row; a feature never read has no hit rate.
func TestCacheStatsWithTheServiceCounters(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write([]byte(cannedMetrics))
	}))
	t.Cleanup(srv.Close)

	features, err := scrapeCacheCounters(t.Context(), srv.URL+"/metrics")
	require.NoError(t, err)
	assert.Equal(t, map[string]counters{"user:profile": {Hits: 30, Misses: 10}, "org": {}}, features)
	service := serviceCounters{URL: srv.URL + "/metrics", Features: features}

	var table bytes.Buffer
	require.NoError(t, printFeatureStats(&table, cannedStats, service, false))
	lines := strings.Split(strings.TrimSpace(table.String()), "\n")
	require.Len(t, lines, 5, table.String())
	assert.Regexp(t, `^\(unknown\) +keys=1 .* hits=0 misses=0 hit-rate=-$`, lines[0])
	assert.Regexp(t, `^org +keys=0 memory~0B \(sampled 0\) ttl - no-ttl=0 hits=0 misses=0 hit-rate=-$`, lines[1], "no TTL spread without a sampled key")
	assert.Regexp(t, `^user:profile +keys=3 memory~600B .*ttl min=1m0s .* hits=30 misses=10 hit-rate=75.0%$`, lines[2])
	assert.Equal(t, "3 features", lines[3])
	assert.Equal(t, "hits and misses: the service at "+srv.URL+"/metrics, since it started", lines[4])

	var out bytes.Buffer
	require.NoError(t, printFeatureStats(&out, cannedStats, service, true))
	var got struct {
		Features []struct {
			Feature               string
			Keys                  int64
			TTLMaxSeconds         float64
			Hits, Misses, HitRate *float64
		}
		Service struct {
			MetricsURL string
			Reachable  bool
			Error      string
		}
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
	require.Len(t, got.Features, 3)
	profile := got.Features[2]
	assert.Equal(t, "user:profile", profile.Feature)
	assert.InDelta(t, 180.0, profile.TTLMaxSeconds, 1e-9)
	require.NotNil(t, profile.Hits)
	require.NotNil(t, profile.HitRate)
	assert.InDelta(t, 30.0, *profile.Hits, 1e-9)
	assert.InDelta(t, 10.0, *profile.Misses, 1e-9)
	assert.InDelta(t, 0.75, *profile.HitRate, 1e-9)
	assert.Nil(t, got.Features[1].HitRate, "org was never read")
	assert.True(t, got.Service.Reachable)
	assert.Empty(t, got.Service.Error)
}

// TestCacheStatsWithoutTheService: a service that does not answer leaves the counters
// out with a note; the key figures are printed all the same.
func TestCacheStatsWithoutTheService(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/metrics"
	srv.Close() // nothing listens there any more

	_, err := scrapeCacheCounters(t.Context(), url)
	require.Error(t, err)
	service := serviceCounters{URL: url, Error: err.Error()}

	var table bytes.Buffer
	require.NoError(t, printFeatureStats(&table, cannedStats, service, false))
	assert.Contains(t, table.String(), "user:profile   keys=3 ")
	assert.NotContains(t, table.String(), "hits=")
	assert.Contains(t, table.String(), "service not reachable at "+url+": hit/miss counters omitted (")

	var out bytes.Buffer
	require.NoError(t, printFeatureStats(&out, cannedStats, service, true))
	assert.NotContains(t, out.String(), `"hits"`)
	assert.Contains(t, out.String(), `"service":{"metricsUrl":"`+url+`","reachable":false,"error":"`)

	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	_, err = scrapeCacheCounters(t.Context(), notFound.URL+"/metrics")
	assert.ErrorContains(t, err, "404")
}

// TestMetricsURLFollowsMetricsAddr: the default scrape address is METRICS_ADDR's, on the
// loopback interface when it listens on every one; a port chosen at start has none.
func TestMetricsURLFollowsMetricsAddr(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"127.0.0.1:9091": "http://127.0.0.1:9091/metrics",
		":9091":          "http://127.0.0.1:9091/metrics",
		"0.0.0.0:9100":   "http://127.0.0.1:9100/metrics",
		"[::1]:9091":     "http://[::1]:9091/metrics",
		"metrics:9091":   "http://metrics:9091/metrics",
	} {
		var cfg bootstrap.Config
		cfg.HTTP.MetricsAddr = addr
		got, err := metricsURL(cfg)
		require.NoError(t, err, addr)
		assert.Equal(t, want, got, addr)
	}
	var cfg bootstrap.Config
	cfg.HTTP.MetricsAddr = "127.0.0.1:0"
	_, err := metricsURL(cfg)
	assert.ErrorContains(t, err, "no fixed port")
}
