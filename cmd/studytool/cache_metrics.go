package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/studytool/studytool/bootstrap"
)

// The running service's cache counters, as its GET /metrics exposes them per feature.
const (
	metricCacheHits   = "studytool_cache_hits_total"
	metricCacheMisses = "studytool_cache_misses_total"
)

// scrapeTimeout bounds the scrape of the service's /metrics.
const scrapeTimeout = 3 * time.Second

// maxMetricsBytes bounds how much of a /metrics answer is read.
const maxMetricsBytes = 16 << 20

// counters are one feature's hit and miss counters in the running service.
type counters struct {
	Hits, Misses float64
}

// hitRate is Hits / (Hits + Misses), or nil before any read.
func (c counters) hitRate() *float64 {
	if c.Hits+c.Misses == 0 {
		return nil
	}
	r := c.Hits / (c.Hits + c.Misses)
	return &r
}

// metricsURL is the default of `cache stats --metrics-url`: GET /metrics on
// METRICS_ADDR, on the loopback interface when it listens on every interface. An
// address without a fixed port (:0) has no URL to give.
func metricsURL(cfg bootstrap.Config) (string, error) {
	host, port, err := net.SplitHostPort(cfg.HTTP.MetricsAddr)
	if err != nil {
		return "", fmt.Errorf("METRICS_ADDR %q: %w", cfg.HTTP.MetricsAddr, err)
	}
	if port == "0" || port == "" {
		return "", fmt.Errorf("METRICS_ADDR %q has no fixed port; give --metrics-url", cfg.HTTP.MetricsAddr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/metrics", nil
}

// scrapeCacheCounters reads the running service's cache hit and miss counters per
// feature from its Prometheus text exposition at url.
func scrapeCacheCounters(ctx context.Context, url string) (map[string]counters, error) {
	ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return parseCacheCounters(io.LimitReader(res.Body, maxMetricsBytes))
}

// parseCacheCounters reads studytool_cache_{hits,misses}_total{feature} from a
// Prometheus text exposition.
func parseCacheCounters(in io.Reader) (map[string]counters, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(in)
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	out := make(map[string]counters)
	for name, add := range map[string]func(*counters, float64){
		metricCacheHits:   func(c *counters, v float64) { c.Hits += v },
		metricCacheMisses: func(c *counters, v float64) { c.Misses += v },
	} {
		family, ok := families[name]
		if !ok {
			continue
		}
		for _, m := range family.GetMetric() {
			feature := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "feature" {
					feature = l.GetValue()
				}
			}
			c := out[feature]
			add(&c, m.GetCounter().GetValue()+m.GetUntyped().GetValue())
			out[feature] = c
		}
	}
	return out, nil
}
