package memory_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
)

// cacheEpoch is where the fake clocks of these tests start.
var cacheEpoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// TestMemoryCacheStore_Contract plants the contract's neighbours (sessions, indexes,
// progress and study sessions) in the store's own map under their Redis keys: the twin
// keys its map as Redis keys a database, so the neighbours stand where a shared Redis
// would hold them, within reach of a pattern deletion that strayed from its namespace.
func TestMemoryCacheStore_Contract(t *testing.T) {
	contract.CacheStore(t, func(*testing.T) contract.CacheHarness {
		s := memory.NewCacheStore(clock.System{})
		return contract.CacheHarness{
			Store: s,
			Plant: func(_ context.Context, n contract.Neighbour) error {
				key, err := n.Key(memory.CacheKeyspace)
				if err == nil {
					memory.PlantKey(s, key)
				}
				return err
			},
			Planted: func(_ context.Context, n contract.Neighbour) (bool, error) {
				key, err := n.Key(memory.CacheKeyspace)
				return err == nil && memory.HasKey(s, key), err
			},
		}
	})
}

func TestMemoryCacheStore_ExpiresOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(cacheEpoch)
	s := memory.NewCacheStore(clk)
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "user:profile:v1:u1", []byte("x"), time.Minute))

	clk.Advance(time.Minute - time.Millisecond)
	_, err := s.Get(ctx, "user:profile:v1:u1")
	require.NoError(t, err, "alive just before its TTL")

	clk.Advance(time.Millisecond)
	_, err = s.Get(ctx, "user:profile:v1:u1")
	require.ErrorIs(t, err, domain.ErrCacheMiss, "gone at its TTL")
}

func TestMemoryCacheStore_StatsCountLiveKeysAndBytes(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(cacheEpoch)
	s := memory.NewCacheStore(clk)
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "a:1", make([]byte, 100), time.Minute))
	require.NoError(t, s.Set(ctx, "a:2", make([]byte, 50), time.Hour))
	require.NoError(t, s.Set(ctx, "a:2", make([]byte, 10), time.Hour)) // overwrite shrinks
	_, err := s.Incr(ctx, "gen:a")
	require.NoError(t, err)

	st, err := s.Stats(ctx)
	require.NoError(t, err)
	ns := len(memory.CacheKeyspace.CacheNamespace()) // keys are held whole, namespace included
	assert.Equal(t, ports.CacheStoreStats{Backend: "memory", Keys: 3, MemoryBytes: int64(3*ns + 3 + 100 + 3 + 10 + 5 + 1)}, st)

	clk.Advance(2 * time.Minute)
	st, err = s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Keys, "the expired key no longer counts")
	assert.Equal(t, int64(2*ns+3+10+5+1), st.MemoryBytes)

	_, err = s.DeletePattern(ctx, "*")
	require.NoError(t, err)
	st, err = s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, ports.CacheStoreStats{Backend: "memory"}, st)
}

func TestMemoryCacheStore_GlobMatchesLikeRedis(t *testing.T) {
	t.Parallel()
	keys := []string{"user:profile:v1:1", "user:profile:v1:12", "user:permissions:v1:1", "deck:list:v1:1", "usr:x"}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*", keys},
		{"user:*", keys[:3]},
		{"user*1", []string{"user:profile:v1:1", "user:permissions:v1:1"}},
		{"*:1", []string{"user:profile:v1:1", "user:permissions:v1:1", "deck:list:v1:1"}},
		{"user:profile:v1:?", []string{"user:profile:v1:1"}},
		{"user:profile:v1:??", []string{"user:profile:v1:12"}},
		{"us?r:*", keys[:3]},
		{"*list*", []string{"deck:list:v1:1"}},
		{"user:profile:v1:1", []string{"user:profile:v1:1"}},
		{"*:*:*:*:*", nil},
		{"u*r:x", []string{"usr:x"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			s := memory.NewCacheStore(clock.NewFake(cacheEpoch))
			ctx := t.Context()
			for _, k := range keys {
				require.NoError(t, s.Set(ctx, k, []byte("x"), time.Minute))
			}
			n, err := s.DeletePattern(ctx, tt.pattern)
			require.NoError(t, err)
			assert.Equal(t, int64(len(tt.want)), n)
			for _, k := range keys {
				_, err := s.Get(ctx, k)
				gone := errors.Is(err, domain.ErrCacheMiss)
				assert.Equal(t, slices.Contains(tt.want, k), gone, "%s", k)
			}
		})
	}
}
