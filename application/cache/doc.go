// Package cache is StudyTool's cache layer over ports.CacheStore: a typed get-or-load
// helper for use-cases (GetOrLoad) with stampede protection, negative caching and
// probabilistic early recomputation (XFetch); TTL jitter; a versioned, compressing entry
// codec; invalidation by key, by pattern and — cheaply — by feature through generations;
// a request-level memo carried in the context (WithRequestCache); and hit, miss, error,
// stale-serve and load counters per feature.
//
// Levels: application-level reference data and feature-level entries are the same
// mechanism with different TTLs (WithTTL per call, Config.DefaultTTL otherwise); the
// request level is WithRequestCache.
//
// Keys are `feature:vN:gG:id` relative to the store's cache namespace: the feature
// (`user:profile`), the schema version of the value (NewKey), the feature's generation
// (see InvalidateFeature) and the identifier.
//
// The package imports only the standard library, domain and ports, plus
// golang.org/x/sync/singleflight (merging concurrent loads) and
// github.com/klauspost/compress/zstd (entry compression).
package cache
