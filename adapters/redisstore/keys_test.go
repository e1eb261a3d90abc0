package redisstore_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/ports"
)

// TestCluster_KeyInventoryScansEveryMaster writes keys of several families that hash to
// every master, and checks that Scan finds each once, parsed and with its TTL, that
// MemoryUsage weighs them, and that Unlink and RemoveIndexMembers remove exactly what
// they are given.
func TestCluster_KeyInventoryScansEveryMaster(t *testing.T) {
	t.Parallel()
	client, ks := onCluster(t)
	ctx := t.Context()
	inv := redisstore.NewKeyInventory(client, client, ks)

	const n = 30
	var written, progressKeys []string
	for i := range n {
		progress, err := ks.Progress("u1", fmt.Sprintf("c%d", i))
		require.NoError(t, err)
		require.NoError(t, client.Set(ctx, progress, "{}", time.Minute).Err())
		cache, err := ks.Cache(fmt.Sprintf("deck:v1:%d", i))
		require.NoError(t, err)
		require.NoError(t, client.Set(ctx, cache, "x", 0).Err())
		written = append(written, progress, cache)
		progressKeys = append(progressKeys, progress)
	}
	index, err := ks.UserSessions("u1")
	require.NoError(t, err)
	require.NoError(t, client.ZAdd(ctx, index, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err())
	written = append(written, index)
	masters := map[string]bool{}
	for _, k := range written {
		masters[slotOwner(t, requireClusterClient(t, client), k)] = true
	}
	require.Len(t, masters, 3, "the keys hash to slots of every master")

	var mu sync.Mutex
	found := map[string]ports.StoredKey{}
	require.NoError(t, inv.Scan(ctx, func(batch []ports.StoredKey) error {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range batch {
			assert.NotContains(t, found, k.Key, "found once")
			found[k.Key] = k
		}
		return nil
	}))
	require.Len(t, found, len(written))
	assert.Equal(t, ports.StoredKey{Role: "cache", Key: written[0], Family: ports.KeyProgress,
		Pattern: ks.Prefix() + "progress:*:*", UserID: "u1", CardID: "c0", TTL: found[written[0]].TTL}, found[written[0]])
	assert.Positive(t, found[written[0]].TTL)
	assert.Negative(t, found[written[1]].TTL, "a cache key written without a TTL")
	assert.Equal(t, ports.KeyUserSessions, found[index].Family)

	bytes, err := inv.MemoryUsage(ctx, "cache", written[:4])
	require.NoError(t, err)
	for _, b := range bytes {
		assert.Positive(t, b)
	}
	removed, err := inv.Unlink(ctx, "cache", progressKeys)
	require.NoError(t, err)
	assert.Equal(t, int64(n), removed)
	require.NoError(t, inv.RemoveIndexMembers(ctx, "state", index, []string{"a"}))
	members, err := inv.IndexMembers(ctx, "state", index)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, members)

	var left []string
	require.NoError(t, inv.Scan(ctx, func(batch []ports.StoredKey) error {
		for _, k := range batch {
			left = append(left, k.Key)
		}
		return nil
	}))
	want := slices.DeleteFunc(slices.Clone(written), func(k string) bool { return slices.Contains(progressKeys, k) })
	assert.ElementsMatch(t, want, left)
}
