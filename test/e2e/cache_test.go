package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

type cacheStats struct {
	Hits     int64 `json:"hits"`
	Misses   int64 `json:"misses"`
	Features map[string]struct {
		Hits   int64 `json:"hits"`
		Misses int64 `json:"misses"`
	} `json:"features"`
	Store map[string]any `json:"store"`
}

func stats(t *testing.T, admin *apptest.Client) cacheStats {
	t.Helper()
	res := admin.Do(http.MethodGet, "/v1/admin/cache/stats", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var s cacheStats
	res.JSON(t, &s)
	return s
}

// TestProfileCacheAndAdminEndpoints checks that the profile is served through the cache,
// that an update shows at once, and that the admin endpoints count and invalidate without
// ever reaching outside the cache namespace.
func TestProfileCacheAndAdminEndpoints(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			admin, user := a.Client(), a.Client()
			admin.Register("ops@example.com")
			a.Grant("ops@example.com", "admin:cache")
			user.Register("learner@example.com")
			admin.Token = admin.Login("ops@example.com").Token
			user.Token = user.Login("learner@example.com").Token

			before := stats(t, admin).Features["user:profile"]
			for range 3 {
				require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			}
			after := stats(t, admin).Features["user:profile"]
			assert.Equal(t, before.Misses+1, after.Misses, "one miss, then hits")
			// Two hits of the learner, and one of the admin's permission check for the
			// second stats call (permissions are read from the cached profile).
			assert.Equal(t, before.Hits+3, after.Hits)

			res := user.Do(http.MethodPatch, "/v1/me", map[string]string{"displayName": "Renamed"})
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			var me struct{ DisplayName string }
			user.Do(http.MethodGet, "/v1/me", nil).JSON(t, &me)
			assert.Equal(t, "Renamed", me.DisplayName, "the next GET shows the change at once")

			// Only admin:cache may use the endpoints.
			res = user.Do(http.MethodGet, "/v1/admin/cache/stats", nil)
			assert.Equal(t, http.StatusForbidden, res.StatusCode)

			// Patterns stay inside the cache namespace: sessions survive every one.
			for _, pattern := range []string{"session:*", "../*", "*"} {
				res = admin.Do(http.MethodPost, "/v1/admin/cache/invalidate", map[string]string{"pattern": pattern})
				require.Equal(t, http.StatusOK, res.StatusCode, "pattern %q: %s", pattern, res.Body)
				assert.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode, "after %q", pattern)
			}
			for _, bad := range []string{"", "user:[a-z]*", strings.Repeat("x", 600)} {
				res = admin.Do(http.MethodPost, "/v1/admin/cache/invalidate", map[string]string{"pattern": bad})
				assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "pattern %q", bad)
			}

			// A pattern really deletes: after `user:*` the next profile read is a miss.
			require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			res = admin.Do(http.MethodPost, "/v1/admin/cache/invalidate", map[string]string{"pattern": "user:*"})
			var deleted struct{ Deleted int64 }
			res.JSON(t, &deleted)
			assert.Positive(t, deleted.Deleted)
			before = stats(t, admin).Features["user:profile"]
			require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			assert.Equal(t, before.Misses+1, stats(t, admin).Features["user:profile"].Misses)

			if a.Redis != nil {
				// Sessions and rate-limit counters are still there in Redis.
				var sessions int
				iter := a.Redis.Scan(t.Context(), 0, a.Prefix+"session:*", 100).Iterator()
				for iter.Next(t.Context()) {
					sessions++
				}
				require.NoError(t, iter.Err())
				assert.Equal(t, 2, sessions, "both sessions survive every invalidation")
			}
		})
	}
}
