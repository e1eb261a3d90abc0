// Package example_test is the adapter that docs/adapters.md walks through: a complete
// ports.CacheStore small enough to read at once, its fx option, and the one test line
// that runs the contract suite against it. It lives in a test file so that it is
// compiled and run with every test run and never shipped.
package example_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
)

// MapCache is a ports.CacheStore on a map guarded by one mutex. Every key it stores is
// absolute, built by the deployment's keyspace under the cache namespace, so a pattern
// can never reach the state kept beside the cache.
type MapCache struct {
	ks    keyspace.Keyspace
	clock ports.Clock

	mu      sync.Mutex
	entries map[string]mapEntry
}

type mapEntry struct {
	value []byte
	// expires is zero for a key without a TTL: a counter Incr created.
	expires time.Time
}

var _ ports.CacheStore = (*MapCache)(nil)

// NewMapCache returns an empty cache in ks's cache namespace whose TTLs run by clk.
func NewMapCache(ks keyspace.Keyspace, clk ports.Clock) *MapCache {
	return &MapCache{ks: ks, clock: clk, entries: make(map[string]mapEntry)}
}

// Module provides MapCache as the application's ports.CacheStore.
var Module = fx.Module("mapcache",
	fx.Provide(fx.Annotate(NewMapCache, fx.As(new(ports.CacheStore)))),
)

// Get returns a copy of the value of key, or domain.ErrCacheMiss.
func (c *MapCache) Get(_ context.Context, key string) ([]byte, error) {
	abs, err := c.ks.Cache(key)
	if err != nil {
		return nil, fmt.Errorf("map cache: get: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.liveLocked(abs)
	if !ok {
		return nil, domain.ErrCacheMiss
	}
	return append([]byte{}, e.value...), nil
}

// GetMany returns copies of the values of the keys that hold one.
func (c *MapCache) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, key := range keys {
		value, err := c.Get(ctx, key)
		switch {
		case err == nil:
			out[key] = value
		case !errors.Is(err, domain.ErrCacheMiss):
			return nil, err
		}
	}
	return out, nil
}

// Set stores a copy of value under key for ttl.
func (c *MapCache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	abs, err := c.ks.Cache(key)
	if err != nil {
		return fmt.Errorf("map cache: set: %w", err)
	}
	if ttl <= 0 {
		return fmt.Errorf("map cache: set %s: ttl %s must be positive", key, ttl)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[abs] = mapEntry{value: append([]byte{}, value...), expires: c.clock.Now().Add(ttl)}
	return nil
}

// Delete removes keys and counts those that held a value.
func (c *MapCache) Delete(_ context.Context, keys ...string) (int64, error) {
	abs := make([]string, len(keys))
	for i, key := range keys {
		a, err := c.ks.Cache(key)
		if err != nil {
			return 0, fmt.Errorf("map cache: delete: %w", err)
		}
		abs[i] = a
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, a := range abs {
		if _, ok := c.liveLocked(a); ok {
			delete(c.entries, a)
			n++
		}
	}
	return n, nil
}

// DeletePattern removes the keys matching a glob pattern relative to the cache
// namespace. The keyspace builds the absolute pattern, whose namespace is a literal
// prefix: nothing outside the namespace can match.
func (c *MapCache) DeletePattern(_ context.Context, pattern string) (int64, error) {
	abs, err := c.ks.CachePattern(pattern)
	if err != nil {
		return 0, fmt.Errorf("map cache: delete pattern: %w", domain.NewValidationError("pattern", err.Error()))
	}
	match := globRegexp(abs)
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for key := range c.entries {
		if _, ok := c.liveLocked(key); ok && match.MatchString(key) {
			delete(c.entries, key)
			n++
		}
	}
	return n, nil
}

// Incr increments the integer at key, creating it at 1 without a TTL; an existing key
// keeps its TTL.
func (c *MapCache) Incr(_ context.Context, key string) (int64, error) {
	abs, err := c.ks.Cache(key)
	if err != nil {
		return 0, fmt.Errorf("map cache: incr: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.liveLocked(abs)
	var n int64
	if found {
		if n, err = strconv.ParseInt(string(e.value), 10, 64); err != nil {
			return 0, fmt.Errorf("map cache: incr %s: not an integer", key)
		}
	}
	n++
	c.entries[abs] = mapEntry{value: []byte(strconv.FormatInt(n, 10)), expires: e.expires}
	return n, nil
}

// Stats counts the live keys and the bytes of their keys and values.
func (c *MapCache) Stats(context.Context) (ports.CacheStoreStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stats := ports.CacheStoreStats{Backend: "map"}
	for key := range c.entries {
		if e, ok := c.liveLocked(key); ok {
			stats.Keys++
			stats.MemoryBytes += int64(len(key) + len(e.value))
		}
	}
	return stats, nil
}

// Ping always succeeds: the map is in the process.
func (c *MapCache) Ping(context.Context) error { return nil }

// liveLocked returns the entry at key unless it is absent or expired; an expired entry
// is dropped.
func (c *MapCache) liveLocked(key string) (mapEntry, bool) {
	e, ok := c.entries[key]
	if ok && !e.expires.IsZero() && !c.clock.Now().Before(e.expires) {
		delete(c.entries, key)
		return mapEntry{}, false
	}
	return e, ok
}

// globRegexp compiles a validated glob, whose only wildcards are `*` (any run of bytes)
// and `?` (one byte), into an anchored regular expression.
func globRegexp(glob string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(glob)
	quoted = strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(quoted)
	return regexp.MustCompile(`(?s)^` + quoted + `$`)
}

// exampleKeyspace is the deployment's key layout in these tests.
var exampleKeyspace = keyspace.MustNew("example", "")

func TestMapCache_Contract(t *testing.T) {
	contract.CacheStore(t, func(*testing.T) contract.CacheHarness {
		c := NewMapCache(exampleKeyspace, clock.System{})
		return contract.CacheHarness{Store: c, Plant: c.plant, Planted: c.planted}
	})
}

// plant writes n where the deployment's other stores would keep it in a keyspace the
// cache shares: the harness's Plant.
func (c *MapCache) plant(_ context.Context, n contract.Neighbour) error {
	key, err := n.Key(c.ks)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = mapEntry{value: []byte("state beside the cache")}
	return nil
}

// planted reports whether n is still there: the harness's Planted.
func (c *MapCache) planted(_ context.Context, n contract.Neighbour) (bool, error) {
	key, err := n.Key(c.ks)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.liveLocked(key)
	return ok, nil
}

func TestMapCache_ModuleProvidesTheCacheStore(t *testing.T) {
	t.Parallel()
	err := fx.ValidateApp(
		fx.Provide(
			func() keyspace.Keyspace { return exampleKeyspace },
			func() ports.Clock { return clock.System{} },
		),
		Module,
		fx.Invoke(func(ports.CacheStore) {}),
	)
	require.NoError(t, err)
}
