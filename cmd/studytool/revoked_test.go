package main_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// requireRefused requires GET /v1/me with c's token to be refused (401) within a few
// seconds. A command run in another process changes Redis; the app's local tier learns
// of it from Redis's invalidation message, which may reach it just after the command
// exits (the delay is measured in docs/performance.md). Once refused, it stays refused.
func requireRefused(t *testing.T, c *apptest.Client, when string) {
	t.Helper()
	require.Eventually(t, func() bool {
		return c.Do(http.MethodGet, "/v1/me", nil).StatusCode == http.StatusUnauthorized
	}, 5*time.Second, time.Millisecond, "GET /v1/me %s", when)
	require.Equal(t, http.StatusUnauthorized, c.Do(http.MethodGet, "/v1/me", nil).StatusCode, "GET /v1/me %s, again", when)
}
