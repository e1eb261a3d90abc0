package cache_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/ports"
)

// epoch is where the fake clocks of these tests start.
var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// profile stands for a cached use-case result.
type profile struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

var profileKey = cache.NewKey("user:profile", 1, "u1")

// testConfig is DefaultConfig without jitter, so lifetimes are exact.
func testConfig() cache.Config {
	cfg := cache.DefaultConfig()
	cfg.Jitter = 0
	return cfg
}

// newCache returns a cache over store that is closed (its background work finished) when
// the test ends.
func newCache(t testing.TB, store ports.CacheStore, clk ports.Clock, cfg cache.Config, opts ...cache.Option) *cache.Cache {
	t.Helper()
	c, err := cache.New(store, cfg, slog.New(slog.DiscardHandler), clk, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Second)
		defer cancel()
		require.NoError(t, c.Close(ctx))
	})
	return c
}

// fixedRandom makes jitter and XFetch deterministic.
func fixedRandom(v float64) cache.Option {
	return cache.WithRandom(func() float64 { return v })
}

// countingLoader returns profiles whose Version counts its calls.
type countingLoader struct {
	calls atomic.Int64
}

func (l *countingLoader) load(context.Context) (profile, error) {
	n := l.calls.Add(1)
	return profile{ID: "u1", Name: "Ada", Version: int(n)}, nil
}

// countingStore is a memory store that counts the reads of data keys (not generations).
type countingStore struct {
	*memory.CacheStore
	gets atomic.Int64
}

func newCountingStore(clk ports.Clock) *countingStore {
	return &countingStore{CacheStore: memory.NewCacheStore(clk)}
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if !strings.HasPrefix(key, "gen:") {
		s.gets.Add(1)
	}
	return s.CacheStore.Get(ctx, key)
}

// failingStore fails every call, like a Redis that is down or a breaker that is open.
type failingStore struct{}

var errStoreDown = errors.New("connection refused")

func (failingStore) Get(context.Context, string) ([]byte, error) { return nil, errStoreDown }
func (failingStore) GetMany(context.Context, []string) (map[string][]byte, error) {
	return nil, errStoreDown
}
func (failingStore) Set(context.Context, string, []byte, time.Duration) error { return errStoreDown }
func (failingStore) Delete(context.Context, ...string) (int64, error)         { return 0, errStoreDown }
func (failingStore) DeletePattern(context.Context, string) (int64, error)     { return 0, errStoreDown }
func (failingStore) Incr(context.Context, string) (int64, error)              { return 0, errStoreDown }
func (failingStore) Stats(context.Context) (ports.CacheStoreStats, error) {
	return ports.CacheStoreStats{}, errStoreDown
}
func (failingStore) Ping(context.Context) error { return errStoreDown }

// gate blocks loaders until opened.
type gate struct {
	once    sync.Once
	entered chan struct{}
	open    chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}), open: make(chan struct{})} }

// wait signals that a loader entered and blocks until the gate opens.
func (g *gate) wait(ctx context.Context) error {
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
