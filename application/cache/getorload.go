package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	json "github.com/goccy/go-json"
	"golang.org/x/sync/singleflight"

	"github.com/studytool/studytool/domain"
)

// GetOrLoad returns the value cached under key, or calls load, caches its result and
// returns it. The cache never makes the call fail: when the store is down, slow or holds
// an unreadable entry, the loader's result is served and the problem counted and logged.
//
//   - Concurrent misses of one key in this process make one loader call. It runs
//     detached from the caller that started it (context.WithoutCancel, bounded by
//     Config.LoadTimeout), so cancelling that caller fails none of the others; every
//     caller still returns as soon as its own ctx ends, with ctx's error.
//   - A loader error wrapping domain.ErrNotFound is cached as a tombstone for
//     Config.NegativeTTL; GetOrLoad then returns an error wrapping domain.ErrNotFound.
//     Other loader errors are returned as they are and not cached.
//   - Hot entries are recomputed before they expire (XFetch, see dueForRefresh) in the
//     background, one refresh per key at a time, while callers keep getting the current,
//     still valid value: no caller waits for an early refresh.
//   - Entries live for Config.DefaultTTL (or WithTTL), jittered by Config.Jitter.
//   - Under WithRequestCache, a key read once is not read from the store again in the
//     same request.
//
// Values travel as JSON, so T must survive encoding/json (byte slices become base64).
func GetOrLoad[T any](ctx context.Context, c *Cache, key Key, load func(context.Context) (T, error), opts ...LoadOption) (T, error) {
	o := loadOptions{ttl: c.cfg.DefaultTTL}
	for _, opt := range opts {
		opt(&o)
	}
	encoded := func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("cache %s: encode: %w", key, err)
		}
		return body, nil
	}
	res, err := c.get(ctx, key, o, encoded)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := decodeOutcome[T](key, res)
	if err != nil && res.cached && !res.notFound {
		// An entry of another shape under this key (a version that was not bumped):
		// replace it with a fresh load.
		c.stats.of(key.feature).corrupt.Add(1)
		c.logger.WarnContext(ctx, "cache entry does not decode; reloading", slog.String("key", key.String()), slog.Any("error", err))
		if res, err = c.replace(ctx, key, o, encoded); err != nil {
			var zero T
			return zero, err
		}
		v, err = decodeOutcome[T](key, res)
	}
	return v, err
}

// decodeOutcome turns a tombstone into domain.ErrNotFound and a body into a T.
func decodeOutcome[T any](key Key, res outcome) (T, error) {
	var v T
	if res.notFound {
		return v, fmt.Errorf("cache %s: %w", key, domain.ErrNotFound)
	}
	if err := json.Unmarshal(res.body, &v); err != nil {
		return v, fmt.Errorf("cache %s: decode: %w", key, err)
	}
	return v, nil
}

// loader computes the JSON body of a value.
type loader func(ctx context.Context) ([]byte, error)

// outcome is one read's result, shared by the callers of a flight.
type outcome struct {
	body     []byte
	notFound bool
	// cached says that body came from the store (it may not decode into the caller's T).
	cached bool
}

// get resolves key to an outcome: request cache, then store, then one merged load.
func (c *Cache) get(ctx context.Context, key Key, o loadOptions, load loader) (outcome, error) {
	fc := c.stats.of(key.feature)
	if err := key.validate(); err != nil {
		c.storeFailed(ctx, key, "unusable key", err)
		return c.bypass(ctx, key, o, load)
	}
	gen, err := c.generation(ctx, key.feature)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{}, fmt.Errorf("cache %s: %w", key, ctx.Err())
		}
		c.storeFailed(ctx, key, "generation read failed", err)
		return c.bypass(ctx, key, o, load)
	}
	sk := key.storageKey(gen)
	rc := requestCacheFrom(ctx)
	if res, ok := rc.get(sk); ok {
		fc.hits.Add(1)
		return res, nil
	}
	res, found, err := c.read(ctx, key, sk, o, load)
	switch {
	case err != nil && ctx.Err() != nil:
		return outcome{}, fmt.Errorf("cache %s: %w", key, ctx.Err())
	case err != nil:
		c.storeFailed(ctx, key, "read failed", err)
		res, err = c.bypass(ctx, key, o, load)
	case !found:
		res, err = shared(ctx, c, &c.loads, sk, func(ctx context.Context) (outcome, error) {
			return c.fill(ctx, key, sk, o, load)
		})
	}
	if err == nil {
		rc.put(sk, res)
	}
	return res, err
}

// read looks sk up in the store. A hit inside its XFetch window starts a background
// refresh and is served all the same.
func (c *Cache) read(ctx context.Context, key Key, sk string, o loadOptions, load loader) (outcome, bool, error) {
	fc := c.stats.of(key.feature)
	raw, err := c.store.Get(ctx, sk)
	if errors.Is(err, domain.ErrCacheMiss) {
		fc.misses.Add(1)
		return outcome{}, false, nil
	}
	if err != nil {
		return outcome{}, false, err
	}
	e, err := Decode(raw)
	if err != nil {
		fc.corrupt.Add(1)
		fc.misses.Add(1)
		c.logger.WarnContext(ctx, "cache entry unreadable; treating it as a miss", slog.String("key", key.String()), slog.Any("error", err))
		return outcome{}, false, nil
	}
	now := c.clock.Now()
	if !now.Before(e.Expiry) {
		fc.misses.Add(1)
		return outcome{}, false, nil
	}
	fc.hits.Add(1)
	if !e.NotFound && c.dueForRefresh(e, now) {
		fc.staleServes.Add(1)
		c.refresh(ctx, key, sk, o, load)
	}
	return outcome{body: e.Value, notFound: e.NotFound, cached: true}, true, nil
}

