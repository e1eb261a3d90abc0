package observability_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/test/testenv"
)

func TestPoolCollectorReportsEachRole_Redis(t *testing.T) {
	t.Parallel()
	cache, _ := testenv.Redis(t)
	state, _ := testenv.Redis(t)
	m := newMetrics(t)
	require.NoError(t, m.Register(observability.NewPoolCollector(
		observability.RedisClient{Role: observability.RoleCache, Client: cache},
		observability.RedisClient{Role: observability.RoleState, Client: state},
	)))
	for range 3 {
		require.NoError(t, cache.Ping(t.Context()).Err())
	}

	families := gather(t, m)
	for _, role := range []string{"cache", "state"} {
		stats := cache.PoolStats()
		if role == "state" {
			stats = state.PoolStats()
		}
		labels := map[string]string{"role": role}
		assert.InDelta(t, float64(stats.Hits), value(series(families, "studytool_redis_pool_hits_total", labels)), 0, role)
		assert.InDelta(t, float64(stats.Misses), value(series(families, "studytool_redis_pool_misses_total", labels)), 0, role)
		assert.NotNil(t, series(families, "studytool_redis_pool_timeouts_total", labels), role)
		assert.NotNil(t, series(families, "studytool_redis_pool_stale_connections_total", labels), role)
		total := series(families, "studytool_redis_pool_connections", map[string]string{"role": role, "state": "total"})
		assert.GreaterOrEqual(t, value(total), 1.0, "%s: the connection testenv opened is in the pool", role)
		assert.NotNil(t, series(families, "studytool_redis_pool_connections", map[string]string{"role": role, "state": "idle"}), role)
	}
	assert.Positive(t, value(series(families, "studytool_redis_pool_hits_total", map[string]string{"role": "cache"})),
		"three pings reuse the pooled connection")
}

func TestInfoPollerReadsMemoryAndEvictions_Redis(t *testing.T) {
	t.Parallel()
	client, _ := testenv.Redis(t)
	m := newMetrics(t)
	poller, err := observability.NewInfoPoller(m, observability.InfoPollerConfig{},
		observability.RedisClient{Role: observability.RoleShared, Client: client})
	require.NoError(t, err)

	assert.NotContains(t, gather(t, m), "studytool_redis_up", "nothing is reported before the first poll")
	poller.Poll(t.Context())

	info, err := client.Info(t.Context(), "memory").Result()
	require.NoError(t, err)
	families := gather(t, m)
	labels := map[string]string{"role": "shared"}
	assert.InDelta(t, 1, value(series(families, "studytool_redis_up", labels)), 0)
	assert.Positive(t, value(series(families, "studytool_redis_memory_used_bytes", labels)))
	assert.InDelta(t, infoField(t, info, "maxmemory"), value(series(families, "studytool_redis_memory_max_bytes", labels)), 0)
	evicted := series(families, "studytool_redis_evicted_keys_total", labels)
	require.NotNil(t, evicted)
	assert.NotNil(t, evicted.GetCounter(), "evicted keys is a counter")
}

// infoField reads a numeric field from an INFO reply.
func infoField(t *testing.T, info, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

func TestInfoPollerReportsAnUnreachableServerDown(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t)), MaxRetries: -1, DialTimeout: time.Second,
	})
	t.Cleanup(func() { _ = client.Close() })
	m := newMetrics(t)
	logs := &logBuffer{}
	poller, err := observability.NewInfoPoller(m, observability.InfoPollerConfig{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	}, observability.RedisClient{Role: observability.RoleState, Client: client})
	require.NoError(t, err)

	poller.Poll(t.Context())
	poller.Poll(t.Context())

	assert.InDelta(t, 0, value(series(gather(t, m), "studytool_redis_up", map[string]string{"role": "state"})), 0)
	assert.Len(t, logs.lines(), 1, "a failure streak is logged once: %s", logs.String())
	assert.Contains(t, logs.String(), `"role":"state"`)
}

func TestInfoPollerStartsAndStopsItsGoroutine_Redis(t *testing.T) {
	t.Parallel()
	client, _ := testenv.Redis(t)
	m := newMetrics(t)
	poller, err := observability.NewInfoPoller(m, observability.InfoPollerConfig{Interval: time.Hour},
		observability.RedisClient{Role: observability.RoleCache, Client: client})
	require.NoError(t, err)

	poller.Start(t.Context())
	poller.Start(t.Context()) // a second Start is a no-op, not a second goroutine
	require.Eventually(t, func() bool {
		_, ok := gather(t, m)["studytool_redis_up"]
		return ok
	}, 10*time.Second, 10*time.Millisecond, "Start polls at once")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, poller.Stop(ctx))
	require.NoError(t, poller.Stop(ctx), "Stop is idempotent")
	poller.Start(t.Context()) // after Stop, Start does nothing; goleak in TestMain checks no goroutine is left
}
