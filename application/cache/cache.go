package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/studytool/studytool/ports"
)

// Cache is the application's cache layer over a ports.CacheStore: typed get-or-load
// (GetOrLoad), invalidation by key, by pattern and by feature, and per-feature
// statistics. It is safe for concurrent use. Close it to finish its background work.
type Cache struct {
	store  ports.CacheStore
	cfg    Config
	logger *slog.Logger
	clock  ports.Clock
	random func() float64

	// loads merges concurrent misses of one storage key into one load.
	loads singleflight.Group
	// bypasses merges concurrent loads of one key while the store cannot be used.
	bypasses singleflight.Group
	// refreshing holds the storage keys whose early (XFetch) refresh is running.
	refreshing sync.Map
	gens       generations
	stats      statsRegistry
	// fence keeps loads that began before an invalidation from writing afterwards.
	fence *fence

	// mu guards closed and the start of background work (bg.Add), so that Close's
	// bg.Wait never races with a new task.
	mu     sync.Mutex
	closed bool
	done   chan struct{}
	bg     sync.WaitGroup
}

// New returns a cache over store. The logger receives store failures (which never fail
// a caller); the clock drives expiry and XFetch.
func New(store ports.CacheStore, cfg Config, logger *slog.Logger, clock ports.Clock, opts ...Option) (*Cache, error) {
	if store == nil || logger == nil || clock == nil {
		return nil, errors.New("cache: store, logger and clock are required")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("cache: config: %w", err)
	}
	c := &Cache{
		store:  store,
		cfg:    cfg,
		logger: logger,
		clock:  clock,
		random: rand.Float64,
		gens:   generations{entries: make(map[string]*generation)},
		done:   make(chan struct{}),
		fence:  newFence(cfg.LoadTimeout),
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Close stops starting background work, runs pending invalidation sweeps without their
// delay, and waits for running refreshes and sweeps until ctx ends. The cache keeps
// serving afterwards, without early refreshes or sweeps.
func (c *Cache) Close(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.done)
	}
	c.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		c.bg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cache: close: %w", ctx.Err())
	}
}

// goBackground runs task in a goroutine tracked by Close, unless the cache is closed.
func (c *Cache) goBackground(task func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		task()
	}()
	return true
}

// jitter scales ttl by a random factor in [1-Jitter, 1+Jitter], never below 1 ms.
func (c *Cache) jitter(ttl time.Duration) time.Duration {
	if c.cfg.Jitter == 0 {
		return ttl
	}
	factor := 1 + c.cfg.Jitter*(2*c.random()-1)
	return max(time.Duration(float64(ttl)*factor), time.Millisecond)
}

// dueForRefresh is XFetch (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic
// Cache Stampede Prevention", VLDB 2015): recompute when
// now − Δ·β·ln(u) ≥ expiry, u uniform in (0, 1]. An entry that took Δ to compute is
// refreshed early with a probability that rises towards its expiry, and the more so the
// more expensive it is, so one caller recomputes it before it expires instead of many
// after.
func (c *Cache) dueForRefresh(e Entry, now time.Time) bool {
	if e.Delta <= 0 {
		return false
	}
	u := 1 - c.random() // (0, 1]
	gap := -float64(e.Delta) * c.cfg.Beta * math.Log(u)
	return gap >= float64(e.Expiry.Sub(now))
}
