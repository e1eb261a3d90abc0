package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

func TestGetOrLoad_HitAfterMiss(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	var l countingLoader

	for range 3 {
		got, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
		require.NoError(t, err)
		assert.Equal(t, profile{ID: "u1", Name: "Ada", Version: 1}, got)
	}
	assert.Equal(t, int64(1), l.calls.Load())
	st := c.Stats()
	assert.Equal(t, int64(2), st.Hits)
	assert.Equal(t, int64(1), st.Misses)
	assert.InDelta(t, 2.0/3.0, st.HitRate, 1e-9)
	assert.Equal(t, ports.CacheFeatureStats{Hits: 2, Misses: 1, Loads: 1}, st.Features["user:profile"])
}

func TestGetOrLoad_ThousandConcurrentMissesMakeOneLoad(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	g := newGate()
	var calls atomic.Int64
	load := func(ctx context.Context) (profile, error) {
		calls.Add(1)
		if err := g.wait(ctx); err != nil {
			return profile{}, err
		}
		return profile{ID: "u1", Name: "Ada"}, nil
	}

	const callers = 1000
	var started, done sync.WaitGroup
	started.Add(callers)
	errs := make(chan error, callers)
	for range callers {
		done.Go(func() {
			started.Done()
			got, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
			if err == nil && got.Name != "Ada" {
				err = fmt.Errorf("got %+v", got)
			}
			errs <- err
		})
	}
	started.Wait()
	<-g.entered
	close(g.open)
	done.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), calls.Load(), "exactly one loader call for one key")
	assert.Equal(t, int64(1), c.Stats().Features["user:profile"].Loads)
}

func TestGetOrLoad_CancellingTheFirstCallerFailsNoWaiter(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	g := newGate()
	var calls atomic.Int64
	load := func(ctx context.Context) (profile, error) {
		calls.Add(1)
		if err := g.wait(ctx); err != nil {
			return profile{}, err
		}
		if err := ctx.Err(); err != nil {
			return profile{}, fmt.Errorf("loader saw its context end: %w", err)
		}
		return profile{ID: "u1", Name: "Ada"}, nil
	}

	firstCtx, cancelFirst := context.WithCancel(t.Context())
	firstErr := make(chan error, 1)
	go func() {
		_, err := cache.GetOrLoad(firstCtx, c, profileKey, load)
		firstErr <- err
	}()
	<-g.entered

	const waiters = 50
	var wg sync.WaitGroup
	results := make(chan error, waiters)
	for range waiters {
		wg.Go(func() {
			got, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
			if err == nil && got.Name != "Ada" {
				err = fmt.Errorf("got %+v", got)
			}
			results <- err
		})
	}

	cancelFirst()
	require.ErrorIs(t, <-firstErr, context.Canceled, "the cancelled caller returns at once with its own error")
	close(g.open)
	wg.Wait()
	close(results)
	for err := range results {
		require.NoError(t, err, "a waiter must not fail because the first caller went away")
	}
	assert.Equal(t, int64(1), calls.Load())
}

func TestGetOrLoad_WaiterHonoursItsOwnDeadline(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	g := newGate()
	load := func(ctx context.Context) (profile, error) {
		if err := g.wait(ctx); err != nil {
			return profile{}, err
		}
		return profile{ID: "u1", Name: "Ada"}, nil
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := cache.GetOrLoad(ctx, c, profileKey, load)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	close(g.open) // the detached load goes on and fills the cache for the next caller
	var l countingLoader
	require.Eventually(t, func() bool {
		got, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
		return err == nil && got.Version == 0 && got.Name == "Ada"
	}, 10*time.Second, 10*time.Millisecond)
	assert.Zero(t, l.calls.Load(), "the abandoned load's result was cached")
}

func TestGetOrLoad_StoreDownServesTheLoader(t *testing.T) {
	t.Parallel()
	down := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", MaxRetries: -1,
		DialTimeout: 50 * time.Millisecond, ReadTimeout: 50 * time.Millisecond, WriteTimeout: 50 * time.Millisecond,
	})
	t.Cleanup(func() { _ = down.Close() })
	stores := map[string]func() *cache.Cache{
		"failing fake": func() *cache.Cache {
			return newCache(t, failingStore{}, clock.NewFake(epoch), testConfig())
		},
		"redis on a closed port": func() *cache.Cache {
			return newCache(t, redisstore.NewCacheStore(down, keyspace.MustNew("test", "")), clock.System{}, testConfig())
		},
	}
	for name, build := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := build()
			var l countingLoader
			for i := 1; i <= 3; i++ {
				got, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
				require.NoError(t, err, "the cache never fails the call")
				assert.Equal(t, i, got.Version, "every call is served by the loader")
			}
			st := c.Stats().Features["user:profile"]
			assert.Equal(t, int64(3), st.Errors, "each failed read is counted")
			assert.Equal(t, int64(3), st.Loads)
			assert.Zero(t, st.Hits+st.Misses, "an outage is neither a hit nor a miss")
		})
	}
}

