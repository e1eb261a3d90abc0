package main_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/redistopo"
)

// restored is what `state restore --json` prints.
type restored struct {
	Keys, Restored, Expired, Existing int
}

// TestStateBackupRestore_Redis runs the round trip on the test Redis server.
func TestStateBackupRestore_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	a := apptest.Start(t, apptest.Real, nil)
	stateRoundTrip(t, bin, a, a.Environ, a.Redis)
}

// TestStateBackupRestore_Cluster runs the round trip on the shared three-master Redis
// Cluster: the keys spread over every master, which backup scans one by one.
func TestStateBackupRestore_Cluster(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	addrs := redistopo.Cluster(t).Addrs()
	b := apptest.NewBackends(t, apptest.Real)
	environ := maps.Clone(b.Environ)
	delete(environ, "REDIS_URL")
	environ["REDIS_MODE"], environ["REDIS_ADDRS"] = "cluster", strings.Join(addrs, ",")
	b.Environ = environ
	a := apptest.StartOn(t, b, nil)
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() {
		deleteKeys(t, client, prefixKeys(t, client, a.Prefix+"*"))
		_ = client.Close()
	})
	stateRoundTrip(t, bin, a, environ, client)
}

// stateRoundTrip logs in through the running app a, backs the state keys up with the
// built binary, deletes the app's keys (its own prefix only), checks that the bearer
// tokens are refused, that a corrupted backup is refused (exit 1) and restores nothing,
// then restores the backup and checks that the tokens work again and the session keys
// carry their remaining TTL, never a longer one. A request slides a session's expiry, so
// the TTLs are read with no request in between.
func stateRoundTrip(t *testing.T, bin string, a *apptest.App, environ map[string]string, client redis.UniversalClient) {
	t.Helper()
	state := func(args ...string) apptest.Run {
		t.Helper()
		return apptest.RunStudytool(t, bin, environ, append([]string{"state"}, args...)...)
	}
	authorized := loggedIn(t, a)
	before, measured := sessionTTLs(t, client, a.Prefix), time.Now()
	require.Len(t, before, 2)

	file := filepath.Join(t.TempDir(), "state.backup")
	run := state("backup", "--json", file)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var backup struct{ Keys int }
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &backup), "stdout: %s", run.Stdout)
	assert.GreaterOrEqual(t, backup.Keys, 4, "two sessions and two user indexes at least")

	deleteKeys(t, client, prefixKeys(t, client, a.Prefix+"*"))
	authorized(http.StatusUnauthorized, "after the state keys were deleted")
	refusesCorrupt(t, state, file, client, a.Prefix)

	got := restoreJSON(t, state, file)
	assertRestored(t, got, backup.Keys, "into an empty keyspace")
	after := sessionTTLs(t, client, a.Prefix)
	require.Len(t, after, len(before))
	for key, ttl := range before {
		assert.LessOrEqual(t, after[key], ttl, "%s: never a longer TTL", key)
		assert.Greater(t, after[key], ttl-time.Since(measured)-10*time.Second, "%s: the TTL it had left", key)
	}
	authorized(http.StatusOK, "after the restore")

	// A rate-limit window (seconds) that Redis expires while the restore runs is missing
	// but still has time left by the backup's clock, so it is written again; nothing else
	// may be. The sessions and their indexes (hours) are always skipped.
	shortLived := countShorterTTL(t, client, a.Prefix, time.Minute)
	got = restoreJSON(t, state, file)
	assert.LessOrEqual(t, got.Restored, shortLived, "existing keys are skipped: %+v", got)
	assert.GreaterOrEqual(t, got.Existing, 4, "existing keys are skipped: %+v", got)
	assert.Equal(t, backup.Keys, got.Existing+got.Expired+got.Restored, "existing keys are skipped: %+v", got)
	got = restoreJSON(t, state, "--replace", file)
	assertRestored(t, got, backup.Keys, "--replace overwrites")
}

// assertRestored checks that a restore wrote every key of a backup of keys, but for the
// ones whose TTL ran out since the backup: rate-limit windows live seconds, so on a slow
// machine some may have, while the sessions and their indexes (hours) never do.
func assertRestored(t *testing.T, got restored, keys int, msg string) {
	t.Helper()
	assert.Equal(t, keys, got.Keys, msg)
	assert.Zero(t, got.Existing, "%s: %+v", msg, got)
	assert.Equal(t, keys, got.Restored+got.Expired, "%s: %+v", msg, got)
	assert.GreaterOrEqual(t, got.Restored, 4, "%s: two sessions and two user indexes at least: %+v", msg, got)
}

