package main_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// listedSession is what `sessions list --json` prints of a session.
type listedSession struct {
	ID string `json:"id"`
}

// TestSessionsCommand_Postgres_Redis runs `studytool sessions` against a service on
// PostgreSQL and Redis (on the embedded stores a command's sessions are its own
// process's): list shows the account's sessions, revoke --id makes exactly that bearer
// token 401, revoke without --id ends the rest, and an unknown email or session fails
// with exit status 1 and a message naming it.
func TestSessionsCommand_Postgres_Redis(t *testing.T) {
	t.Parallel()
	bin := apptest.BuildStudytool(t)
	a := apptest.Start(t, apptest.Real, nil)
	const email = "sessions.target@example.com"
	a.Client().Register(email)
	first, second := a.Client(), a.Client()
	login := first.Login(email)
	first.Token = login.Token
	second.Token = second.Login(email).Token
	sessions := func(args ...string) apptest.Run {
		t.Helper()
		return apptest.RunStudytool(t, bin, a.Environ, append([]string{"sessions"}, args...)...)
	}

	run := sessions("list", "--json", email)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var listed []listedSession
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &listed), "stdout: %s", run.Stdout)
	assert.Contains(t, listed, listedSession{ID: login.Session.ID})

	run = sessions("revoke", email, "--id", login.Session.ID)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	requireRefused(t, first, "with the revoked token")
	assert.Equal(t, http.StatusOK, second.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the other token")

	run = sessions("revoke", "--json", email)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.JSONEq(t, `{"revoked":`+strconv.Itoa(len(listed)-1)+`}`, run.Stdout)
	requireRefused(t, second, "after revoking all")

	for _, tc := range []struct {
		args    []string
		status  int
		message string
	}{
		{[]string{"list", "nobody@example.com"}, 1, `no account has the email "nobody@example.com"`},
		{[]string{"revoke", "nobody@example.com"}, 1, `no account has the email "nobody@example.com"`},
		{[]string{"revoke", email, "--id", login.Session.ID}, 1, "is not a live session of " + email},
		{[]string{"list"}, 2, "accepts 1 arg(s)"},
	} {
		run := sessions(tc.args...)
		assert.Equal(t, tc.status, run.ExitCode, "%v: %s", tc.args, run.Output)
		assert.Contains(t, run.Stderr, tc.message, "%v", tc.args)
		assert.Empty(t, run.Stdout, "%v", tc.args)
	}
}

// TestCacheInvalidateCommand_Postgres_Redis runs `studytool cache invalidate` beside a
// service: a pattern or a feature deletes the matching cache entries and nothing
// outside the cache namespace (the sessions survive), and a pattern the cache namespace
// refuses, or a wrong command line, exits 2 having deleted nothing; `cache warm` then
// fills the organizations again. On the embedded stores the command has a cache of its
// own; only the refusals are checked there.
func TestCacheInvalidateCommand_Postgres_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			cache := func(args ...string) apptest.Run {
				t.Helper()
				return apptest.RunStudytool(t, bin, a.Environ, append([]string{"cache", "invalidate"}, args...)...)
			}
			for _, args := range [][]string{
				{"user:[a-z]*"}, {`user:\*`}, {"user::*"}, {""}, {"--feature", "user*"}, {"user:*", "--feature", "user:profile"}, {},
			} {
				run := cache(args...)
				assert.Equal(t, 2, run.ExitCode, "%q: %s", args, run.Output)
				assert.Empty(t, run.Stdout, "%q", args)
			}
			if s != apptest.Real {
				return
			}
			user := a.Client()
			user.Register("cached@example.com")
			user.Token = user.Login("cached@example.com").Token
			require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			ctx := t.Context()
			require.NotEmpty(t, keys(t, a, "cache:user:*"), "the profile read filled the cache")

			run := cache("session:*")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Equal(t, "deleted 0 cache entries", run.Stdout, "session:* is relative to the cache namespace")
			require.NotEmpty(t, keys(t, a, "session:*"))

			run = cache("--json", "user:*")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			var out struct{ Deleted int64 }
			require.NoError(t, json.Unmarshal([]byte(run.Stdout), &out), "stdout: %s", run.Stdout)
			assert.Positive(t, out.Deleted)
			assert.Empty(t, keys(t, a, "cache:user:*"))
			assert.NotEmpty(t, keys(t, a, "session:*"), "sessions survive")

			require.NoError(t, a.Redis.Set(ctx, a.Prefix+"cache:user:profile:v1:gplanted:x", "{}", 0).Err())
			run = cache("--feature", "user:profile")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Empty(t, keys(t, a, "cache:user:profile:*"))
			assert.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the session still works")

			// The rebuild: invalidate, then warm what can be warmed.
			require.Zero(t, cache("org*").ExitCode)
			require.Empty(t, keys(t, a, "cache:org*"))
			run = apptest.RunStudytool(t, bin, a.Environ, "cache", "warm", "--json", "org")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.JSONEq(t, `{"warmed":["org"]}`, run.Stdout)
			assert.NotEmpty(t, keys(t, a, "cache:org:list:*"), "the organization list is cached again")
			assert.NotEmpty(t, keys(t, a, "cache:org:v*"), "and each organization")
			run = apptest.RunStudytool(t, bin, a.Environ, "cache", "warm", "user:profile")
			assert.Equal(t, 2, run.ExitCode, "a feature without a warmer: %s", run.Output)
			assert.Contains(t, run.Stderr, "can be one of: org")
		})
	}
}

