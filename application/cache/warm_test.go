package cache_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
)

func TestWarmFillsTheCacheWithBoundedConcurrency(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())

	const warmers, limit = 8, 2
	var running, peak, loads atomic.Int64
	list := make([]cache.Warmer, warmers)
	for i := range list {
		key := cache.NewKey("org", 1, strconv.Itoa(i))
		list[i] = cache.Warmer{Feature: "org", Warm: func(ctx context.Context) error {
			recordPeak(&peak, running.Add(1))
			defer running.Add(-1)
			time.Sleep(5 * time.Millisecond) // overlap, so the bound is exercised
			_, err := cache.GetOrLoad(ctx, c, key, func(context.Context) (string, error) {
				loads.Add(1)
				return "org " + key.String(), nil
			})
			return err
		}}
	}
	list = append(list, cache.Warmer{Feature: "broken", Warm: func(context.Context) error { return errors.New("database down") }})

	wait := c.Warm(t.Context(), list, cache.WarmOptions{Concurrency: limit, MaxJitter: 10 * time.Millisecond, Timeout: time.Minute})
	wait()

	assert.LessOrEqual(t, peak.Load(), int64(limit), "never more than Concurrency warmers at once")
	assert.Equal(t, int64(warmers), loads.Load())
	for i := range warmers {
		// Every warmed key is now a hit: the loader is not called again.
		_, err := cache.GetOrLoad(t.Context(), c, cache.NewKey("org", 1, strconv.Itoa(i)), func(context.Context) (string, error) {
			t.Fatalf("warmed key %d loaded again", i)
			return "", nil
		})
		require.NoError(t, err)
	}
}

func TestWarmStopsWhenTheCacheCloses(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	c, err := cache.New(memory.NewCacheStore(clk), testConfig(), slog.New(slog.DiscardHandler), clk)
	require.NoError(t, err)
	started := make(chan struct{})
	wait := c.Warm(context.Background(), []cache.Warmer{{Feature: "slow", Warm: func(ctx context.Context) error {
		close(started)
		<-ctx.Done() // a warmer stuck on a slow database
		return ctx.Err()
	}}}, cache.WarmOptions{Concurrency: 1, Timeout: time.Hour})
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Close(ctx), "Close ends a running warmer instead of waiting an hour")
	wait()
}

// recordPeak raises peak to n when n is higher.
func recordPeak(peak *atomic.Int64, n int64) {
	for {
		p := peak.Load()
		if n <= p || peak.CompareAndSwap(p, n) {
			return
		}
	}
}