// loggedIn registers and logs in two accounts on a and returns a check of the status
// GET /v1/me answers their bearer tokens.
func loggedIn(t *testing.T, a *apptest.App) func(want int, when string) {
	t.Helper()
	var sessions []*apptest.Client
	for _, email := range []string{"state.one@example.com", "state.two@example.com"} {
		a.Client().Register(email)
		c := a.Client()
		c.Token = c.Login(email).Token
		sessions = append(sessions, c)
	}
	authorized := func(want int, when string) {
		t.Helper()
		for _, c := range sessions {
			if want == http.StatusUnauthorized {
				requireRefused(t, c, when)
				continue
			}
			res := c.Do(http.MethodGet, "/v1/me", nil)
			assert.Equal(t, want, res.StatusCode, "GET /v1/me %s: %s", when, res.Body)
		}
	}
	authorized(http.StatusOK, "after login")
	return authorized
}

// restoreJSON runs `state restore --json` with args, which must succeed, and decodes
// what it prints.
func restoreJSON(t *testing.T, state func(args ...string) apptest.Run, args ...string) restored {
	t.Helper()
	run := state(append([]string{"restore", "--json"}, args...)...)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var got restored
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	return got
}

// TestStateCommandUsage checks that a missing FILE is a usage error (exit 2).
func TestStateCommandUsage(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, sub := range []string{"backup", "restore"} {
		run := apptest.RunStudytool(t, bin, nil, "state", sub)
		assert.Equal(t, 2, run.ExitCode, "state %s without FILE: %s", sub, run.Output)
	}
}

// refusesCorrupt flips one byte of a copy of the backup at file and checks that
// restoring it exits 1 and writes no session or session index under prefix.
func refusesCorrupt(t *testing.T, state func(args ...string) apptest.Run, file string, client redis.UniversalClient, prefix string) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	data[len(data)-3] ^= 0x01
	corrupt := file + ".corrupt"
	require.NoError(t, os.WriteFile(corrupt, data, 0o600))
	run := state("restore", corrupt)
	assert.Equal(t, 1, run.ExitCode, "a corrupted backup: %s", run.Output)
	assert.Contains(t, run.Stderr, "corrupt state backup")
	for _, pattern := range []string{"session:*", "user:sessions:*"} { // the cache may refill meanwhile
		assert.Empty(t, prefixKeys(t, client, prefix+pattern), "nothing restored from a corrupted backup")
	}
}

// sessionTTLs returns the remaining TTL of every session key under prefix.
func sessionTTLs(t *testing.T, client redis.UniversalClient, prefix string) map[string]time.Duration {
	t.Helper()
	ttls := map[string]time.Duration{}
	for _, key := range prefixKeys(t, client, prefix+"session:*") {
		ttl, err := client.PTTL(context.Background(), key).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "%s has a TTL", key)
		ttls[key] = ttl
	}
	return ttls
}

// countShorterTTL counts the keys under prefix that expire within d.
func countShorterTTL(t *testing.T, client redis.UniversalClient, prefix string, d time.Duration) int {
	t.Helper()
	n := 0
	for _, key := range prefixKeys(t, client, prefix+"*") {
		ttl, err := client.PTTL(context.Background(), key).Result()
		require.NoError(t, err)
		if ttl >= 0 && ttl < d {
			n++
		}
	}
	return n
}

// prefixKeys returns the keys matching pattern, from every master of a cluster.
func prefixKeys(t *testing.T, client redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	cluster, ok := client.(*redis.ClusterClient)
	if !ok {
		keys, err := client.Keys(ctx, pattern).Result()
		require.NoError(t, err)
		return keys
	}
	var mu sync.Mutex
	var keys []string
	require.NoError(t, cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		found, err := node.Keys(ctx, pattern).Result()
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, found...)
		return err
	}))
	return keys
}

// deleteKeys deletes keys one by one (a cluster refuses multi-key commands across slots).
func deleteKeys(t *testing.T, client redis.UniversalClient, keys []string) {
	t.Helper()
	for _, key := range keys {
		require.NoError(t, client.Del(context.Background(), key).Err())
	}
}