// keys returns the app's Redis keys matching pattern under its prefix.
func keys(t *testing.T, a *apptest.App, pattern string) []string {
	t.Helper()
	var out []string
	iter := a.Redis.Scan(t.Context(), 0, a.Prefix+pattern, 1000).Iterator()
	for iter.Next(t.Context()) {
		out = append(out, iter.Val())
	}
	require.NoError(t, iter.Err())
	return out
}

// TestCacheCleanupCommand_Postgres_Redis plants cache entries of other schema versions
// beside a service's current ones and runs `studytool cache cleanup --old-versions`: a
// dry run counts them and deletes nothing; the cleanup deletes exactly them, keeping
// the current entries and those of a feature this release does not know. Without
// --old-versions the command exits 2.
func TestCacheCleanupCommand_Postgres_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			cleanup := func(args ...string) apptest.Run {
				t.Helper()
				return apptest.RunStudytool(t, bin, a.Environ, append([]string{"cache", "cleanup"}, args...)...)
			}
			run := cleanup()
			assert.Equal(t, 2, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Stderr, "--old-versions")
			if s != apptest.Real {
				run = cleanup("--old-versions")
				assert.Zero(t, run.ExitCode, "output: %s", run.Output)
				return
			}
			user := a.Client()
			user.Register("versions@example.com")
			user.Token = user.Login("versions@example.com").Token
			require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			current := keys(t, a, "cache:user:profile:v2:*")
			require.NotEmpty(t, current, "the profile read cached the current version")
			old := []string{"cache:user:profile:v1:gold:x", "cache:decks:list:v9:g1:y"}
			kept := "cache:retired:v1:g1:z"
			for _, k := range append([]string{kept}, old...) {
				require.NoError(t, a.Redis.Set(t.Context(), a.Prefix+k, "{}", time.Hour).Err())
			}

			featureStats(t, bin, a, len(current))

			run = cleanup("--old-versions", "--dry-run", "--json")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			var got struct {
				Old, Deleted int64
				ByFeature    map[string]int64
			}
			require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
			assert.Equal(t, int64(2), got.Old)
			assert.Zero(t, got.Deleted)
			assert.Equal(t, map[string]int64{"user:profile:v1": 1, "decks:list:v9": 1}, got.ByFeature)
			for _, k := range old {
				assert.NotEmpty(t, keys(t, a, k), "a dry run deletes nothing: %s", k)
			}

			run = cleanup("--old-versions")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Stdout, "2 of old schema versions, 2 deleted")
			for _, k := range old {
				assert.Empty(t, keys(t, a, k), "%s is deleted", k)
			}
			assert.NotEmpty(t, keys(t, a, kept), "an unknown feature's entry is kept")
			assert.Equal(t, current, keys(t, a, "cache:user:profile:v2:*"), "the current entries are kept")
		})
	}
}

// featureStats runs `cache stats --json` beside the planted entries of
// TestCacheCleanupCommand_Postgres_Redis: the profiles count every version, with memory
// measured and a TTL spread; the retired feature's entry is (unknown).
// The running app's /metrics gives the profile's hits and misses (the one profile
// read missed); without --metrics-url the test app's METRICS_ADDR (port 0) gives no
// URL, and the key figures come alone.
func featureStats(t *testing.T, bin string, a *apptest.App, currentProfiles int) {
	t.Helper()
	run := apptest.RunStudytool(t, bin, a.Environ, "cache", "stats", "--json", "--metrics-url", "http://"+a.Metrics.Addr()+"/metrics")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var got struct {
		Features []struct {
			Feature                      string
			Keys, MemoryBytes            int64
			Sampled                      int
			TTLMinSeconds, TTLMaxSeconds float64
			Hits, Misses                 *float64
		}
		Service struct{ Reachable bool }
	}
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	byName := make(map[string]int)
	for i, f := range got.Features {
		byName[f.Feature] = i
	}
	require.Contains(t, byName, "user:profile", "stdout: %s", run.Stdout)
	profiles := got.Features[byName["user:profile"]]
	assert.Equal(t, int64(currentProfiles+1), profiles.Keys, "the current entries and the planted v1")
	assert.Positive(t, profiles.MemoryBytes)
	assert.Positive(t, profiles.TTLMinSeconds)
	assert.GreaterOrEqual(t, profiles.TTLMaxSeconds, profiles.TTLMinSeconds)
	require.Contains(t, byName, "(unknown)")
	assert.Positive(t, got.Features[byName["(unknown)"]].Keys)
	assert.True(t, got.Service.Reachable, "stdout: %s", run.Stdout)
	require.NotNil(t, profiles.Misses, "stdout: %s", run.Stdout)
	require.NotNil(t, profiles.Hits)
	assert.GreaterOrEqual(t, *profiles.Misses, 1.0, "the profile read missed")

	run = apptest.RunStudytool(t, bin, a.Environ, "cache", "stats")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.Contains(t, run.Stdout, "user:profile")
	assert.Contains(t, run.Stdout, "hit/miss counters omitted: METRICS_ADDR \"127.0.0.1:0\" has no fixed port")
}
