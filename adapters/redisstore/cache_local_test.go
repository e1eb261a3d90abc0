package redisstore_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/localtier"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/testenv"
)

func TestLocalCache_ReadsLocalFeaturesFromTheTier(t *testing.T) {
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	r := newReplica(t, client, redisstore.LocalCachePrefixes(ks, "user:profile")...)
	store := redisstore.NewLocalCache(redisstore.NewCacheStore(r.client, ks), r.tier, "user:profile")
	other := redisstore.NewCacheStore(client, ks) // another replica, without a tier

	require.NoError(t, store.Set(t.Context(), "user:profile:u1", []byte("v1"), time.Minute))
	require.NoError(t, store.Set(t.Context(), "deck:list:u1", []byte("d1"), time.Minute))
	requireEventually(t, func() bool {
		hits := r.tier.Stats().Hits
		got, err := store.Get(t.Context(), "user:profile:u1")
		require.NoError(t, err)
		require.Equal(t, "v1", string(got))
		return r.tier.Stats().Hits > hits
	}, "the tier holds the profile")

	before := r.count.n.Load()
	got, err := store.Get(t.Context(), "user:profile:u1")
	require.NoError(t, err)
	got[0] = 'X' // a caller's change never reaches the tier
	got, err = store.Get(t.Context(), "user:profile:u1")
	require.NoError(t, err)
	assert.Equal(t, "v1", string(got))
	assert.Equal(t, before, r.count.n.Load(), "a local feature is read without a round trip")

	_, err = store.Get(t.Context(), "deck:list:u1")
	require.NoError(t, err)
	assert.Equal(t, before+1, r.count.n.Load(), "other features are read from Redis")

	require.NoError(t, other.Set(t.Context(), "user:profile:u1", []byte("v2"), time.Minute))
	requireEventually(t, func() bool {
		got, err := store.Get(t.Context(), "user:profile:u1")
		require.NoError(t, err)
		return string(got) == "v2"
	}, "a write on another replica reaches this one")

	_, err = other.Delete(t.Context(), "user:profile:u1")
	require.NoError(t, err)
	requireEventually(t, func() bool {
		_, err := store.Get(t.Context(), "user:profile:u1")
		return err != nil
	}, "a delete on another replica reaches this one")
	_, err = store.Get(t.Context(), "user:profile:u1")
	require.ErrorIs(t, err, domain.ErrCacheMiss)
}

func TestNewTracker_RefusesServersItCannotWatch(t *testing.T) {
	tier, err := localtier.New("t", localtier.Config{MaxEntries: 1, MaxBytes: 1})
	require.NoError(t, err)
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	t.Cleanup(func() { _ = cluster.Close() })
	_, err = redisstore.NewTracker(cluster, tier, nil, "p:")
	require.Error(t, err, "a Cluster spreads keys over masters")

	sentinel := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
	t.Cleanup(func() { _ = sentinel.Close() })
	_, err = redisstore.NewTracker(sentinel, tier, nil, "p:")
	require.Error(t, err, "behind Sentinel the watch could stay on a demoted master")

	single := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = single.Close() })
	_, err = redisstore.NewTracker(single, tier, nil)
	require.Error(t, err, "no prefixes")
}
