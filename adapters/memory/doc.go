// Package memory holds the in-process twins of every Redis adapter: session store, rate
// limiter, cache store, progress cache, study-session store and idempotency store. They
// are complete implementations (TTLs, patterns, limits, atomic updates) that pass the
// same contract suites as the Redis adapters, and back the embedded default and fast
// tests.
package memory
