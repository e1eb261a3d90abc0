package memory

// CacheKeyspace is the key layout of the cache store's map.
var CacheKeyspace = cacheKeys
