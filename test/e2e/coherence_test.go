package e2e_test

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/apptest"
)

// replicaApp is one of two service instances sharing PostgreSQL and Redis, with what a
// coherence test needs out of its graph.
type replicaApp struct {
	*apptest.App
	sessions ports.SessionStore
	metrics  *observability.Metrics
	http     *http.Client
}

// startReplicas starts two instances of the service on the same backends, with
// environ added to both.
func startReplicas(t *testing.T, environ map[string]string) (a, b *replicaApp) {
	t.Helper()
	backends := apptest.NewBackends(t, apptest.Real)
	start := func() *replicaApp {
		r := &replicaApp{http: &http.Client{Timeout: 10 * time.Second}}
		r.App = apptest.StartOn(t, backends, environ, fx.Populate(&r.sessions, &r.metrics))
		t.Cleanup(r.http.CloseIdleConnections)
		return r
	}
	return start(), start()
}

// get sends GET path with token and returns the status.
func (r *replicaApp) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, r.BaseURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := r.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, body
}

// logout ends token's session through r.
func (r *replicaApp) logout(t *testing.T, token string) {
	t.Helper()
	require.Equal(t, http.StatusNoContent, doAuthorized(t, r, http.MethodPost, "/v1/auth/logout", token))
}

// tier returns a local-tier series of r (hits_total, up, …), or fails when r has none.
func (r *replicaApp) tier(t *testing.T, name string) float64 {
	t.Helper()
	families, err := r.metrics.Gatherer().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "studytool_local_cache_"+name {
			var sum float64
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no local tier metric %s: is the tier off?", name)
	return 0
}

// session creates a session of user through r's store, as a login does, and returns its
// bearer token (a login hashes a password; a thousand of them would take minutes).
func (r *replicaApp) session(t *testing.T, user apptest.User) string {
	t.Helper()
	raw := make([]byte, 32)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	token := base64.RawURLEncoding.EncodeToString(raw)
	_, err = r.sessions.Create(t.Context(), &domain.Session{
		ID: auth.SessionID(token), UserID: user.ID,
		OrganizationID: user.OrganizationID, OrganizationType: domain.OrgORG,
		CreatedAt: time.Now().UTC(),
	})
	require.NoError(t, err)
	return token
}

// warm reads GET /v1/me on r with token until r's tier answers the whole request: the
// session and the profile, two hits (the tier is shared by both on one Redis server).
func (r *replicaApp) warm(t *testing.T, token string) {
	t.Helper()
	require.Eventually(t, func() bool {
		hits := r.tier(t, "hits_total")
		status, _ := r.get(t, "/v1/me", token)
		require.Equal(t, http.StatusOK, status)
		return r.tier(t, "hits_total")-hits >= 2
	}, 10*time.Second, time.Millisecond, "the local tier holds the session")
}

// untilRefused polls GET /v1/me on r with token until it is refused, and returns how
// long that took.
func (r *replicaApp) untilRefused(t *testing.T, token string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		status, body := r.get(t, "/v1/me", token)
		if status == http.StatusUnauthorized {
			return time.Since(start)
		}
		require.Equal(t, http.StatusOK, status, "body: %s", body)
		require.Less(t, time.Since(start), 5*time.Second, "a revoked token still worked after 5 s")
	}
}

func TestCoherence_LogoutOnOneReplicaEndsTheSessionOnTheOther(t *testing.T) {
	a, b := startReplicas(t, map[string]string{"MAX_SESSIONS_PER_USER": "10"})
	user := a.Client().Register("coherent@example.com")
	token := a.Client().Login("coherent@example.com").Token

	b.warm(t, token)
	a.logout(t, token)
	b.untilRefused(t, token)
	status, _ := b.get(t, "/v1/me", token)
	assert.Equal(t, http.StatusUnauthorized, status)

	// Logging out everywhere on A ends B's copies too.
	t1, t2 := a.session(t, user), a.session(t, user)
	b.warm(t, t1)
	b.warm(t, t2)
	require.Equal(t, http.StatusNoContent, doAuthorized(t, a, http.MethodPost, "/v1/auth/logout-all", t1))
	b.untilRefused(t, t2)
}

func doAuthorized(t *testing.T, r *replicaApp, method, path, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, r.BaseURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := r.http.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res.StatusCode
}

// TestCoherence_RevocationDelay measures, over 1,000 trials, how long a session logged
// out on A keeps working on B, which held it in its local tier: from A's 204 to B's first
// 401, polling B as fast as it answers. It asserts only that every trial ends; the
// figures are logged (go test -v -run TestCoherence_RevocationDelay ./test/e2e/) and
// recorded in docs/performance.md.
func TestCoherence_RevocationDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 trials")
	}
	a, b := startReplicas(t, map[string]string{"MAX_SESSIONS_PER_USER": "1000"})
	user := a.Client().Register("revoke@example.com")
	const trials = 1000
	delays := make([]time.Duration, 0, trials)
	hits := b.tier(t, "hits_total")
	for range trials {
		token := a.session(t, user)
		b.warm(t, token)
		a.logout(t, token)
		delays = append(delays, b.untilRefused(t, token))
	}
	served := b.tier(t, "hits_total") - hits
	t.Logf("B answered %.0f reads from its tier", served)
	require.GreaterOrEqual(t, served, float64(2*trials), "B answered the session and the profile from its tier in every trial")
	slices.Sort(delays)
	p := func(q float64) time.Duration { return delays[int(q*float64(len(delays)-1))] }
	t.Logf("revocation delay over %d trials: p50 %s, p99 %s, max %s", trials, p(0.5), p(0.99), delays[len(delays)-1])
}

func TestCoherence_ProfileChangeOnOneReplicaIsReadOnTheOther(t *testing.T) {
	a, b := startReplicas(t, nil)
	a.Client().Register("rename@example.com")
	token := a.Client().Login("rename@example.com").Token
	b.warm(t, token)
	for range 3 { // the profile is read through B's tier from now on
		status, _ := b.get(t, "/v1/me", token)
		require.Equal(t, http.StatusOK, status)
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPatch, a.BaseURL+"/v1/me",
		strings.NewReader(`{"displayName":"Renamed on A"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := a.http.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	start := time.Now()
	require.Eventually(t, func() bool {
		_, body := b.get(t, "/v1/me", token)
		return strings.Contains(string(body), "Renamed on A")
	}, 5*time.Second, time.Millisecond, "B reads the new profile")
	t.Logf("B read the new profile %s after A's PATCH answered", time.Since(start))
}

func TestCoherence_LocalCacheOff(t *testing.T) {
	a, _ := startReplicas(t, map[string]string{"LOCAL_CACHE": "off"})
	families, err := a.metrics.Gatherer().Gather()
	require.NoError(t, err)
	for _, f := range families {
		assert.False(t, strings.HasPrefix(f.GetName(), "studytool_local_cache_"), "no tier, no tier metrics: %s", f.GetName())
	}
	a.Client().Register("off@example.com")
	token := a.Client().Login("off@example.com").Token
	status, _ := a.get(t, "/v1/me", token)
	assert.Equal(t, http.StatusOK, status)
	a.logout(t, token)
	status, _ = a.get(t, "/v1/me", token)
	assert.Equal(t, http.StatusUnauthorized, status)
}
