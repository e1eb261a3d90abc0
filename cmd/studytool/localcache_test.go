package main_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/redistopo"
)

// On a Redis Cluster and behind Sentinel the local tier is off: the app exports no tier
// metrics and every validation goes to Redis, so a logout is refused at once.
func TestLocalCache_BypassedOnClusterAndSentinel(t *testing.T) {
	for _, topology := range []struct {
		name    string
		environ func() map[string]string
	}{
		{"cluster", func() map[string]string {
			return map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": strings.Join(redistopo.Cluster(t).Addrs(), ",")}
		}},
		{"sentinel", func() map[string]string {
			s := redistopo.Sentinel(t)
			return map[string]string{
				"REDIS_MODE": "sentinel", "REDIS_ADDRS": strings.Join(s.Addrs(), ","), "REDIS_SENTINEL_MASTER": s.MasterName,
			}
		}},
	} {
		t.Run(topology.name, func(t *testing.T) {
			b := apptest.NewBackends(t, apptest.Real)
			environ := maps.Clone(b.Environ)
			delete(environ, "REDIS_URL")
			maps.Copy(environ, topology.environ())
			b.Environ = environ
			a := apptest.StartOn(t, b, map[string]string{"LOCAL_CACHE": "on"})

			metrics := apptest.NewClient(t, "http://"+a.Metrics.Addr()).Do(http.MethodGet, "/metrics", nil)
			require.Equal(t, http.StatusOK, metrics.StatusCode)
			assert.NotContains(t, string(metrics.Body), "studytool_local_cache_", "no tier on this topology")

			a.Client().Register("topology@example.com")
			c := a.Client()
			c.Token = c.Login("topology@example.com").Token
			require.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			require.Equal(t, http.StatusNoContent, c.Do(http.MethodPost, "/v1/auth/logout", nil).StatusCode)
			assert.Equal(t, http.StatusUnauthorized, c.Do(http.MethodGet, "/v1/me", nil).StatusCode)
		})
	}
}
