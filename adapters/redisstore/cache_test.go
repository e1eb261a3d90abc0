package redisstore_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

// newRedisCacheStore returns a cache store on the test server whose whole keyspace lies
// under the test's own prefix (cleaned up by testenv), and that prefix.
func newRedisCacheStore(t *testing.T) (*redisstore.CacheStore, *redis.Client, string) {
	t.Helper()
	client, prefix := testenv.Redis(t)
	return redisstore.NewCacheStore(client, cacheTestKeyspace(t, prefix)), client, prefix
}

// cacheTestKeyspace is the keyspace of newRedisCacheStore's store under prefix.
func cacheTestKeyspace(t *testing.T, prefix string) keyspace.Keyspace {
	t.Helper()
	ks, err := keyspace.New("", prefix+"envA:")
	require.NoError(t, err)
	return ks
}

func TestRedisCacheStore_Contract_RequiresRedis(t *testing.T) {
	contract.CacheStore(t, func(t *testing.T) contract.CacheHarness {
		t.Helper()
		s, client, prefix := newRedisCacheStore(t)
		return cacheHarness(s, client, cacheTestKeyspace(t, prefix))
	})
}

func TestRedisCacheStore_PatternsNeverLeaveTheNamespace_RequiresRedis(t *testing.T) {
	t.Parallel()
	s, client, prefix := newRedisCacheStore(t)
	ctx := t.Context()
	outside := []string{
		prefix + "envA:session:abc",
		prefix + "envA:user:sessions:u1",
		prefix + "envA:progress:u1:c1",
		prefix + "envA:study:sessions:u1:s1",
		prefix + "envA:cachex:user:1", // shares the namespace's text but not its separator
		prefix + "envA:cache",
		prefix + "envB:cache:user:profile:v1:1", // another environment's cache
		prefix + "envB:cache:session:abc",
	}
	for _, k := range outside {
		require.NoError(t, client.Set(ctx, k, "keep", time.Minute).Err())
	}
	require.NoError(t, s.Set(ctx, "user:profile:v1:1", []byte("x"), time.Minute))
	require.NoError(t, s.Set(ctx, "session:abc", []byte("x"), time.Minute))

	var deleted int64
	for _, p := range []string{"../*", "..:*", "session:*", "*session*", "*cache*", "?*", "*"} {
		n, err := s.DeletePattern(ctx, p)
		require.NoError(t, err, p)
		deleted += n
	}
	assert.Equal(t, int64(2), deleted, "only the two cache keys were deleted")
	for _, k := range outside {
		assert.Equal(t, int64(1), client.Exists(ctx, k).Val(), "%s must survive", k)
	}
	assert.Zero(t, client.Exists(ctx, prefix+"envA:cache:user:profile:v1:1", prefix+"envA:cache:session:abc").Val())
}

func TestRedisCacheStore_WritesUnderTheNamespaceWithTTL_RequiresRedis(t *testing.T) {
	t.Parallel()
	s, client, prefix := newRedisCacheStore(t)
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "user:profile:v2:12345", []byte("x"), 90*time.Second))
	ttl := client.PTTL(ctx, prefix+"envA:cache:user:profile:v2:12345").Val()
	assert.Greater(t, ttl, 80*time.Second, "the key carries its TTL")
	assert.LessOrEqual(t, ttl, 90*time.Second)
}

func TestRedisCacheStore_StatsReadInfo_RequiresRedis(t *testing.T) {
	t.Parallel()
	s, _, _ := newRedisCacheStore(t)
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "stats:v1:1", []byte("x"), time.Minute))
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, "redis", st.Backend)
	assert.Positive(t, st.Keys, "the test database holds at least the key just written")
	assert.Positive(t, st.MemoryBytes)
	assert.GreaterOrEqual(t, st.EvictedKeys, int64(0))
}

func TestRedisCacheStore_DownServerIsUnavailable(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", MaxRetries: -1,
		DialTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond,
	})
	t.Cleanup(func() { _ = client.Close() })
	s := redisstore.NewCacheStore(client, keyspace.MustNew("test", ""))
	ctx := t.Context()

	calls := map[string]func() error{
		"get":            func() error { _, err := s.Get(ctx, "a:1"); return err },
		"get many":       func() error { _, err := s.GetMany(ctx, []string{"a:1"}); return err },
		"set":            func() error { return s.Set(ctx, "a:1", []byte("x"), time.Minute) },
		"delete":         func() error { _, err := s.Delete(ctx, "a:1"); return err },
		"delete pattern": func() error { _, err := s.DeletePattern(ctx, "a:*"); return err },
		"incr":           func() error { _, err := s.Incr(ctx, "a:1"); return err },
		"stats":          func() error { _, err := s.Stats(ctx); return err },
		"ping":           func() error { return s.Ping(ctx) },
	}
	for name, call := range calls {
		err := call()
		require.ErrorIs(t, err, domain.ErrStoreUnavailable, name)
		require.NotErrorIs(t, err, domain.ErrCacheMiss, "%s: an outage is not a miss", name)
	}
}
