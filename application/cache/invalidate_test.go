package cache_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
)

// twoProcesses returns two caches over one store, as two replicas of the service see it.
func twoProcesses(t *testing.T, cfg cache.Config) (a, b *cache.Cache, store *memory.CacheStore, clk *clock.Fake) {
	t.Helper()
	clk = clock.NewFake(epoch)
	store = memory.NewCacheStore(clk)
	return newCache(t, store, clk, cfg), newCache(t, store, clk, cfg), store, clk
}

func TestInvalidate_ReachesEveryProcessAtOnce(t *testing.T) {
	t.Parallel()
	a, b, _, _ := twoProcesses(t, testConfig())
	var la, lb countingLoader
	for _, c := range []struct {
		cache *cache.Cache
		l     *countingLoader
	}{{a, &la}, {b, &lb}} {
		_, err := cache.GetOrLoad(t.Context(), c.cache, profileKey, c.l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), la.calls.Load()+lb.calls.Load(), "b read a's entry")

	require.NoError(t, a.Invalidate(t.Context(), profileKey, cache.NewKey("user:permissions", 1, "u1")))
	_, err := cache.GetOrLoad(t.Context(), b, profileKey, lb.load)
	require.NoError(t, err)
	assert.Equal(t, int64(1), lb.calls.Load(), "b reloads right after a's invalidation")
}

func TestInvalidate_CoversNeighbouringSchemaVersions(t *testing.T) {
	t.Parallel()
	a, b, _, _ := twoProcesses(t, testConfig())
	v1, v2, v4 := cache.NewKey("user:profile", 1, "u1"), cache.NewKey("user:profile", 2, "u1"), cache.NewKey("user:profile", 4, "u1")
	var l countingLoader
	for _, k := range []cache.Key{v1, v2, v4} {
		_, err := cache.GetOrLoad(t.Context(), b, k, l.load)
		require.NoError(t, err)
	}
	require.NoError(t, a.Invalidate(t.Context(), v1)) // an old replica during a rollout
	for _, k := range []cache.Key{v1, v2, v4} {
		_, err := cache.GetOrLoad(t.Context(), b, k, l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3+2), l.calls.Load(), "v1 and v2 reload; v4 is too far to be served side by side")
}

func TestInvalidate_ForgetsTheRequestCache(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	var l countingLoader
	ctx := cache.WithRequestCache(t.Context())
	first, err := cache.GetOrLoad(ctx, c, profileKey, l.load)
	require.NoError(t, err)
	require.NoError(t, c.Invalidate(ctx, profileKey))
	second, err := cache.GetOrLoad(ctx, c, profileKey, l.load)
	require.NoError(t, err)
	assert.Equal(t, first.Version+1, second.Version, "a request sees its own update")
}

func TestInvalidate_FailsWhenTheStoreIsDown(t *testing.T) {
	t.Parallel()
	c := newCache(t, failingStore{}, clock.NewFake(epoch), testConfig())
	require.ErrorIs(t, c.Invalidate(t.Context(), profileKey), errStoreDown)
	require.ErrorIs(t, c.InvalidateFeature(t.Context(), "user:profile"), errStoreDown)
	_, err := c.InvalidatePattern(t.Context(), "user:*")
	require.ErrorIs(t, err, errStoreDown)
}

func TestInvalidatePattern(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	var l countingLoader
	keys := []cache.Key{profileKey, cache.NewKey("user:profile", 1, "u2"), cache.NewKey("deck:list", 1, "u1")}
	for _, k := range keys {
		_, err := cache.GetOrLoad(t.Context(), c, k, l.load)
		require.NoError(t, err)
	}
	n, err := c.InvalidatePattern(t.Context(), "user:profile:*")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	for _, k := range keys {
		_, err := cache.GetOrLoad(t.Context(), c, k, l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3+2), l.calls.Load(), "only the matching entries reload")

	_, err = c.InvalidatePattern(t.Context(), "user:[a-z]*")
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "pattern", ve.Field)
}

