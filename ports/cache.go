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

// CacheObserver is told what the cached repositories absorbed: a cache that failed to
// answer or to take a copy, where the repository served from, or kept to, the data of
// record instead. Implementations must be cheap and safe for concurrent use.
type CacheObserver interface {
	// CacheFailureAbsorbed reports one absorbed failure of feature's cache during
	// operation ("read", "write").
	CacheFailureAbsorbed(feature, operation string)
}

// CacheLayer is the application's cache layer as operators reach it: its counters and
// invalidation by pattern (the admin endpoints and commands).
type CacheLayer interface {
	// Stats returns the layer's counters since the process started.
	Stats() CacheStats
	// InvalidatePattern deletes every entry matching a glob pattern relative to the cache
	// namespace (`user:*`) and reports how many it deleted; the pattern can never reach
	// outside the namespace.
	InvalidatePattern(ctx context.Context, pattern string) (int64, error)
}

// CacheFeatureStats counts what the cache layer did for one feature since the process
// started.
type CacheFeatureStats struct {
	// Hits are reads answered from the cache (store or request cache), tombstones
	// included.
	Hits int64 `json:"hits"`
	// Misses are reads that found no usable entry (absent, expired or corrupt).
	Misses int64 `json:"misses"`
	// Errors are store failures (read, write, generation) and unusable keys; none of
	// them failed a caller.
	Errors int64 `json:"errors"`
	// StaleServes are hits served while XFetch had the entry recomputed early.
	StaleServes int64 `json:"staleServes"`
	// Loads are loader calls (misses after merging, early refreshes, bypasses).
	Loads int64 `json:"loads"`
	// Corrupt are entries the codec could not read (foreign or damaged), counted as
	// misses too.
	Corrupt int64 `json:"corrupt"`
}

// CacheStats is a snapshot of the cache layer's counters, in total and per feature.
type CacheStats struct {
	Hits    int64   `json:"hits"`
	Misses  int64   `json:"misses"`
	Errors  int64   `json:"errors"`
	HitRate float64 `json:"hitRate"`
	// Features maps a feature (`user:profile`) to its counters.
	Features map[string]CacheFeatureStats `json:"features"`
}

// CacheScanner walks the keys of the cache namespace: the operators' cleanup of entries
// no release reads any more.
type CacheScanner interface {
	// ScanKeys hands fn the keys matching pattern (a glob relative to the cache
	// namespace, as CacheStore.DeletePattern takes it), relative to the namespace, a page
	// at a time, on every master of a cluster, without blocking other clients. fn is
	// never called concurrently; its error stops the walk and is returned. A pattern the
	// keyspace refuses is a *domain.ValidationError on field "pattern".
	ScanKeys(ctx context.Context, pattern string, fn func(keys []string) error) error
	// SampleKeys returns the memory use and remaining TTL of each of keys (relative to
	// the cache namespace), in order; a key gone meanwhile is left out.
	SampleKeys(ctx context.Context, keys []string) ([]CacheKeySample, error)
}

// CacheKeySample is one cache key's memory use (MEMORY USAGE on Redis) and remaining
// TTL (negative when the key has none).
type CacheKeySample struct {
	Key   string
	Bytes int64
	TTL   time.Duration
}
