package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarizeSortsAndCounts(t *testing.T) {
	t.Parallel()
	r := summarize("x", []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, 1, 2*time.Second)
	assert.Equal(t, 3, r.requests)
	assert.Equal(t, 1, r.errors)
	assert.Equal(t, 2*time.Millisecond, r.p50)
	assert.Equal(t, 3*time.Millisecond, r.p99)
	assert.InDelta(t, 1.5, r.rate(), 1e-9)
}

func TestMedian(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 2.0, median([]float64{3, 1, 2}), 0)
	assert.InDelta(t, 2.0, median([]float64{4, 1, 2, 3}), 0, "the lower middle of an even count")
	assert.Zero(t, median(nil))
}

func TestRenderTable(t *testing.T) {
	t.Parallel()
	run := func(ref, me int) []result {
		return []result{
			{target: "ref", requests: ref, elapsed: time.Second, p50: time.Millisecond, p99: 5 * time.Millisecond},
			{target: "me", requests: me, errors: 1, elapsed: time.Second, p50: 2 * time.Millisecond, p99: 10 * time.Millisecond},
		}
	}
	table := renderTable([][]result{run(1000, 500), run(2000, 500), run(1000, 1000)}, "ref")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	require.Len(t, lines, 2+3*2+2, table)
	assert.Equal(t, "| run | target | req/s | p50 ms | p99 ms | × 1-RTT reference | errors |", lines[0])
	assert.Equal(t, "| 1 | ref | 1000 | 1.00 | 5.00 | 1.00 | 0 |", lines[2])
	assert.Equal(t, "| 1 | me | 500 | 2.00 | 10.00 | 0.50 | 1 |", lines[3])
	assert.Equal(t, "| 2 | me | 500 | 2.00 | 10.00 | 0.25 | 1 |", lines[5], "the ratio is to the reference of the same run")
	assert.Equal(t, "| median | ref | 1000 | 1.00 | 5.00 | 1.00 | 0 |", lines[8])
	assert.Equal(t, "| median | me | 500 | 2.00 | 10.00 | 0.50 | 3 |", lines[9], "medians per column; errors summed")
}

func TestServiceEnvPassesTheCallersEnvironmentThrough(t *testing.T) {
	t.Parallel()
	o := options{redisURL: "redis://r/14", databaseURL: "postgres://p/db", keyPrefix: "loadbench:1:"}
	env := serviceEnv([]string{"LOCAL_CACHE=off", "HTTP_ADDR=:9999", "REDIS_URL=redis://other/0"}, o, "127.0.0.1:1", "127.0.0.1:2")
	assert.Contains(t, env, "LOCAL_CACHE=off")
	assert.Contains(t, env, "APP_ENV=development")
	assert.Contains(t, env, "HTTP_ADDR=127.0.0.1:1")
	assert.Contains(t, env, "REDIS_URL=redis://r/14", "the harness's resolved URL wins")
	assert.Contains(t, env, "REDIS_KEY_PREFIX=loadbench:1:")
	assert.NotContains(t, env, "HTTP_ADDR=:9999")

	env = serviceEnv([]string{"APP_ENV=production"}, o, "a", "b")
	assert.Contains(t, env, "APP_ENV=production")
	assert.NotContains(t, env, "APP_ENV=development")
}
