// Package cacheadmin holds the operators' cache use-cases: read the counters and the
// store's figures, and invalidate entries by pattern (confined to the cache namespace).
package cacheadmin
