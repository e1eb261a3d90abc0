package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/redistopo"
	"github.com/studytool/studytool/test/testenv"
)

// TestMain stops the Redis Cluster and the Sentinel pair the topology tests share, then
// checks that the tests' clients left no goroutine behind.
func TestMain(m *testing.M) {
	code := redistopo.Run(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// connectFunc returns a client on one Redis topology, built as the service builds it,
// and a keyspace under a prefix private to the calling test. The prefix's keys are
// deleted from every master when the test ends.
type connectFunc func(t *testing.T) (redis.UniversalClient, keyspace.Keyspace)

// onCluster connects to the shared three-master Redis Cluster.
func onCluster(t *testing.T) (redis.UniversalClient, keyspace.Keyspace) {
	t.Helper()
	c := redistopo.Cluster(t)
	return connectTopology(t, redisstore.ClientConfig{Role: "state", Mode: redisstore.ModeCluster, Addrs: c.Addrs()})
}

// onSentinel connects through Sentinel to the shared master/replica pair.
func onSentinel(t *testing.T) (redis.UniversalClient, keyspace.Keyspace) {
	t.Helper()
	s := redistopo.Sentinel(t)
	return connectTopology(t, redisstore.ClientConfig{
		Role: "state", Mode: redisstore.ModeSentinel, Addrs: s.Addrs(), MasterName: s.MasterName,
	})
}

func connectTopology(t *testing.T, cfg redisstore.ClientConfig) (redis.UniversalClient, keyspace.Keyspace) {
	t.Helper()
	client, err := redisstore.NewClient(cfg)
	require.NoError(t, err)
	require.NoError(t, redisstore.Ping(t.Context(), client))
	prefix := "t" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12] + ":test:"
	t.Cleanup(func() {
		deleteOnEveryMaster(t, client, prefix)
		_ = client.Close()
	})
	return client, keyspace.MustNew("", prefix)
}

// deleteOnEveryMaster removes the keys under prefix; on a cluster, from each master
// (a cluster client's SCAN visits one node only).
func deleteOnEveryMaster(t *testing.T, client redis.UniversalClient, prefix string) {
	t.Helper()
	cluster, ok := client.(*redis.ClusterClient)
	if !ok {
		testenv.DeletePrefix(t, client, prefix)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := cluster.ForEachMaster(ctx, func(_ context.Context, node *redis.Client) error {
		testenv.DeletePrefix(t, node, prefix)
		return nil
	})
	if err != nil {
		t.Logf("clean prefix %s: %v", prefix, err)
	}
}

func TestCluster_SessionStore(t *testing.T)       { runSessionStore(t, onCluster) }
func TestSentinel_SessionStore(t *testing.T)      { runSessionStore(t, onSentinel) }
func TestCluster_RateLimiter(t *testing.T)        { runRateLimiter(t, onCluster) }
func TestSentinel_RateLimiter(t *testing.T)       { runRateLimiter(t, onSentinel) }
func TestCluster_CacheStore(t *testing.T)         { runCacheStore(t, onCluster) }
func TestSentinel_CacheStore(t *testing.T)        { runCacheStore(t, onSentinel) }
func TestCluster_ProgressCache(t *testing.T)      { runProgressCache(t, onCluster) }
func TestSentinel_ProgressCache(t *testing.T)     { runProgressCache(t, onSentinel) }
func TestCluster_StudySessionStore(t *testing.T)  { runStudySessionStore(t, onCluster) }
func TestSentinel_StudySessionStore(t *testing.T) { runStudySessionStore(t, onSentinel) }
func TestCluster_IdempotencyStore(t *testing.T)   { runIdempotencyStore(t, onCluster) }
func TestSentinel_IdempotencyStore(t *testing.T)  { runIdempotencyStore(t, onSentinel) }

func runSessionStore(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.SessionStore(t, func(t *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
		t.Helper()
		client, ks := connect(t)
		return contract.SessionHarness{
			Store:    redisstore.NewSessionStore(client, ks, policy, nil),
			Now:      func() time.Time { return time.Now().UTC() },
			Sleep:    time.Sleep,
			IndexLen: sessionIndexLen(client, ks),
			OnStep:   onRoundTrips(client),
		}
	})
}

func runRateLimiter(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.RateLimiter(t, func(t *testing.T) contract.RateLimiterHarness {
		t.Helper()
		client, ks := connect(t)
		return contract.RateLimiterHarness{Limiter: redisstore.NewRateLimiter(client, ks), Sleep: time.Sleep}
	})
}

func runCacheStore(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.CacheStore(t, func(t *testing.T) contract.CacheHarness {
		t.Helper()
		client, ks := connect(t)
		return cacheHarness(redisstore.NewCacheStore(client, ks), client, ks)
	})
}

func runProgressCache(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.ProgressCache(t, func(t *testing.T, ttl time.Duration) contract.ProgressCacheHarness {
		t.Helper()
		client, ks := connect(t)
		return contract.ProgressCacheHarness{
			Cache:  redisstore.NewProgressCache(client, ks, ttl),
			Sleep:  time.Sleep,
			OnStep: onRoundTrips(client),
		}
	})
}

func runStudySessionStore(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.StudySessionStore(t, func(t *testing.T, ttl time.Duration) contract.StudySessionHarness {
		t.Helper()
		client, ks := connect(t)
		store := redisstore.NewStudySessionStore(client, ks, ttl)
		return contract.StudySessionHarness{Store: store, TTL: store.TTL, Sleep: time.Sleep}
	})
}

func runIdempotencyStore(t *testing.T, connect connectFunc) {
	t.Helper()
	contract.IdempotencyStore(t, func(t *testing.T, policy ports.IdempotencyPolicy) contract.IdempotencyHarness {
		t.Helper()
		client, ks := connect(t)
		return contract.IdempotencyHarness{
			Store: redisstore.NewIdempotencyStore(client, ks, policy), Sleep: time.Sleep, OnStep: onRoundTrips(client),
		}
	})
}

// TestCluster_CachePatternDeletionReachesEveryMaster writes keys that hash to slots of
// all three masters and checks that one DeletePattern removes them from each, and
// nothing else.
func TestCluster_CachePatternDeletionReachesEveryMaster(t *testing.T) {
	t.Parallel()
	client, ks := onCluster(t)
	cluster := requireClusterClient(t, client)
	store := redisstore.NewCacheStore(client, ks)
	ctx := t.Context()

	const n = 60
	perMaster := map[string]int{}
	for i := range n {
		key := fmt.Sprintf("deck:v1:%d", i)
		require.NoError(t, store.Set(ctx, key, []byte("x"), time.Minute))
		require.NoError(t, store.Set(ctx, fmt.Sprintf("user:v1:%d", i), []byte("keep"), time.Minute))
		abs, err := ks.Cache(key)
		require.NoError(t, err)
		perMaster[slotOwner(t, cluster, abs)]++
	}
	require.Len(t, perMaster, 3, "the keys hash to slots of every master: %v", perMaster)
	deckPattern, err := ks.CachePattern("deck:*")
	require.NoError(t, err)
	for _, node := range redistopo.Cluster(t).Nodes {
		assert.Equal(t, perMaster[node.Addr()], countOnNode(t, node.Addr(), deckPattern),
			"keys stored on %s, as CLUSTER KEYSLOT says", node.Addr())
	}

	deleted, err := store.DeletePattern(ctx, "deck:*")
	require.NoError(t, err)
	assert.Equal(t, int64(n), deleted)
	userPattern, err := ks.CachePattern("user:*")
	require.NoError(t, err)
	kept := 0
	for _, node := range redistopo.Cluster(t).Nodes {
		assert.Zero(t, countOnNode(t, node.Addr(), deckPattern), "deck keys left on %s", node.Addr())
		kept += countOnNode(t, node.Addr(), userPattern)
	}
	assert.Equal(t, n, kept, "keys outside the pattern survive")
}

// TestCluster_SessionLimitAndRevocationAcrossMasters checks, on sessions stored on
// other masters than their user's index, that the per-user limit evicts the oldest and
// that logout-all revokes every one.
func TestCluster_SessionLimitAndRevocationAcrossMasters(t *testing.T) {
	t.Parallel()
	client, ks := onCluster(t)
	cluster := requireClusterClient(t, client)
	policy := sessionTestPolicy
	policy.MaxPerUser = 3
	store := redisstore.NewSessionStore(client, ks, policy, nil)
	ctx := t.Context()
	userID := uuid.NewString()
	index, err := ks.UserSessions(userID)
	require.NoError(t, err)
	indexOwner := slotOwner(t, cluster, index)

	const created = 8
	sessions := make([]*domain.Session, created)
	elsewhere := 0
	start := time.Now().Add(-time.Minute)
	for i := range sessions {
		sessions[i] = contract.NewSessionFixture(t, userID, start.Add(time.Duration(i)*time.Second))
		_, err := store.Create(ctx, sessions[i])
		require.NoError(t, err)
		key, err := ks.Session(sessions[i].ID)
		require.NoError(t, err)
		if slotOwner(t, cluster, key) != indexOwner {
			elsewhere++
		}
	}
	require.Positive(t, elsewhere, "some sessions live on another master than their index")

	for i, s := range sessions {
		_, err := store.Validate(ctx, s.ID, time.Now())
		if i < created-policy.MaxPerUser {
			require.ErrorIs(t, err, domain.ErrSessionInvalid, "session %d is beyond the limit", i)
		} else {
			require.NoError(t, err, "session %d is among the newest", i)
		}
	}
	listed, err := store.List(ctx, userID)
	require.NoError(t, err)
	assert.Len(t, listed, policy.MaxPerUser)

	revoked, err := store.DeleteUser(ctx, userID)
	require.NoError(t, err)
	assert.Equal(t, policy.MaxPerUser, revoked)
	for _, s := range sessions {
		_, err := store.Validate(ctx, s.ID, time.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
	}
	n, err := client.Exists(ctx, index).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the index is gone")
}

func requireClusterClient(t *testing.T, client redis.UniversalClient) *redis.ClusterClient {
	t.Helper()
	cluster, ok := client.(*redis.ClusterClient)
	require.True(t, ok, "REDIS_MODE=cluster builds a cluster client, got %T", client)
	return cluster
}

// slotOwner returns the address of the master serving key's hash slot.
func slotOwner(t *testing.T, cluster *redis.ClusterClient, key string) string {
	t.Helper()
	slot, err := cluster.ClusterKeySlot(t.Context(), key).Result()
	require.NoError(t, err)
	shards, err := cluster.ClusterShards(t.Context()).Result()
	require.NoError(t, err)
	for _, shard := range shards {
		for _, r := range shard.Slots {
			if r.Start <= slot && slot <= r.End {
				return masterAddr(t, shard)
			}
		}
	}
	t.Fatalf("no master serves slot %d", slot)
	return ""
}

// masterAddr returns the host:port of a shard's master.
func masterAddr(t *testing.T, shard redis.ClusterShard) string {
	t.Helper()
	for _, n := range shard.Nodes {
		if n.Role == "master" {
			return net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10))
		}
	}
	t.Fatalf("shard %v has no master", shard.Slots)
	return ""
}

// countOnNode counts the keys matching pattern that one cluster node stores.
func countOnNode(t *testing.T, addr, pattern string) int {
	t.Helper()
	node := redis.NewClient(&redis.Options{Addr: addr})
	defer node.Close()
	count := 0
	iter := node.Scan(t.Context(), 0, pattern, 500).Iterator()
	for iter.Next(t.Context()) {
		count++
	}
	require.NoError(t, iter.Err())
	return count
}