func TestGetOrLoad_WriteErrorIsCountedNotReturned(t *testing.T) {
	t.Parallel()
	store := mocks.NewCacheStore(t)
	store.EXPECT().Get(mock.Anything, "gen:user:profile").Return(nil, domain.ErrCacheMiss).Once()
	store.EXPECT().Get(mock.Anything, "user:profile:v1:g0:u1").Return(nil, domain.ErrCacheMiss).Twice()
	store.EXPECT().Set(mock.Anything, "user:profile:v1:g0:u1", mock.Anything, 5*time.Minute).Return(errStoreDown).Once()
	c := newCache(t, store, clock.NewFake(epoch), testConfig())

	var l countingLoader
	got, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Version)
	assert.Equal(t, ports.CacheFeatureStats{Misses: 1, Errors: 1, Loads: 1}, c.Stats().Features["user:profile"])
}

func TestGetOrLoad_LoaderErrorsAreReturnedAndNotCached(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	boom := errors.New("database down")
	var calls atomic.Int64
	load := func(context.Context) (profile, error) {
		calls.Add(1)
		return profile{}, boom
	}
	for range 2 {
		_, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
		require.ErrorIs(t, err, boom)
	}
	assert.Equal(t, int64(2), calls.Load(), "a failure is not cached")
}

func TestGetOrLoad_LoaderPanicBecomesAnError(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	_, err := cache.GetOrLoad(t.Context(), c, profileKey, func(context.Context) (profile, error) {
		panic("nil map")
	})
	require.ErrorContains(t, err, "loader panicked: nil map")
}

func TestGetOrLoad_NegativeCaching(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	cfg := testConfig()
	cfg.NegativeTTL = 30 * time.Second
	c := newCache(t, memory.NewCacheStore(clk), clk, cfg)
	var calls atomic.Int64
	load := func(context.Context) (profile, error) {
		calls.Add(1)
		return profile{}, fmt.Errorf("user repo: get u1: %w", domain.ErrNotFound)
	}

	for range 3 {
		_, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
		require.ErrorIs(t, err, domain.ErrNotFound)
	}
	assert.Equal(t, int64(1), calls.Load(), "the absence is cached")

	clk.Advance(30 * time.Second)
	_, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.Equal(t, int64(2), calls.Load(), "the tombstone lives NegativeTTL only")
	assert.Equal(t, int64(2), c.Stats().Features["user:profile"].Hits)
}

func TestGetOrLoad_TTLAndJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		random float64
		// alive is how long the entry must be served; the next millisecond it is gone.
		alive time.Duration
	}{
		{"shortest", 0, 90 * time.Second},
		{"unchanged", 0.5, 100 * time.Second},
		{"longest", 0.999999, 110 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(epoch)
			cfg := testConfig()
			cfg.Jitter = 0.1
			c := newCache(t, memory.NewCacheStore(clk), clk, cfg, fixedRandom(tt.random))
			var l countingLoader
			get := func() {
				_, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load, cache.WithTTL(100*time.Second))
				require.NoError(t, err)
			}
			get()
			clk.Advance(tt.alive - time.Second)
			get()
			assert.Equal(t, int64(1), l.calls.Load(), "served within the jittered TTL")
			clk.Advance(time.Second)
			get()
			assert.Equal(t, int64(2), l.calls.Load(), "expired at the jittered TTL")
		})
	}
}

func TestGetOrLoad_XFetchRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	cfg := testConfig()
	cfg.DefaultTTL = time.Minute
	// u = 1 − 0.5, −ln(u) ≈ 0.693: with Δ = 1 s and β = 1 the refresh window is the last
	// 0.693 s before expiry.
	c := newCache(t, memory.NewCacheStore(clk), clk, cfg, fixedRandom(0.5))
	var calls atomic.Int64
	load := func(context.Context) (profile, error) {
		n := calls.Add(1)
		if n == 1 {
			clk.Advance(time.Second) // the first computation takes Δ = 1 s
		}
		return profile{ID: "u1", Version: int(n)}, nil
	}
	get := func() profile {
		got, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
		require.NoError(t, err)
		return got
	}

	require.Equal(t, 1, get().Version) // expires one minute after the load finished
	clk.Advance(time.Minute - 700*time.Millisecond)
	assert.Equal(t, 1, get().Version, "outside the window: a plain hit")
	assert.Equal(t, int64(1), calls.Load())

	clk.Advance(100 * time.Millisecond) // 0.6 s before expiry: inside the window
	assert.Equal(t, 1, get().Version, "the current value is served while the refresh runs")
	require.Eventually(t, func() bool { return calls.Load() == 2 }, 10*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return get().Version == 2 }, 10*time.Second, time.Millisecond,
		"the refreshed value replaces the old one before the old one expired")
	st := c.Stats().Features["user:profile"]
	assert.GreaterOrEqual(t, st.StaleServes, int64(1))
	assert.Equal(t, int64(2), st.Loads, "one early refresh, however many reads saw the window")
}

