package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/studytool/studytool/domain"
)

// Feature generations make InvalidateFeature O(1): every storage key carries its
// feature's generation (`feature:vN:gG:id`), so replacing the generation hides every
// entry of the feature at once; a background sweep then deletes the hidden entries.
//
// The generation is a random token stored at `gen:<feature>`, not a counter: the cache
// Redis may evict or expire the key (allkeys-lru), and a counter recreated from zero
// would hand out old numbers again and resurrect entries that were invalidated. A missing
// key reads as generation "0", which only ever names entries written while the key was
// missing — fresh ones — and every InvalidateFeature moves away from it for good.
//
// Consistency: a process that calls InvalidateFeature switches to the new generation
// before the call returns, so none of its later reads (in any request) sees an old
// entry. Other processes keep the generation they read for at most
// Config.GenerationTTL and converge within it.

// generationKeyTTL is the lifetime of a generation key. Far longer than any entry; when
// it lapses the feature falls back to generation "0", which is a feature-wide miss, never
// a stale read.
const generationKeyTTL = 7 * 24 * time.Hour

// sweepTimeout bounds one background sweep of a feature's hidden entries.
const sweepTimeout = 5 * time.Minute

// missingGeneration is the generation of a feature whose key is absent.
const missingGeneration = "0"

// generations is the process's view of the feature generations.
type generations struct {
	// mu is held shared by snapshot, the read of every cached get, and exclusively by
	// every change.
	mu      sync.RWMutex
	entries map[string]*generation
	// flights merges concurrent store reads of one feature's generation.
	flights singleflight.Group
}

type generation struct {
	gen     string
	known   bool
	fetched time.Time
	// epoch counts this process's InvalidateFeature calls on the feature; a read that
	// started under an older epoch must not replace the generation they set.
	epoch uint64
}

// entry returns the record of feature, creating it. The caller holds g.mu.
func (g *generations) entry(feature string) *generation {
	e, ok := g.entries[feature]
	if !ok {
		e = &generation{}
		g.entries[feature] = e
	}
	return e
}

// snapshot returns feature's generation if it is fresh at now (within ttl), and the
// current epoch.
func (g *generations) snapshot(feature string, now time.Time, ttl time.Duration) (gen string, fresh bool, epoch uint64) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	e, ok := g.entries[feature]
	if !ok {
		return "", false, 0 // what entry would create: not known, epoch 0
	}
	return e.gen, e.known && now.Sub(e.fetched) < ttl, e.epoch
}

// epochOf returns the current epoch of feature.
func (g *generations) epochOf(feature string) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entry(feature).epoch
}

// settle records gen, read from the store by a read that started under epoch read,
// unless a local invalidation came in between (then that invalidation's generation wins);
// it returns the generation to use and the epoch it belongs to.
func (g *generations) settle(feature, gen string, read uint64, now time.Time) (string, uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(feature)
	if e.epoch != read {
		return e.gen, e.epoch
	}
	e.gen, e.known, e.fetched = gen, true, now
	return gen, e.epoch
}

// replace installs a new generation (a local InvalidateFeature) and returns its epoch.
func (g *generations) replace(feature, gen string, now time.Time) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(feature)
	e.epoch++
	e.gen, e.known, e.fetched = gen, true, now
	return e.epoch
}

// local returns the generation this process holds for feature, if any.
func (g *generations) local(feature string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(feature)
	return e.gen, e.known
}

// generation returns feature's current generation: from the request cache while this
// process has not invalidated the feature since, else from the process cache while it is
// fresh, else from the store (one read per feature at a time).
func (c *Cache) generation(ctx context.Context, feature string) (string, error) {
	rc := requestCacheFrom(ctx)
	gen, fresh, epoch := c.gens.snapshot(feature, c.clock.Now(), c.cfg.GenerationTTL)
	if memo, ok := rc.generation(feature); ok && memo.epoch == epoch {
		return memo.gen, nil
	}
	if !fresh {
		read, err := shared(ctx, c, &c.gens.flights, feature, func(ctx context.Context) (requestGeneration, error) {
			started := c.gens.epochOf(feature)
			gen, err := c.readGeneration(ctx, feature)
			return requestGeneration{gen: gen, epoch: started}, err
		})
		if err != nil {
			return "", err
		}
		gen, epoch = c.gens.settle(feature, read.gen, read.epoch, c.clock.Now())
	}
	rc.setGeneration(feature, requestGeneration{gen: gen, epoch: epoch})
	return gen, nil
}

// readGeneration reads feature's generation from the store.
func (c *Cache) readGeneration(ctx context.Context, feature string) (string, error) {
	raw, err := c.store.Get(ctx, generationKey(feature))
	switch {
	case errors.Is(err, domain.ErrCacheMiss):
		return missingGeneration, nil
	case err != nil:
		return "", fmt.Errorf("cache: read generation of %s: %w", feature, err)
	}
	return string(raw), nil
}

// newGeneration returns a fresh random generation token.
func newGeneration() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}
