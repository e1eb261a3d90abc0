package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/studytool/studytool/cmd/internal/latencybench"
)

// result is one measured run of one target.
type result struct {
	target   string
	requests int
	errors   int
	elapsed  time.Duration
	p50, p99 time.Duration
	// sampleErr is one of the errors, for the report.
	sampleErr string
}

// rate is the run's successful requests per second.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// summarize sorts latencies and fills in the result's percentiles.
func summarize(target string, latencies []time.Duration, errors int, elapsed time.Duration) result {
	slices.Sort(latencies)
	return result{
		target: target, requests: len(latencies), errors: errors, elapsed: elapsed,
		p50: latencybench.Percentile(latencies, 0.50), p99: latencybench.Percentile(latencies, 0.99),
	}
}

// median returns the median of values (the lower middle of an even count); 0 for none.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	sort.Float64s(s)
	return s[(len(s)-1)/2]
}

// ms renders a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// renderTable writes the Markdown table of runs: one row per run and target with its
// req/s, p50 and p99 and its ratio to the reference of the same run, then one row per
// target with the medians over the runs. reference names the reference target; runs[i]
// holds run i's results, the reference among them.
func renderTable(runs [][]result, reference string) string {
	var b strings.Builder
	b.WriteString("| run | target | req/s | p50 ms | p99 ms | × 1-RTT reference | errors |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|\n")
	type agg struct {
		rates, ratios, p50s, p99s []float64
		errors                    int
	}
	var order []string
	aggs := map[string]*agg{}
	for i, run := range runs {
		var ref float64
		for _, r := range run {
			if r.target == reference {
				ref = r.rate()
			}
		}
		for _, r := range run {
			ratio := 0.0
			if ref > 0 {
				ratio = r.rate() / ref
			}
			fmt.Fprintf(&b, "| %d | %s | %.0f | %s | %s | %.2f | %d |\n",
				i+1, r.target, r.rate(), ms(r.p50), ms(r.p99), ratio, r.errors)
			a, ok := aggs[r.target]
			if !ok {
				a = &agg{}
				aggs[r.target] = a
				order = append(order, r.target)
			}
			a.rates = append(a.rates, r.rate())
			a.ratios = append(a.ratios, ratio)
			a.p50s = append(a.p50s, float64(r.p50)/float64(time.Millisecond))
			a.p99s = append(a.p99s, float64(r.p99)/float64(time.Millisecond))
			a.errors += r.errors
		}
	}
	for _, target := range order {
		a := aggs[target]
		fmt.Fprintf(&b, "| median | %s | %.0f | %.2f | %.2f | %.2f | %d |\n",
			target, median(a.rates), median(a.p50s), median(a.p99s), median(a.ratios), a.errors)
	}
	return b.String()
}
