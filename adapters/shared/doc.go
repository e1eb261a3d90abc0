// Package shared holds no code: its subpackages are what several adapters need and no
// adapter owns — the Redis key layout (keyspace), retry pauses (retry), the translation
// of store failures into the domain's vocabulary (storeerr), Redis INFO parsing
// (redisinfo) and observer defaults (observe). An adapter never imports another
// adapter; it imports these instead (test/arch and depguard enforce both).
package shared
