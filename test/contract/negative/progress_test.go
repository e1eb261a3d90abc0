package negative_test

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// progressCache is a copy of the memory adapter's progress cache, trimmed of its
// periodic sweep. It is correct: it compares versions and writes in one critical
// section.
type progressCache struct {
	clock ports.Clock
	ttl   time.Duration

	mu      steppedMutex
	entries map[progressKey]progressEntry
}

type progressKey struct{ userID, cardID string }

type progressEntry struct {
	progress domain.Progress
	expires  time.Time
}

var _ ports.ProgressCache = (*progressCache)(nil)

func newProgressCache(clock ports.Clock, ttl time.Duration) *progressCache {
	return &progressCache{clock: clock, ttl: ttl, entries: make(map[progressKey]progressEntry)}
}

// Get returns a copy of the live cached progress, or domain.ErrCacheMiss.
func (c *progressCache) Get(_ context.Context, userID, cardID string) (*domain.Progress, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[progressKey{userID, cardID}]
	if !ok || !c.clock.Now().Before(e.expires) {
		return nil, domain.ErrCacheMiss
	}
	p := e.progress
	return &p, nil
}

// Set stores p unless a newer version is cached.
func (c *progressCache) Set(_ context.Context, p *domain.Progress) error {
	stored, err := progressToStore(p)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holdsNewerLocked(p) {
		c.writeLocked(stored)
	}
	return nil
}

// SetMany stores each progress of ps as Set does.
func (c *progressCache) SetMany(ctx context.Context, ps []domain.Progress) error {
	for i := range ps {
		if err := c.Set(ctx, &ps[i]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMany drops the copies of the user's cards cardIDs.
func (c *progressCache) DeleteMany(_ context.Context, userID string, cardIDs []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range cardIDs {
		delete(c.entries, progressKey{userID, id})
	}
	return nil
}

// holdsNewerLocked reports whether a live entry holds a newer version than p.
func (c *progressCache) holdsNewerLocked(p *domain.Progress) bool {
	e, ok := c.entries[progressKey{p.UserID, p.CardID}]
	return ok && c.clock.Now().Before(e.expires) && e.progress.Version > p.Version
}

// writeLocked stores p for the cache's TTL.
func (c *progressCache) writeLocked(p domain.Progress) {
	c.entries[progressKey{p.UserID, p.CardID}] = progressEntry{progress: p, expires: c.clock.Now().Add(c.ttl)}
}

// progressToStore validates p's ids as the Redis keyspace does and returns the copy to
// store, its times in UTC.
func progressToStore(p *domain.Progress) (domain.Progress, error) {
	for _, id := range []string{p.UserID, p.CardID} {
		if err := keyspace.ValidateSegment(id); err != nil {
			return domain.Progress{}, fmt.Errorf("progress cache: set: %w", err)
		}
	}
	stored := *p
	stored.DueAt = stored.DueAt.UTC()
	if !stored.LastReviewedAt.IsZero() {
		stored.LastReviewedAt = stored.LastReviewedAt.UTC()
	}
	return stored, nil
}

// splitSetCache compares versions in one critical section and writes in another, so an
// older write that compared before a newer one may write after it.
type splitSetCache struct{ *progressCache }

// Set is progressCache.Set with the lock released between comparing and writing.
func (c splitSetCache) Set(_ context.Context, p *domain.Progress) error {
	stored, err := progressToStore(p)
	if err != nil {
		return err
	}
	c.mu.Lock()
	newer := c.holdsNewerLocked(p)
	c.mu.Unlock()
	if newer {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(stored)
	return nil
}
