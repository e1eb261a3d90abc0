package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/testenv"
)

// restored is what `state restore --json` prints.
type restored struct {
	Keys, Restored, Expired, Existing int
}

// TestStateBackupRestore_Redis logs in through a running app on Redis, backs the state
// keys up with the built binary, deletes the app's keys (its own prefix only), checks
// that the bearer tokens are refused, that a corrupted backup is refused (exit 1) and
// restores nothing, then restores the backup and checks that the tokens work again and
// the session keys carry their remaining TTL, never a longer one. A request slides a
// session's expiry, so the TTLs are read with no request in between.
func TestStateBackupRestore_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	a := apptest.Start(t, apptest.Real, nil)
	state := func(args ...string) apptest.Run {
		t.Helper()
		return apptest.RunStudytool(t, bin, a.Environ, append([]string{"state"}, args...)...)
	}
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
			res := c.Do(http.MethodGet, "/v1/me", nil)
			assert.Equal(t, want, res.StatusCode, "GET /v1/me %s: %s", when, res.Body)
		}
	}
	authorized(http.StatusOK, "after login")
	before := sessionTTLs(t, a.Redis, a.Prefix)
	require.Len(t, before, 2)

	file := filepath.Join(t.TempDir(), "state.backup")
	run := state("backup", "--json", file)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var backup struct{ Keys int }
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &backup), "stdout: %s", run.Stdout)
	assert.GreaterOrEqual(t, backup.Keys, 4, "two sessions and two user indexes at least")
	started := time.Now()

	testenv.DeletePrefix(t, a.Redis, a.Prefix)
	authorized(http.StatusUnauthorized, "after the state keys were deleted")

	refusesCorrupt(t, state, file, a.Redis, a.Prefix)

	run = state("restore", "--json", file)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var got restored
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	assert.Equal(t, restored{Keys: backup.Keys, Restored: backup.Keys}, got)
	after := sessionTTLs(t, a.Redis, a.Prefix) // before a request slides the sessions' expiry
	require.Len(t, after, len(before))
	for key, ttl := range before {
		assert.LessOrEqual(t, after[key], ttl, "%s: never a longer TTL", key)
		assert.Greater(t, after[key], ttl-time.Since(started)-5*time.Second, "%s: the TTL it had left", key)
	}
	authorized(http.StatusOK, "after the restore")

	run = state("restore", "--json", file)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	assert.Equal(t, restored{Keys: backup.Keys, Existing: backup.Keys}, got, "existing keys are skipped")
	run = state("restore", "--replace", "--json", file)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	assert.Equal(t, restored{Keys: backup.Keys, Restored: backup.Keys}, got, "--replace overwrites")
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
// restoring it exits 1 and writes no key under prefix.
func refusesCorrupt(t *testing.T, state func(args ...string) apptest.Run, file string, client *redis.Client, prefix string) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	data[len(data)-3] ^= 0x01
	corrupt := file + ".corrupt"
	require.NoError(t, os.WriteFile(corrupt, data, 0o600))
	run := state("restore", corrupt)
	assert.Equal(t, 1, run.ExitCode, "a corrupted backup: %s", run.Output)
	assert.Contains(t, run.Stderr, "corrupt state backup")
	keys, err := client.Keys(context.Background(), prefix+"*").Result()
	require.NoError(t, err)
	assert.Empty(t, keys, "nothing restored from a corrupted backup")
}

// sessionTTLs returns the remaining TTL of every session key under prefix.
func sessionTTLs(t *testing.T, client *redis.Client, prefix string) map[string]time.Duration {
	t.Helper()
	ctx := context.Background()
	keys, err := client.Keys(ctx, prefix+"session:*").Result()
	require.NoError(t, err)
	ttls := make(map[string]time.Duration, len(keys))
	for _, key := range keys {
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "%s has a TTL", key)
		ttls[key] = ttl
	}
	return ttls
}
