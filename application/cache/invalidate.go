package cache

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Invalidate deletes the entries of keys, at once and in every process: it reads each
// feature's generation from the store (not from the process cache, which may lag
// another process's InvalidateFeature) and also deletes the neighbouring schema versions
// (N−1 and N+1), which a rolling deploy serves side by side. It also forgets the keys
// in ctx's request cache. Call it after the change to the data of record is committed;
// an error means the entries may live on until their TTL.
//
// A load of one of the keys that started before the call may still hold the old data:
// in this process it is fenced (it neither stores its result nor hands it to callers
// arriving after the call); for loads in other processes the keys are deleted once more
// after Config.LoadTimeout, when any such load has finished. The work runs detached from
// ctx's cancellation: a client that hangs up after the commit must not leave stale data.
func (c *Cache) Invalidate(ctx context.Context, keys ...Key) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.LoadTimeout)
	defer cancel()
	var storeKeys []string
	gens := make(map[string][]string)
	for _, k := range keys {
		if err := k.validate(); err != nil {
			return fmt.Errorf("cache: invalidate: %w", err)
		}
		if _, ok := gens[k.feature]; !ok {
			current, err := c.liveGenerations(ctx, k.feature)
			if err != nil {
				c.stats.of(k.feature).errors.Add(1)
				return fmt.Errorf("cache: invalidate %s: %w", k, err)
			}
			gens[k.feature] = current
		}
		for _, gen := range gens[k.feature] {
			for v := max(k.version-1, 1); v <= k.version+1; v++ {
				storeKeys = append(storeKeys, versionedKey(k.feature, v, gen, k.id))
			}
		}
	}
	if len(storeKeys) == 0 {
		return nil
	}
	requestCacheFrom(ctx).forget(storeKeys)
	c.fence.mark(storeKeys)
	for _, sk := range storeKeys {
		c.loads.Forget(sk)
	}
	if _, err := c.store.Delete(ctx, storeKeys...); err != nil {
		return fmt.Errorf("cache: invalidate: %w", err)
	}
	detached := context.WithoutCancel(ctx)
	c.goBackground(func() { c.deleteAgainAfter(detached, storeKeys, c.cfg.LoadTimeout) })
	return nil
}

// deleteAgainAfter deletes keys once more after delay (at once when the cache closes),
// removing what a load in another process that predates the invalidation wrote since.
func (c *Cache) deleteAgainAfter(ctx context.Context, keys []string, delay time.Duration) {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-c.done:
	}
	ctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	if _, err := c.store.Delete(ctx, keys...); err != nil {
		c.logger.WarnContext(ctx, "cache second invalidation failed; entries expire by TTL", slog.Int("keys", len(keys)), slog.Any("error", err))
	}
}

// liveGenerations returns the generation of feature in the store and, when it differs,
// the one this process holds.
func (c *Cache) liveGenerations(ctx context.Context, feature string) ([]string, error) {
	started := c.gens.epochOf(feature)
	stored, err := c.readGeneration(ctx, feature)
	if err != nil {
		return nil, err
	}
	out := []string{stored}
	if local, ok := c.gens.local(feature); ok && local != stored {
		out = append(out, local)
	}
	c.gens.settle(feature, stored, started, c.clock.Now())
	return out, nil
}

// InvalidatePattern deletes every entry whose store key (`feature:vN:gG:id`) matches a
// glob pattern (`*`, `?`) — for operators, e.g. `user:*`. The store confines the pattern
// to the cache namespace and refuses malformed ones with a *domain.ValidationError on
// field "pattern". It reports how many entries it deleted and clears ctx's request
// cache.
func (c *Cache) InvalidatePattern(ctx context.Context, pattern string) (int64, error) {
	requestCacheFrom(ctx).clear()
	n, err := c.store.DeletePattern(ctx, pattern)
	if err != nil {
		return n, fmt.Errorf("cache: invalidate pattern: %w", err)
	}
	return n, nil
}

// InvalidateFeature hides every entry of feature at once by giving it a new generation
// (one store write), then deletes the hidden entries in the background with the store's
// pattern deletion, after Config.GenerationTTL so that what lagging processes write in
// the old generation meanwhile goes too. When it returns, no read in this process sees
// an entry from before the call; other processes follow within Config.GenerationTTL.
// The sweep matches `feature:*`, so it also clears features nested under this one's
// name — at the cost of misses, never of correctness.
func (c *Cache) InvalidateFeature(ctx context.Context, feature string) error {
	if err := ValidateFeature(feature); err != nil {
		return fmt.Errorf("cache: invalidate feature: %w", err)
	}
	gen := newGeneration()
	if err := c.store.Set(ctx, generationKey(feature), []byte(gen), generationKeyTTL); err != nil {
		c.stats.of(feature).errors.Add(1)
		return fmt.Errorf("cache: invalidate feature %s: %w", feature, err)
	}
	epoch := c.gens.replace(feature, gen, c.clock.Now())
	requestCacheFrom(ctx).setGeneration(feature, requestGeneration{gen: gen, epoch: epoch})
	detached := context.WithoutCancel(ctx)
	c.goBackground(func() {
		c.sweepAfter(detached, feature, c.cfg.GenerationTTL)
	})
	return nil
}

// sweepAfter waits delay (or until the cache closes) and deletes feature's entries.
func (c *Cache) sweepAfter(ctx context.Context, feature string, delay time.Duration) {
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-c.done:
	}
	ctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	n, err := c.store.DeletePattern(ctx, feature+":*")
	if err != nil {
		c.stats.of(feature).errors.Add(1)
		c.logger.WarnContext(ctx, "cache feature sweep failed; hidden entries expire by TTL", slog.String("feature", feature), slog.Any("error", err))
		return
	}
	c.logger.InfoContext(ctx, "cache feature swept", slog.String("feature", feature), slog.Int64("deleted", n))
}
