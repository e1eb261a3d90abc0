// Package fault_test kills and restarts the Redis servers under a running service, with
// traffic on, and checks that it degrades as docs/architecture.md ("Two Redis roles") promises:
// losing the cache Redis costs speed only, losing the state Redis makes authenticated
// calls fail closed with 503 at once, and the service recovers by itself when Redis
// returns.
package fault_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studytool/studytool/adapters/observability"
)

// TestMain checks that the service, stopped, left no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// phase is how long traffic runs in each state of the outage.
const phase = 2 * time.Second

// TestFault_RedisOutages runs the service on two private Redis servers (cache and state)
// and a SQLite database, with authenticated GET traffic running throughout, and:
//
//  1. kills -9 the cache Redis: every request still answers 200, from the database;
//  2. kills -9 the state Redis as well: once the service has seen the loss (its local
//     tier taken out of use when the tracking connection drops; the delay is logged),
//     every authenticated request answers 503 store_unavailable with Retry-After, at
//     once (latencies logged), and /readyz 503;
//  3. restarts the state Redis on its port: authenticated requests answer 200 again
//     without a restart of the service (recovery time logged);
//  4. restarts the cache Redis: /readyz reports every dependency up again.
//
// Figures are recorded in docs/performance.md "Redis faults (issue 6)".
func TestFault_RedisOutages(t *testing.T) {
	svc := startService(t)
	token := svc.signUp(t, "fault@example.com")
	cardID := svc.studiedCard(t, token)
	tr := startTraffic(t, svc, token, []string{"/v1/me", "/v1/decks", "/v1/progress/" + cardID})

	healthy := runFor(tr, phase)
	requireAllOK(t, "both Redis up", healthy)

	// 1. The cache Redis dies: speed only.
	require.NoError(t, svc.cache.Kill())
	cacheDown := runFor(tr, phase)
	requireAllOK(t, "cache Redis down", cacheDown)
	ready := svc.readyz(t)
	assert.Equal(t, http.StatusOK, ready.status, "a cache outage only degrades readiness")
	assert.Equal(t, "degraded", ready.Status)
	assert.Equal(t, map[string]string{"database": "up", "cacheStore": "down", "sessionStore": "up"}, ready.Checks)
	assert.NotZero(t, breakerState(t, svc, "cache"), "the cache breaker left the closed state")

	// 2. The state Redis dies too: fail closed, fast. Until the tracking connection's
	// loss reaches the local tier (a read on a socket the kill closed), a session it holds
	// is still answered from memory; no write can happen on a dead server meanwhile.
	require.NoError(t, svc.state.Kill())
	killed := time.Now()
	require.Eventually(t, func() bool {
		return svc.metricValue(t, `studytool_local_cache_up{tier="state"}`) == 0
	}, 10*time.Second, time.Millisecond, "the local tier is taken out of use")
	t.Logf("state Redis down: local tier out of use within %s of the kill", time.Since(killed).Round(10*time.Microsecond))
	stateDown := runFor(tr, phase)
	requireAllUnavailable(t, stateDown)
	lat := summarize(stateDown)
	t.Logf("state Redis down: %d replies 503 store_unavailable; latency p50 %s, p99 %s, max %s",
		lat.n, lat.p50.Round(10*time.Microsecond), lat.p99.Round(10*time.Microsecond), lat.max.Round(10*time.Microsecond))
	assert.Less(t, lat.max, requestTimeout/5, "every 503 arrives long before a client would time out")
	ready = svc.readyz(t)
	assert.Equal(t, http.StatusServiceUnavailable, ready.status)
	assert.Equal(t, "down", ready.Checks["sessionStore"])
	assert.NotZero(t, breakerState(t, svc, "state"), "the state breaker left the closed state")

	// 3. The state Redis comes back, with its sessions (AOF): the service recovers alone.
	require.NoError(t, svc.state.Restart())
	restarted := time.Now()
	var first reply
	require.Eventually(t, func() bool {
		var ok bool
		first, ok = tr.firstOK(restarted)
		return ok
	}, 15*time.Second, 5*time.Millisecond, "authenticated requests succeed again")
	t.Logf("state Redis restarted: first 200 answered %s after the server was ready",
		first.start.Add(first.latency).Sub(restarted).Round(time.Millisecond))
	requireAllOK(t, "state Redis back", runFor(tr, phase/2))
	// Two successful probes close the half-open breaker. With the local tier, sessions it
	// holds are validated without a command, so the probes may be the next login, a
	// write-back or the INFO poll (every 15 s) rather than this traffic.
	require.Eventually(t, func() bool { return breakerState(t, svc, "state") == 0 },
		2*observability.DefaultInfoInterval+10*time.Second, 50*time.Millisecond, "the state breaker closed")

	// 4. The cache Redis comes back: fully ready.
	require.NoError(t, svc.cache.Restart())
	require.Eventually(t, func() bool { return svc.readyz(t).Status == "ok" }, 15*time.Second, 50*time.Millisecond)
	requireAllOK(t, "both Redis back", runFor(tr, phase/2))

	tr.stop()
	for _, r := range tr.between(time.Time{}, time.Now()) {
		require.NoError(t, r.err, "no request failed without an answer: %s", r.path)
	}
}

// runFor lets the traffic run for d and returns the replies to the requests sent
// meanwhile.
func runFor(tr *traffic, d time.Duration) []reply {
	from := time.Now()
	time.Sleep(d)
	return tr.between(from, time.Now())
}

// requireAllOK requires replies (and at least some) to be 200s.
func requireAllOK(t *testing.T, when string, replies []reply) {
	t.Helper()
	require.NotEmpty(t, replies, "%s: traffic ran", when)
	for _, r := range replies {
		require.NoError(t, r.err, "%s: %s", when, r.path)
		require.Equal(t, http.StatusOK, r.status, "%s: %s (%s): %s", when, r.path, tally(replies), r.body)
	}
	t.Logf("%s: %d replies, all 200 (latency p99 %s)", when, len(replies), summarize(replies).p99.Round(10*time.Microsecond))
}

// requireAllUnavailable requires replies (and at least some) to be 503
// store_unavailable with a Retry-After of whole seconds.
func requireAllUnavailable(t *testing.T, replies []reply) {
	t.Helper()
	require.NotEmpty(t, replies, "traffic ran")
	for _, r := range replies {
		require.NoError(t, r.err, r.path)
		require.Equal(t, http.StatusServiceUnavailable, r.status, "%s (%s): %s", r.path, tally(replies), r.body)
		require.Equal(t, "store_unavailable", r.code, "%s: %s", r.path, r.body)
		seconds, err := strconv.Atoi(r.retryAfter)
		require.NoError(t, err, "Retry-After %q", r.retryAfter)
		require.Positive(t, seconds, "Retry-After")
	}
}

// tally counts replies by path and status, for failure messages.
func tally(replies []reply) map[string]int {
	counts := make(map[string]int)
	for _, r := range replies {
		counts[fmt.Sprintf("%s %d %s", r.path, r.status, r.code)]++
	}
	return counts
}

// breakerState reads the state of role's circuit breaker from GET /metrics on the
// metrics listener: 0 closed, 1 half-open, 2 open.
func breakerState(t *testing.T, svc *service, role string) int {
	t.Helper()
	res := svc.metrics.Do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	m := regexp.MustCompile(`(?m)^studytool_redis_breaker_state\{role="` + role + `"\} (\d)$`).FindSubmatch(res.Body)
	require.NotNil(t, m, "breaker state of role %s in /metrics", role)
	state, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return state
}
