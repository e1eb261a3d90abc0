// Package reference serves reference data — organizations — through the cache at the
// application level (long TTL, warmed at start-up), since it changes rarely and nearly
// every request reads it.
package reference
