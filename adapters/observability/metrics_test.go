package observability_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/testenv"
)

// everyFamily lists the families /metrics must expose once the service has seen
// traffic.
var everyFamily = []string{
	"studytool_http_requests_total",
	"studytool_http_request_duration_seconds",
	"studytool_redis_command_duration_seconds",
	"studytool_redis_slow_commands_total",
	"studytool_redis_pool_hits_total",
	"studytool_redis_pool_misses_total",
	"studytool_redis_pool_timeouts_total",
	"studytool_redis_pool_connections",
	"studytool_redis_pool_stale_connections_total",
	"studytool_redis_breaker_state",
	"studytool_redis_up",
	"studytool_redis_memory_used_bytes",
	"studytool_redis_memory_max_bytes",
	"studytool_redis_evicted_keys_total",
	"studytool_cache_hits_total",
	"studytool_cache_misses_total",
	"studytool_cache_errors_total",
	"studytool_cache_stale_serves_total",
	"studytool_cache_loads_total",
	"studytool_sessions_created_total",
	"studytool_sessions_evicted_total",
	"studytool_sessions_expired_pruned_total",
	"studytool_rate_limited_total",
	"go_goroutines",
	"process_cpu_seconds_total",
}

func TestMetricsEndpointExposesEveryFamilyAfterTraffic_Redis(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	logger := slog.New(slog.DiscardHandler)

	// Redis: a real client with the hook, its pool and its INFO figures.
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	client.AddHook(observability.NewRedisHook(m, observability.RedisHookConfig{
		Role: observability.RoleCache, Keyspace: ks, SlowThreshold: time.Nanosecond, Logger: logger,
	}))
	redisClients := []observability.RedisClient{{Role: observability.RoleCache, Client: client}}
	require.NoError(t, m.Register(observability.NewPoolCollector(redisClients...)))
	poller, err := observability.NewInfoPoller(m, observability.InfoPollerConfig{Logger: logger}, redisClients...)
	require.NoError(t, err)
	key, err := ks.Cache("deck:v1:g0:d1")
	require.NoError(t, err)
	require.NoError(t, client.Set(t.Context(), key, "x", time.Minute).Err())
	_, err = client.Get(t.Context(), key).Result()
	require.NoError(t, err)
	poller.Poll(t.Context())

	// The cache layer, the breaker and the session stores report through their seams.
	require.NoError(t, m.Register(observability.NewCacheCollector(func() ports.CacheStats {
		return ports.CacheStats{Features: map[string]ports.CacheFeatureStats{"deck": {Hits: 3, Misses: 1}}}
	})))
	m.SetBreakerState(observability.RoleCache, observability.BreakerClosed)
	m.SessionCreated(1)
	m.SessionsExpired(2)
	limiter := mocks.NewRateLimiter(t)
	limiter.EXPECT().Allow(t.Context(), "login-ip:203.0.113.9", ports.PerMinute(1)).
		Return(ports.RateResult{Allowed: false, RetryAfter: time.Second}, nil)
	_, err = observability.CountRateLimits(limiter, m).Allow(t.Context(), "login-ip:203.0.113.9", ports.PerMinute(1))
	require.NoError(t, err)

	// HTTP: a router with the middleware and a parameterised route.
	router := gin.New()
	router.Use(m.HTTPMiddleware())
	router.GET("/v1/decks/:deckId", func(c *gin.Context) { c.Status(http.StatusOK) })
	for _, path := range []string{"/v1/decks/d-1", "/v1/decks/d-2", "/nowhere/secret-id"} {
		router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	families, body := scrape(t, m.Handler(logger))
	for _, name := range everyFamily {
		assert.Contains(t, families, name)
	}
	requests := series(families, "studytool_http_requests_total",
		map[string]string{"route": "/v1/decks/:deckId", "method": "GET", "status": "200"})
	require.NotNil(t, requests, "requests are labelled by route template")
	assert.InDelta(t, 2, value(requests), 0)
	assert.NotNil(t, series(families, "studytool_http_requests_total",
		map[string]string{"route": "unmatched", "status": "404"}))
	assert.NotContains(t, body, "d-1", "raw paths never become labels")
	assert.NotContains(t, body, "secret-id", "raw paths never become labels")

	set := series(families, "studytool_redis_command_duration_seconds", map[string]string{"role": "cache", "command": "set"})
	require.NotNil(t, set)
	assert.Equal(t, uint64(1), set.GetHistogram().GetSampleCount())
	assert.NotNil(t, series(families, "studytool_redis_slow_commands_total", map[string]string{"role": "cache", "command": "get"}))
	assert.InDelta(t, 1, value(series(families, "studytool_redis_up", map[string]string{"role": "cache"})), 0)
	assert.InDelta(t, 3, value(series(families, "studytool_cache_hits_total", map[string]string{"feature": "deck"})), 0)
	assert.InDelta(t, 1, value(series(families, "studytool_sessions_evicted_total", nil)), 0)
	assert.InDelta(t, 2, value(series(families, "studytool_sessions_expired_pruned_total", nil)), 0)
	assert.InDelta(t, 1, value(series(families, "studytool_rate_limited_total", map[string]string{"scope": "login-ip"})), 0)
	assert.NotContains(t, body, "203.0.113.9", "a rate-limit subject never becomes a label")
}

func TestHTTPMiddlewareFoldsUnknownMethods(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	router := gin.New()
	router.Use(m.HTTPMiddleware())
	router.Handle("BREW", "/pot", func(c *gin.Context) { c.Status(http.StatusTeapot) })
	router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/pot", nil))

	families := gather(t, m)
	assert.NotNil(t, series(families, "studytool_http_requests_total",
		map[string]string{"route": "/pot", "method": "OTHER", "status": "418"}))
}

func TestRegisterRefusesADuplicateCollector(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	source := func() ports.CacheStats { return ports.CacheStats{} }
	require.NoError(t, m.Register(observability.NewCacheCollector(source)))
	assert.Error(t, m.Register(observability.NewCacheCollector(source)))
}

func TestRegistriesAreIndependent(t *testing.T) {
	t.Parallel()
	a, b := newMetrics(t), newMetrics(t)
	a.SessionCreated(0)
	assert.InDelta(t, 1, value(series(gather(t, a), "studytool_sessions_created_total", nil)), 0)
	assert.InDelta(t, 0, value(series(gather(t, b), "studytool_sessions_created_total", nil)), 0)
}

func TestBreakerStateGauge(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	m.SetBreakerState(observability.RoleState, observability.BreakerOpen)
	m.SetBreakerState(observability.RoleCache, observability.BreakerHalfOpen)
	m.SetBreakerState(observability.RoleState, observability.BreakerClosed)

	families := gather(t, m)
	assert.InDelta(t, 0, value(series(families, "studytool_redis_breaker_state", map[string]string{"role": "state"})), 0)
	assert.InDelta(t, 1, value(series(families, "studytool_redis_breaker_state", map[string]string{"role": "cache"})), 0)
}
