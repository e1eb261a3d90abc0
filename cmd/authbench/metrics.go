package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Hashing counters of the child's /metrics that the report shows.
const (
	metricHashes = "studytool_password_hashes_total"
	metricBusy   = "studytool_password_hash_busy_total"
)

// scrapeMetrics GETs the Prometheus endpoint at url and returns the values of names.
func scrapeMetrics(ctx context.Context, client *http.Client, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: status %d", url, res.StatusCode)
	}
	return parseMetrics(res.Body, names...)
}

// parseMetrics reads the Prometheus text format and returns the values of the unlabelled
// samples named; each must be present.
func parseMetrics(r io.Reader, names ...string) (map[string]float64, error) {
	values := make(map[string]float64, len(names))
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !slices.Contains(names, fields[0]) {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: %s: %w", fields[0], err)
		}
		values[fields[0]] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	for _, name := range names {
		if _, ok := values[name]; !ok {
			return nil, fmt.Errorf("metrics: %s missing", name)
		}
	}
	return values, nil
}
