package memory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// cacheSweepSample is how many entries a write inspects for expiry, like Redis's active
// expiry cycle: Go's random map order makes it a random sample, so memory held by keys
// nobody reads again stays bounded without a background goroutine.
const cacheSweepSample = 20

// cacheKeys lays out the twin's keys exactly as the Redis adapter's keyspace does. The
// twin keys its map by the absolute key, as Redis keys its database, so a pattern is
// confined to the cache namespace the same way: by the namespace's literal prefix.
var cacheKeys = keyspace.MustNew("memory", "")

// errCacheNotInteger mirrors Redis's reply to INCR on a value that is not an integer.
var errCacheNotInteger = errors.New("value is not an integer")

// CacheStore is the in-process ports.CacheStore, the Redis adapter's twin: the same key
// layout and validation, TTL expiry (lazy on access plus a sampled sweep on writes),
// glob pattern deletion with Redis's `*` and `?` confined to the cache namespace, INCR
// semantics (the TTL is kept), and size accounting (keys and bytes of absolute keys plus
// values). Time comes from the injected clock. Values are copied in and out. It is safe
// for concurrent use.
type CacheStore struct {
	clock ports.Clock

	mu sync.Mutex
	// entries maps absolute keys (cacheKeys.Cache) to their values.
	entries map[string]cacheEntry
	bytes   int64
}

type cacheEntry struct {
	value []byte
	// expires is zero for a key without a TTL (a counter made by Incr).
	expires time.Time
}

var _ ports.CacheStore = (*CacheStore)(nil)

// NewCacheStore returns an empty cache store that measures TTLs with clock.
func NewCacheStore(clock ports.Clock) *CacheStore {
	return &CacheStore{clock: clock, entries: make(map[string]cacheEntry)}
}

// Get returns a copy of the value of key, or domain.ErrCacheMiss.
func (s *CacheStore) Get(ctx context.Context, key string) ([]byte, error) {
	abs, err := cacheKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("cache store: get: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(abs, s.clock.Now())
	if !ok {
		return nil, domain.ErrCacheMiss
	}
	return cacheClone(e.value), nil
}

// GetMany returns copies of the values of the keys that hold one.
func (s *CacheStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	abs, err := cacheKeysOf(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("cache store: get many: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make(map[string][]byte, len(keys))
	for i, k := range keys {
		if e, ok := s.live(abs[i], now); ok {
			out[k] = cacheClone(e.value)
		}
	}
	return out, nil
}

// Set stores a copy of value under key for ttl.
func (s *CacheStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	abs, err := cacheKey(ctx, key)
	if err != nil {
		return fmt.Errorf("cache store: set: %w", err)
	}
	if ttl <= 0 {
		return fmt.Errorf("cache store: set %s: ttl %s must be positive", key, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.put(abs, cacheEntry{value: cacheClone(value), expires: now.Add(ttl)})
	s.sweep(now)
	return nil
}

// Delete removes keys and reports how many existed.
func (s *CacheStore) Delete(ctx context.Context, keys ...string) (int64, error) {
	abs, err := cacheKeysOf(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("cache store: delete: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var n int64
	for _, k := range abs {
		if _, ok := s.live(k, now); ok {
			s.remove(k)
			n++
		}
	}
	return n, nil
}

// DeletePattern removes the keys matching a glob pattern (`*` and `?`, as the keyspace
// allows) relative to the cache namespace and reports how many it removed. A pattern the
// keyspace refuses is a *domain.ValidationError on field "pattern".
func (s *CacheStore) DeletePattern(ctx context.Context, pattern string) (int64, error) {
	match, err := cacheKeys.CachePattern(pattern)
	if err != nil {
		return 0, fmt.Errorf("cache store: delete pattern: %w", domain.NewValidationError("pattern", err.Error()))
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("cache store: delete pattern: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var n int64
	for k := range s.entries {
		if _, ok := s.live(k, now); ok && cacheGlobMatch(match, k) {
			s.remove(k)
			n++
		}
	}
	return n, nil
}

// Incr increments the integer at key, creating it at 1 without a TTL; an existing key
// keeps its TTL, as with Redis INCR.
func (s *CacheStore) Incr(ctx context.Context, key string) (int64, error) {
	abs, err := cacheKey(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("cache store: incr: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, found := s.live(abs, now)
	var n int64
	if found {
		v, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cache store: incr %s: %w", key, errCacheNotInteger)
		}
		n = v
	}
	n++
	s.put(abs, cacheEntry{value: []byte(strconv.FormatInt(n, 10)), expires: e.expires})
	return n, nil
}

// Stats reports the live keys and the bytes their keys and values take.
func (s *CacheStore) Stats(ctx context.Context) (ports.CacheStoreStats, error) {
	if err := ctx.Err(); err != nil {
		return ports.CacheStoreStats{}, fmt.Errorf("cache store: stats: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for k := range s.entries {
		s.live(k, now)
	}
	return ports.CacheStoreStats{Backend: "memory", Keys: int64(len(s.entries)), MemoryBytes: s.bytes}, nil
}

// Ping always succeeds: the store is in the process.
func (s *CacheStore) Ping(context.Context) error { return nil }

// live returns the entry of key if it has not expired at now, removing it if it has.
// The caller holds s.mu.
func (s *CacheStore) live(key string, now time.Time) (cacheEntry, bool) {
	e, ok := s.entries[key]
	if !ok {
		return cacheEntry{}, false
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		s.remove(key)
		return cacheEntry{}, false
	}
	return e, true
}

// put stores e under key, keeping the byte count. The caller holds s.mu.
func (s *CacheStore) put(key string, e cacheEntry) {
	s.remove(key)
	s.entries[key] = e
	s.bytes += int64(len(key) + len(e.value))
}

// remove deletes key, keeping the byte count. The caller holds s.mu.
func (s *CacheStore) remove(key string) {
	if old, ok := s.entries[key]; ok {
		s.bytes -= int64(len(key) + len(old.value))
		delete(s.entries, key)
	}
}

// sweep drops the expired entries among a random sample. The caller holds s.mu.
func (s *CacheStore) sweep(now time.Time) {
	seen := 0
	for k := range s.entries {
		if seen == cacheSweepSample {
			return
		}
		s.live(k, now)
		seen++
	}
}

// cacheKey returns the absolute key of key, validated as the Redis adapter would, or the
// error of a finished context.
func cacheKey(ctx context.Context, key string) (string, error) {
	abs, err := cacheKeys.Cache(key)
	if err != nil {
		return "", err
	}
	return abs, ctx.Err()
}

// cacheKeysOf returns the absolute keys of keys, as cacheKey does.
func cacheKeysOf(ctx context.Context, keys []string) ([]string, error) {
	abs := make([]string, len(keys))
	for i, k := range keys {
		a, err := cacheKey(ctx, k)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	return abs, nil
}

// cacheClone copies b; a nil or empty value is stored and returned as an empty, non-nil
// slice, as Redis returns an empty string.
func cacheClone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
