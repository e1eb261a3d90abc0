package redisstore_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/testenv"
)

// onStandalone connects to the test Redis server under a prefix of the test's own.
func onStandalone(t *testing.T) (redis.UniversalClient, keyspace.Keyspace) {
	t.Helper()
	client, prefix := testenv.Redis(t)
	return client, keyspace.MustNew("", prefix)
}

func TestStandalone_StateKeyStore(t *testing.T) { runStateKeyStore(t, onStandalone) }
func TestCluster_StateKeyStore(t *testing.T)    { runStateKeyStore(t, onCluster) }
func TestSentinel_StateKeyStore(t *testing.T)   { runStateKeyStore(t, onSentinel) }

// runStateKeyStore plants state keys (with and without a TTL, enough to reach every
// master of a cluster) and cache keys, checks that ScanState returns exactly the state
// keys with at most their TTL, deletes everything, restores the scanned keys and checks
// their values, then that an existing key is kept without replace and overwritten with
// it, and that a key outside the state role is refused.
func runStateKeyStore(t *testing.T, connect connectFunc) {
	t.Helper()
	t.Parallel()
	client, ks := connect(t)
	ctx := t.Context()
	store := redisstore.NewStateKeyStore(client, ks)
	want := map[string]string{}
	for i := range 30 {
		key, err := ks.Session(fmt.Sprintf("%064x", i))
		require.NoError(t, err)
		require.NoError(t, client.Set(ctx, key, fmt.Sprint("session ", i), time.Hour).Err())
		want[key] = fmt.Sprint("session ", i)
	}
	index, err := ks.UserSessions("user-1")
	require.NoError(t, err)
	require.NoError(t, client.Set(ctx, index, "index", 0).Err())
	want[index] = "index"
	cache, err := ks.Cache("deck:v1:1")
	require.NoError(t, err)
	progress, err := ks.Progress("user-1", "card-1")
	require.NoError(t, err)
	require.NoError(t, client.Set(ctx, cache, "cached", time.Hour).Err())
	require.NoError(t, client.Set(ctx, progress, "cached", time.Hour).Err())

	scanned := map[string]ports.StateKey{}
	require.NoError(t, store.ScanState(ctx, func(k ports.StateKey) error {
		scanned[k.Key] = k
		return nil
	}))
	require.ElementsMatch(t, keysOf(want), keysOf(scanned), "the state keys, not the cache's")
	assert.Zero(t, scanned[index].TTL, "a key without expiry")
	assert.InDelta(t, time.Hour, scanned[keysOf(want)[0]].TTL, float64(time.Minute))

	for key := range want { // one by one: a cluster refuses multi-key commands across slots
		require.NoError(t, client.Del(ctx, key).Err())
	}
	for _, k := range scanned {
		written, err := store.RestoreState(ctx, k, false)
		require.NoError(t, err)
		assert.True(t, written, k.Key)
	}
	for key, value := range want {
		assert.Equal(t, value, client.Get(ctx, key).Val(), key)
	}
	ttl := client.PTTL(ctx, index).Val()
	assert.Equal(t, time.Duration(-1), ttl, "restored without expiry")

	k := scanned[index]
	require.NoError(t, client.Set(ctx, index, "changed", 0).Err())
	written, err := store.RestoreState(ctx, k, false)
	require.NoError(t, err)
	assert.False(t, written, "an existing key is kept")
	assert.Equal(t, "changed", client.Get(ctx, index).Val())
	written, err = store.RestoreState(ctx, k, true)
	require.NoError(t, err)
	assert.True(t, written, "replace overwrites")
	assert.Equal(t, "index", client.Get(ctx, index).Val())

	_, err = store.RestoreState(ctx, ports.StateKey{Key: cache, Dump: k.Dump}, true)
	assert.Error(t, err, "a cache key is not restored")
}

// keysOf returns the keys of m.
func keysOf[V any](m map[string]V) []string {
	return slices.Collect(maps.Keys(m))
}