// fill runs inside the flight of sk: it reads the store once more (a flight that ended
// just before this one may have filled it) and otherwise loads and stores the value.
func (c *Cache) fill(ctx context.Context, key Key, sk string, o loadOptions, load loader) (outcome, error) {
	raw, err := c.store.Get(ctx, sk)
	if err == nil {
		if e, err := Decode(raw); err == nil && c.clock.Now().Before(e.Expiry) {
			return outcome{body: e.Value, notFound: e.NotFound, cached: true}, nil
		}
	}
	writable := err == nil || errors.Is(err, domain.ErrCacheMiss)
	if !writable {
		c.storeFailed(ctx, key, "read failed", err)
	}
	return c.loadAndStore(ctx, key, sk, o, load, writable)
}

// bypass serves key from the loader alone, merged per key, when the store cannot be used.
func (c *Cache) bypass(ctx context.Context, key Key, o loadOptions, load loader) (outcome, error) {
	return shared(ctx, c, &c.bypasses, key.String(), func(ctx context.Context) (outcome, error) {
		return c.loadAndStore(ctx, key, "", o, load, false)
	})
}

// replace loads key and overwrites its entry, outside any flight (the entry in the store
// is known to be unusable).
func (c *Cache) replace(ctx context.Context, key Key, o loadOptions, load loader) (outcome, error) {
	gen, err := c.generation(ctx, key.feature)
	if err != nil {
		c.storeFailed(ctx, key, "generation read failed", err)
		return c.loadAndStore(ctx, key, "", o, load, false)
	}
	sk := key.storageKey(gen)
	res, err := c.loadAndStore(ctx, key, sk, o, load, true)
	if err == nil {
		requestCacheFrom(ctx).put(sk, res)
	}
	return res, err
}

// refresh recomputes sk in the background (XFetch), unless a refresh of sk is running
// or the cache is closed.
func (c *Cache) refresh(ctx context.Context, key Key, sk string, o loadOptions, load loader) {
	if _, running := c.refreshing.LoadOrStore(sk, struct{}{}); running {
		return
	}
	detached := context.WithoutCancel(ctx)
	started := c.goBackground(func() {
		defer c.refreshing.Delete(sk)
		ctx, cancel := context.WithTimeout(detached, c.cfg.LoadTimeout)
		defer cancel()
		if _, err := c.loadAndStore(ctx, key, sk, o, load, true); err != nil {
			c.logger.WarnContext(ctx, "cache early refresh failed", slog.String("key", key.String()), slog.Any("error", err))
		}
	})
	if !started {
		c.refreshing.Delete(sk)
	}
}

// loadAndStore calls the loader and, when write is set, stores its result (a tombstone
// for domain.ErrNotFound) with the time the load took, for XFetch.
func (c *Cache) loadAndStore(ctx context.Context, key Key, sk string, o loadOptions, load loader, write bool) (outcome, error) {
	c.stats.of(key.feature).loads.Add(1)
	seq := c.fence.now()
	start := c.clock.Now()
	body, err := callLoader(ctx, key, load)
	delta := c.clock.Now().Sub(start)
	if write && c.fence.crossed(sk, seq) {
		// Invalidated while loading: the loader may have read the data before the change
		// that invalidated it, so its result is served to this flight but not stored.
		write = false
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		if write {
			c.write(ctx, key, sk, Entry{NotFound: true}, c.cfg.NegativeTTL)
		}
		return outcome{notFound: true}, nil
	case err != nil:
		return outcome{}, err
	}
	if write {
		c.write(ctx, key, sk, Entry{Value: body, Delta: delta}, o.ttl)
	}
	return outcome{body: body}, nil
}

// write stores e under sk for a jittered ttl. A failure is logged and counted, never
// returned: the caller already has its value.
func (c *Cache) write(ctx context.Context, key Key, sk string, e Entry, ttl time.Duration) {
	ttl = c.jitter(ttl)
	e.Expiry = c.clock.Now().Add(ttl)
	data, err := Encode(e)
	if err == nil {
		err = c.store.Set(ctx, sk, data, ttl)
	}
	if err != nil {
		c.storeFailed(ctx, key, "write failed", err)
	}
}

// storeFailed counts and logs a cache failure that the caller does not see.
func (c *Cache) storeFailed(ctx context.Context, key Key, what string, err error) {
	c.stats.of(key.feature).errors.Add(1)
	c.logger.WarnContext(ctx, "cache "+what+"; serving from the loader", slog.String("key", key.String()), slog.Any("error", err))
}

// callLoader runs load, turning a panic into an error: the loader may run on a flight's
// goroutine, where a panic would take the process down.
func callLoader(ctx context.Context, key Key, load loader) (body []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache %s: loader panicked: %v", key, r)
		}
	}()
	return load(ctx)
}

// shared runs fn once per key among concurrent callers of group. fn runs on a context
// detached from ctx (its values kept, its cancellation not) and bounded by
// Config.LoadTimeout, so that the caller who started the flight cannot fail the others by
// going away; each caller waits only as long as its own ctx allows.
func shared[V any](ctx context.Context, c *Cache, group *singleflight.Group, key string, fn func(context.Context) (V, error)) (V, error) {
	detached := context.WithoutCancel(ctx)
	ch := group.DoChan(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(detached, c.cfg.LoadTimeout)
		defer cancel()
		return fn(ctx)
	})
	var zero V
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		v, ok := r.Val.(V)
		if !ok {
			return zero, fmt.Errorf("cache %s: flight returned %T", key, r.Val)
		}
		return v, nil
	case <-ctx.Done():
		return zero, fmt.Errorf("cache %s: %w", key, ctx.Err())
	}
}
