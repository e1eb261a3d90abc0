package redisstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

func TestRedisProgressCache_Contract(t *testing.T) {
	contract.ProgressCache(t, func(t *testing.T, ttl time.Duration) contract.ProgressCacheHarness {
		t.Helper()
		client, prefix := testenv.Redis(t)
		return contract.ProgressCacheHarness{
			Cache:  redisstore.NewProgressCache(client, keyspace.MustNew("", prefix), ttl),
			Sleep:  time.Sleep,
			OnStep: onRoundTrips(client),
		}
	})
}

func TestRedisProgressCache_KeyAndTTL(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	cache := redisstore.NewProgressCache(client, ks, 7*24*time.Hour)
	ctx := t.Context()
	p := &domain.Progress{UserID: uuid.NewString(), CardID: uuid.NewString(), CardState: domain.CardState{State: domain.NewSchedState()}, Version: 1}
	require.NoError(t, cache.Set(ctx, p))

	key := prefix + "progress:" + p.UserID + ":" + p.CardID
	ttl, err := client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 6*24*time.Hour, "the copy lives under the schema's key with the configured TTL")
	assert.LessOrEqual(t, ttl, 7*24*time.Hour)
}

func TestRedisProgressCache_CorruptValue(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	cache := redisstore.NewProgressCache(client, ks, time.Hour)
	ctx := t.Context()
	p := &domain.Progress{UserID: uuid.NewString(), CardID: uuid.NewString(), CardState: domain.CardState{State: domain.NewSchedState()}, Version: 1}
	key, err := ks.Progress(p.UserID, p.CardID)
	require.NoError(t, err)
	require.NoError(t, client.Set(ctx, key, `{"version": "not json`, time.Hour).Err())

	_, err = cache.Get(ctx, p.UserID, p.CardID)
	require.Error(t, err)
	require.NotErrorIs(t, err, domain.ErrCacheMiss, "a corrupt value is reported, not hidden as a miss")

	require.NoError(t, cache.Set(ctx, p), "a value that does not decode is replaced")
	got, err := cache.Get(ctx, p.UserID, p.CardID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version)
}

func TestRedisProgressCache_Unreachable(t *testing.T) {
	t.Parallel()
	// Nothing listens on a port just found free.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t)), MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	cache := redisstore.NewProgressCache(client, keyspace.MustNew("test", ""), time.Hour)
	ctx := t.Context()
	p := &domain.Progress{UserID: uuid.NewString(), CardID: uuid.NewString(), Version: 1}

	_, err := cache.Get(ctx, p.UserID, p.CardID)
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	require.ErrorIs(t, cache.Set(ctx, p), domain.ErrStoreUnavailable)
}