func TestGetOrLoad_XFetchWindowGrowsWithBeta(t *testing.T) {
	t.Parallel()
	tests := []struct {
		beta    float64
		random  float64
		refresh bool
	}{
		{beta: 1, random: 0.5, refresh: false},     // window 0.69 s, 5 s before expiry
		{beta: 10, random: 0.5, refresh: true},     // window 6.9 s
		{beta: 1, random: 0.999, refresh: true},    // window 6.9 s: an unlucky draw
		{beta: 0.1, random: 0.999, refresh: false}, // window 0.69 s
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("beta %g u %g", tt.beta, 1-tt.random), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(epoch)
			cfg := testConfig()
			cfg.Beta = tt.beta
			c := newCache(t, memory.NewCacheStore(clk), clk, cfg, fixedRandom(tt.random))
			var calls atomic.Int64
			load := func(context.Context) (profile, error) {
				calls.Add(1)
				clk.Advance(time.Second)
				return profile{ID: "u1"}, nil
			}
			_, err := cache.GetOrLoad(t.Context(), c, profileKey, load)
			require.NoError(t, err)
			clk.Advance(cfg.DefaultTTL - 5*time.Second)
			_, err = cache.GetOrLoad(t.Context(), c, profileKey, load)
			require.NoError(t, err)
			require.NoError(t, c.Close(t.Context())) // waits for a refresh, if one started
			assert.Equal(t, tt.refresh, calls.Load() == 2)
			assert.Equal(t, tt.refresh, c.Stats().Features["user:profile"].StaleServes == 1)
		})
	}
}

func TestGetOrLoad_UnreadableEntriesAreMisses(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	store := memory.NewCacheStore(clk)
	c := newCache(t, store, clk, testConfig())
	foreign := map[string][]byte{
		"other program": []byte(`{"id":"u1","name":"Mallory"}`),
		"binary junk":   {0xCA, 0xCE, 9, 0, 1, 2, 3},
		"wrong shape":   mustEncode(t, cache.Entry{Value: []byte(`[1,2,3]`), Expiry: epoch.Add(time.Hour)}),
	}
	for name, raw := range foreign {
		require.NoError(t, store.Set(t.Context(), "user:profile:v1:g0:u1", raw, time.Hour), name)
		var l countingLoader
		got, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
		require.NoError(t, err, name)
		assert.Equal(t, "Ada", got.Name, name)
		assert.Equal(t, int64(1), l.calls.Load(), name)

		got, err = cache.GetOrLoad(t.Context(), c, profileKey, l.load)
		require.NoError(t, err, name)
		assert.Equal(t, "Ada", got.Name, name)
		assert.Equal(t, int64(1), l.calls.Load(), "%s: the unreadable entry was replaced", name)
	}
	assert.Equal(t, int64(3), c.Stats().Features["user:profile"].Corrupt)
}

func TestGetOrLoad_BinaryValuesRoundTrip(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	want := []byte{0, 1, 2, 0xff, '"', '\\'}
	key := cache.NewKey("blob", 1, "b1")
	for range 2 {
		got, err := cache.GetOrLoad(t.Context(), c, key, func(context.Context) ([]byte, error) { return want, nil })
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	assert.Equal(t, int64(1), c.Stats().Features["blob"].Hits)
}

func TestGetOrLoad_UnusableKeysServeTheLoader(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	for _, key := range []cache.Key{
		cache.NewKey("user:profile", 0, "u1"),
		cache.NewKey("user:profile", 1, ""),
		cache.NewKey("gen", 1, "u1"),
		cache.NewKey("user:*", 1, "u1"),
		cache.NewKey("user::profile", 1, "u1"),
		cache.NewKey("user:profile", 1, "a b"), // refused by the store
	} {
		var l countingLoader
		before := c.Stats().Features[key.Feature()].Errors
		for range 2 {
			got, err := cache.GetOrLoad(t.Context(), c, key, l.load)
			require.NoError(t, err, key.String())
			assert.Equal(t, "Ada", got.Name)
		}
		assert.Equal(t, int64(2), l.calls.Load(), "%s is never cached", key)
		assert.Equal(t, before+2, c.Stats().Features[key.Feature()].Errors, key.String())
	}
}

func TestGetOrLoad_RequestCacheSavesRoundTrips(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(epoch)
	store := newCountingStore(clk)
	c := newCache(t, store, clk, testConfig())
	var l countingLoader

	ctx := cache.WithRequestCache(t.Context())
	assert.Equal(t, ctx, cache.WithRequestCache(ctx), "nesting keeps the request's cache")
	for range 5 {
		_, err := cache.GetOrLoad(ctx, c, profileKey, l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(2), store.gets.Load(), "one read and the flight's re-check, then the request cache")

	other := cache.WithRequestCache(t.Context())
	for range 3 {
		_, err := cache.GetOrLoad(other, c, profileKey, l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3), store.gets.Load(), "another request reads the store once")

	for range 2 {
		_, err := cache.GetOrLoad(t.Context(), c, profileKey, l.load)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(5), store.gets.Load(), "without a request cache every read goes to the store")
	assert.Equal(t, int64(1), l.calls.Load())
}

func mustEncode(t *testing.T, e cache.Entry) []byte {
	t.Helper()
	b, err := cache.Encode(e)
	require.NoError(t, err)
	return b
}
