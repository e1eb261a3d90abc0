package memory

import "sync"

// CacheKeyspace is the key layout of the cache store's map, for tests that plant other
// state beside the cache.
var CacheKeyspace = cacheKeys

// PlantKey stores a value without TTL under the absolute key, which may lie outside the
// cache namespace: the state another store of the same deployment keeps in a shared
// Redis database. The contract suite checks that the cache never touches it.
func PlantKey(s *CacheStore, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(key, cacheEntry{value: []byte("planted")})
}

// HasKey reports whether the absolute key holds a live value.
func HasKey(s *CacheStore, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.live(key, s.clock.Now())
	return ok
}

// IndexLen returns the raw size of userID's session index, entries of expired sessions
// not yet pruned included.
func IndexLen(s *SessionStore, userID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index[userID])
}

// OnSessionSteps makes s call step each time it leaves a critical section, on the
// goroutine that held the lock and after releasing it: the atomic steps of the contract
// suite's forced interleavings. Call it before s is shared.
func OnSessionSteps(s *SessionStore, step func()) { s.mu = steppedLock{Locker: s.mu, step: step} }

// OnProgressSteps is OnSessionSteps for a progress cache.
func OnProgressSteps(c *ProgressCache, step func()) { c.mu = steppedLock{Locker: c.mu, step: step} }

// OnIdempotencySteps is OnSessionSteps for an idempotency store.
func OnIdempotencySteps(s *IdempotencyStore, step func()) {
	s.mu = steppedLock{Locker: s.mu, step: step}
}

// steppedLock is a lock that calls step after each release.
type steppedLock struct {
	sync.Locker
	step func()
}

// Unlock releases the lock, then reports the end of a step.
func (l steppedLock) Unlock() {
	l.Locker.Unlock()
	l.step()
}
