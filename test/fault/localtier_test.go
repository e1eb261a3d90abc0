package fault_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/redistopo"
	"github.com/studytool/studytool/test/testenv"
)

// startReplicaPair starts two instances of the service on one PostgreSQL database and
// one pair of private Redis servers (cache and state, with deploy/redis's
// configuration: the state server keeps an AOF), each with its local tier on.
func startReplicaPair(t *testing.T) (a, b *service) {
	t.Helper()
	cache := redistopo.Standalone(t, redistopo.Options{ConfigFile: filepath.Join("..", "..", "deploy", "redis", "cache.conf")})
	state := redistopo.Standalone(t, redistopo.Options{ConfigFile: filepath.Join("..", "..", "deploy", "redis", "state.conf")})
	backends := &apptest.Backends{Environ: map[string]string{
		"DATABASE_URL":      testenv.Postgres(t),
		"REDIS_URL":         "redis://" + cache.Addr() + "/0",
		"SESSION_REDIS_URL": "redis://" + state.Addr() + "/0",
	}}
	start := func() *service {
		app := apptest.StartOn(t, backends, map[string]string{"LOG_LEVEL": "error", "LOCAL_CACHE": "on"})
		client := &http.Client{Timeout: requestTimeout}
		t.Cleanup(client.CloseIdleConnections)
		return &service{
			baseURL: app.BaseURL, http: client, cache: cache, state: state,
			metrics: apptest.NewClient(t, "http://"+app.Metrics.Addr()),
		}
	}
	return start(), start()
}

// warm reads GET /v1/me on s with token until s's local tier answers it.
func (s *service) warm(t *testing.T, token string) {
	t.Helper()
	require.Eventually(t, func() bool {
		hits := s.metricValue(t, `studytool_local_cache_hits_total{tier="state"}`)
		s.must(t, http.MethodGet, "/v1/me", token, nil, http.StatusOK, nil)
		return s.metricValue(t, `studytool_local_cache_hits_total{tier="state"}`) > hits
	}, 10*time.Second, time.Millisecond, "the local tier holds the session")
}

// A restart of the state Redis never lets a revoked token through on a replica that held
// the session locally: the tier is emptied and bypassed as soon as its invalidation
// channel drops, so the first request after the revocation reads Redis.
func TestFault_StateRedisRestartNeverRevivesARevokedToken(t *testing.T) {
	a, b := startReplicaPair(t)
	token := a.signUp(t, "restart@example.com")
	b.warm(t, token)

	require.NoError(t, b.state.Shutdown()) // the AOF keeps the session through the restart
	require.Eventually(t, func() bool {
		return b.metricValue(t, `studytool_local_cache_up{tier="state"}`) == 0
	}, 10*time.Second, time.Millisecond, "B's tier is taken out of use when its channel drops")
	ctx, cancel := context.WithTimeout(t.Context(), requestTimeout)
	defer cancel()
	r := b.do(ctx, http.MethodGet, "/v1/me", token, nil)
	require.Equal(t, http.StatusServiceUnavailable, r.status, "with the state Redis down a session cannot be validated")

	require.NoError(t, b.state.Restart())
	require.Eventually(t, func() bool {
		return a.do(ctx, http.MethodPost, "/v1/auth/logout", token, nil).status == http.StatusNoContent
	}, 20*time.Second, 10*time.Millisecond, "A logs the session out once the state Redis is back")

	// From A's 204 on, B never accepts the token: it answers 503 while its circuit
	// breaker still holds the outage, then 401.
	refused := false
	require.Eventually(t, func() bool {
		r := b.do(ctx, http.MethodGet, "/v1/me", token, nil)
		require.NotEqual(t, http.StatusOK, r.status, "a revoked token came back after the restart")
		refused = r.status == http.StatusUnauthorized
		return refused && b.metricValue(t, `studytool_local_cache_up{tier="state"}`) == 1
	}, 20*time.Second, 10*time.Millisecond, "B refuses the token with its tier back in use")
	for range 100 {
		require.Equal(t, http.StatusUnauthorized, b.do(ctx, http.MethodGet, "/v1/me", token, nil).status)
	}
}

// Killing a replica's invalidation connections over and over never lets a revoked token
// through and never fails a valid one: while its channel is down the replica reads
// Redis.
func TestFault_InvalidationChannelKilledRepeatedly(t *testing.T) {
	a, b := startReplicaPair(t)
	keep := a.signUp(t, "keep@example.com")
	revoke := a.signUp(t, "revoke@example.com")
	b.warm(t, keep)
	b.warm(t, revoke)
	bypasses := b.metricValue(t, `studytool_local_cache_bypasses_total{tier="state"}`)

	admin := redis.NewClient(&redis.Options{Addr: b.state.Addr()})
	t.Cleanup(func() { _ = admin.Close() })
	killing, stop := context.WithCancel(t.Context())
	killed := make(chan int)
	go func() {
		n := 0
		defer func() { killed <- n }()
		for killing.Err() == nil {
			if k, err := admin.ClientKillByFilter(killing, "TYPE", "pubsub").Result(); err == nil {
				n += int(k)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), requestTimeout)
	defer cancel()
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		require.Equal(t, http.StatusOK, b.do(ctx, http.MethodGet, "/v1/me", keep, nil).status)
	}
	a.must(t, http.MethodPost, "/v1/auth/logout", revoke, nil, http.StatusNoContent, nil)
	require.Eventually(t, func() bool {
		return b.do(ctx, http.MethodGet, "/v1/me", revoke, nil).status == http.StatusUnauthorized
	}, 5*time.Second, time.Millisecond, "B refuses the revoked token")
	for range 200 {
		require.Equal(t, http.StatusUnauthorized, b.do(ctx, http.MethodGet, "/v1/me", revoke, nil).status,
			"a revoked token is refused while the channel flaps")
		require.Equal(t, http.StatusOK, b.do(ctx, http.MethodGet, "/v1/me", keep, nil).status)
	}
	stop()
	require.Positive(t, <-killed, "the invalidation connections were killed")
	require.Greater(t, b.metricValue(t, `studytool_local_cache_bypasses_total{tier="state"}`), bypasses,
		"B read Redis while its channel was down")
	require.Eventually(t, func() bool {
		return b.metricValue(t, `studytool_local_cache_up{tier="state"}`) == 1
	}, 20*time.Second, 10*time.Millisecond, "B's tier is back in use")
}