func TestInvalidateFeature_HidesEveryEntryAndSweepsThem(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.GenerationTTL = 5 * time.Second
	a, b, store, clk := twoProcesses(t, cfg)
	var l countingLoader
	users := []string{"u1", "u2", "u3"}
	read := func(c *cache.Cache) {
		t.Helper()
		for _, u := range users {
			_, err := cache.GetOrLoad(t.Context(), c, cache.NewKey("user:profile", 1, u), l.load)
			require.NoError(t, err)
		}
	}
	other := cache.NewKey("deck:list", 1, "u1")
	_, err := cache.GetOrLoad(t.Context(), a, other, l.load)
	require.NoError(t, err)
	read(a)
	read(b)
	require.Equal(t, int64(4), l.calls.Load())

	require.NoError(t, a.InvalidateFeature(t.Context(), "user:profile"))
	read(a)
	assert.Equal(t, int64(7), l.calls.Load(), "the invalidating process reloads at once")

	read(b)
	assert.Equal(t, int64(7), l.calls.Load(), "another process may serve its generation until GenerationTTL")
	clk.Advance(cfg.GenerationTTL)
	read(b)
	assert.Equal(t, int64(7), l.calls.Load(), "after GenerationTTL it reads the new generation: a's fresh entries")

	_, err = cache.GetOrLoad(t.Context(), a, other, l.load)
	require.NoError(t, err)
	assert.Equal(t, int64(7), l.calls.Load(), "other features are untouched")

	require.NoError(t, a.Close(t.Context())) // runs the pending sweep now
	st, err := store.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Keys, "the sweep left the generation key and the other feature's entry")
}

func TestInvalidateFeature_NoLaterReadInTheProcessSeesAnOldEntry(t *testing.T) {
	t.Parallel()
	for _, genTTL := range []time.Duration{0, time.Hour} {
		t.Run(genTTL.String(), func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.GenerationTTL = genTTL
			clk := clock.NewFake(epoch)
			// Slow generation reads widen the window in which a read that started before
			// an invalidation finishes after it.
			c := newCache(t, slowGenerationStore{memory.NewCacheStore(clk)}, clk, cfg)
			var version atomic.Int64 // the data of record
			load := func(context.Context) (profile, error) {
				return profile{ID: "u1", Version: int(version.Load())}, nil
			}

			// Readers hammer the key, with and without request caches, while it changes.
			ctx, stop := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Go(func() {
					for ctx.Err() == nil {
						rctx := ctx
						if i%2 == 0 {
							rctx = cache.WithRequestCache(ctx)
						}
						_, _ = cache.GetOrLoad(rctx, c, profileKey, load)
					}
				})
			}
			for v := int64(1); v <= 200; v++ {
				version.Store(v)
				require.NoError(t, c.InvalidateFeature(t.Context(), "user:profile"))
				got, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
				require.NoError(t, err)
				require.Equal(t, int(v), got.Version, "read after InvalidateFeature returned")
			}
			stop()
			wg.Wait()
		})
	}
}

func TestInvalidateFeature_RefusesWideningNames(t *testing.T) {
	t.Parallel()
	c := newCache(t, memory.NewCacheStore(clock.NewFake(epoch)), clock.NewFake(epoch), testConfig())
	for _, f := range []string{"", "*", "user:*", "gen", "gen:user", "user profile", "user::profile"} {
		require.Error(t, c.InvalidateFeature(t.Context(), f), "%q", f)
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]func(*cache.Config){
		"no TTL":            func(c *cache.Config) { c.DefaultTTL = 0 },
		"no negative TTL":   func(c *cache.Config) { c.NegativeTTL = -time.Second },
		"zero beta":         func(c *cache.Config) { c.Beta = 0 },
		"jitter above half": func(c *cache.Config) { c.Jitter = 0.6 },
		"negative jitter":   func(c *cache.Config) { c.Jitter = -0.1 },
		"no load timeout":   func(c *cache.Config) { c.LoadTimeout = 0 },
		"negative gen TTL":  func(c *cache.Config) { c.GenerationTTL = -time.Second },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := cache.DefaultConfig()
			mutate(&cfg)
			_, err := cache.New(memory.NewCacheStore(clock.System{}), cfg, slog.New(slog.DiscardHandler), clock.System{})
			require.Error(t, err)
		})
	}
	_, err := cache.New(memory.NewCacheStore(clock.System{}), cache.DefaultConfig(), nil, clock.System{})
	require.Error(t, err, "a logger is required")
	_, err = cache.New(memory.NewCacheStore(clock.System{}), cache.DefaultConfig(), slog.New(slog.DiscardHandler), clock.System{})
	require.NoError(t, err, "the defaults are valid")
}

// slowGenerationStore delays the answers to reads of generation keys.
type slowGenerationStore struct {
	*memory.CacheStore
}

func (s slowGenerationStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.CacheStore.Get(ctx, key)
	if strings.HasPrefix(key, "gen:") {
		time.Sleep(200 * time.Microsecond)
	}
	return v, err
}
