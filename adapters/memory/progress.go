package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// progressSweepSample is how many entries a write inspects for expiry, as CacheStore
// does, so copies nobody reads again do not pile up.
const progressSweepSample = 20

// ProgressCache is the in-process ports.ProgressCache, the Redis adapter's twin: the same
// id validation, a TTL measured by the injected clock, and the same rule that a write
// never replaces a newer version with an older one (compared under the lock). Values are
// copied in and out, times handed back in UTC. It is safe for concurrent use.
type ProgressCache struct {
	clock ports.Clock
	ttl   time.Duration

	// mu guards entries: a *sync.Mutex, which only this package's tests wrap, to learn
	// where each critical section ends (export_test.go).
	mu      sync.Locker
	entries map[progressKey]progressEntry
}

type progressKey struct{ userID, cardID string }

type progressEntry struct {
	progress domain.Progress
	expires  time.Time
}

var _ ports.ProgressCache = (*ProgressCache)(nil)

// NewProgressCache returns an empty progress cache whose entries live for ttl (which must
// be positive: Set refuses to write otherwise), measured with clock.
func NewProgressCache(clock ports.Clock, ttl time.Duration) *ProgressCache {
	return &ProgressCache{clock: clock, ttl: ttl, mu: new(sync.Mutex), entries: make(map[progressKey]progressEntry)}
}

// Get returns a copy of the cached progress, or domain.ErrCacheMiss. Ids the Redis
// keyspace refuses are a miss, as there.
func (c *ProgressCache) Get(ctx context.Context, userID, cardID string) (*domain.Progress, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("progress cache: get: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := progressKey{userID, cardID}
	e, ok := c.entries[k]
	if !ok {
		return nil, domain.ErrCacheMiss
	}
	if !c.clock.Now().Before(e.expires) {
		delete(c.entries, k)
		return nil, domain.ErrCacheMiss
	}
	p := e.progress
	return &p, nil
}

// Set stores a copy of p for the cache's TTL, unless the cache holds a newer version of
// it, which it keeps (that is not an error).
func (c *ProgressCache) Set(ctx context.Context, p *domain.Progress) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("progress cache: set: %w", err)
	}
	if c.ttl <= 0 {
		return fmt.Errorf("progress cache: set: ttl %s must be positive", c.ttl)
	}
	for _, id := range []string{p.UserID, p.CardID} {
		if err := keyspace.ValidateSegment(id); err != nil {
			return fmt.Errorf("progress cache: set: %w", err)
		}
	}
	stored := *p
	stored.DueAt = stored.DueAt.UTC()
	if !stored.LastReviewedAt.IsZero() {
		stored.LastReviewedAt = stored.LastReviewedAt.UTC()
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	c.sweepLocked(now)
	k := progressKey{p.UserID, p.CardID}
	if e, ok := c.entries[k]; ok && now.Before(e.expires) && e.progress.Version > p.Version {
		return nil
	}
	c.entries[k] = progressEntry{progress: stored, expires: now.Add(c.ttl)}
	return nil
}

// SetMany stores each progress of ps as Set does.
func (c *ProgressCache) SetMany(ctx context.Context, ps []domain.Progress) error {
	for i := range ps {
		if err := c.Set(ctx, &ps[i]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMany removes the copies of userID's progress on cardIDs.
func (c *ProgressCache) DeleteMany(_ context.Context, userID string, cardIDs []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range cardIDs {
		delete(c.entries, progressKey{userID, id})
	}
	return nil
}

// sweepLocked drops expired entries among a random sample of the map.
func (c *ProgressCache) sweepLocked(now time.Time) {
	seen := 0
	for k, e := range c.entries {
		if seen == progressSweepSample {
			return
		}
		seen++
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
}
