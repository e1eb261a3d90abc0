package ports

import (
	"context"
	"time"
)

// CacheStore is a byte-oriented cache under the cache namespace. Keys are relative
// (`feature:identifier`); the adapter places them under `studytool:{env}:cache:` and never
// lets a key or pattern reach outside that namespace.
type CacheStore interface {
	// Get returns the value of key, or domain.ErrCacheMiss when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetMany returns the values of the keys that hold one; absent keys are left out.
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	// Set stores value under key for ttl (ttl must be positive).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes keys and reports how many existed.
	Delete(ctx context.Context, keys ...string) (int64, error)
	// DeletePattern removes every key matching a glob pattern relative to the namespace,
	// in small batches that never block the server, and reports how many it removed.
	DeletePattern(ctx context.Context, pattern string) (int64, error)
	// Incr atomically increments the integer at key (creating it at 1) and returns it.
	Incr(ctx context.Context, key string) (int64, error)
	// Stats reports the store's own figures (keys, memory) for operators.
	Stats(ctx context.Context) (CacheStoreStats, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
}

// CacheStoreStats are figures a cache store reports about itself.
type CacheStoreStats struct {
	Backend     string `json:"backend"`
	Keys        int64  `json:"keys"`
	MemoryBytes int64  `json:"memoryBytes"`
	// EvictedKeys counts keys the store evicted for memory, where it knows.
	EvictedKeys int64 `json:"evictedKeys"`
}
