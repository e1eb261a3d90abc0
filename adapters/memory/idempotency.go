package memory

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// idempotencySweepEvery is how many claims pass between two sweeps of every expired
// record, which bounds what abandoned keys leave behind.
const idempotencySweepEvery = 1024

// IdempotencyStore is the in-process ports.IdempotencyStore, the Redis adapter's twin:
// records are keyed by user and Idempotency-Key, a claim lives the policy's LockTTL and
// a completed response its Retention (measured by the injected clock), and responses are
// handed out as copies. Every operation holds one lock, so a claim is atomic.
type IdempotencyStore struct {
	policy ports.IdempotencyPolicy
	clock  ports.Clock

	// mu guards what follows: a *sync.Mutex, which only this package's tests wrap, to
	// learn where the store's atomic steps end.
	mu      sync.Locker
	records map[idempotencyKey]idempotencyEntry
	claims  int
}

type idempotencyKey struct{ userID, key string }

// idempotencyEntry is a claim (response nil) or a completed response.
type idempotencyEntry struct {
	fingerprint string
	token       string
	response    *ports.IdempotentResponse
	deadline    time.Time
}

var _ ports.IdempotencyStore = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns an empty store that keeps claims and responses as policy
// says, by clock.
func NewIdempotencyStore(policy ports.IdempotencyPolicy, clock ports.Clock) *IdempotencyStore {
	return &IdempotencyStore{
		policy: policy, clock: clock, mu: new(sync.Mutex), records: make(map[idempotencyKey]idempotencyEntry),
	}
}

// Claim implements ports.IdempotencyStore.
func (s *IdempotencyStore) Claim(_ context.Context, userID, key, fingerprint string) (ports.IdempotencyClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.sweepLocked(now)
	k := idempotencyKey{userID, key}
	if e, ok := s.liveLocked(k, now); ok {
		return e.claim(), nil
	}
	token := rand.Text()
	s.records[k] = idempotencyEntry{fingerprint: fingerprint, token: token, deadline: now.Add(s.policy.LockTTL)}
	return ports.IdempotencyClaim{State: ports.IdempotencyClaimed, Fingerprint: fingerprint, Token: token}, nil
}

// Complete implements ports.IdempotencyStore.
func (s *IdempotencyStore) Complete(_ context.Context, userID, key, token string, resp ports.IdempotentResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	k := idempotencyKey{userID, key}
	e, ok := s.liveLocked(k, now)
	if !ok || e.response != nil || e.token != token {
		return fmt.Errorf("idempotency store: complete: the claim is gone: %w", domain.ErrConflict)
	}
	kept := responseCopy(&resp)
	s.records[k] = idempotencyEntry{fingerprint: e.fingerprint, response: &kept, deadline: now.Add(s.policy.Retention)}
	return nil
}

// Release implements ports.IdempotencyStore.
func (s *IdempotencyStore) Release(_ context.Context, userID, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := idempotencyKey{userID, key}
	if e, ok := s.liveLocked(k, s.clock.Now()); ok && e.response == nil && e.token == token {
		delete(s.records, k)
	}
	return nil
}

// DeleteUser implements ports.IdempotencyStore.
func (s *IdempotencyStore) DeleteUser(_ context.Context, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.records, func(k idempotencyKey, _ idempotencyEntry) bool { return k.userID == userID })
	return nil
}

// claim reports e to a request that found it.
func (e idempotencyEntry) claim() ports.IdempotencyClaim {
	if e.response == nil {
		return ports.IdempotencyClaim{State: ports.IdempotencyInProgress, Fingerprint: e.fingerprint}
	}
	out := responseCopy(e.response)
	return ports.IdempotencyClaim{State: ports.IdempotencyCompleted, Fingerprint: e.fingerprint, Response: &out}
}

// liveLocked returns the entry at k unless it is absent or expired (an expired one is
// dropped).
func (s *IdempotencyStore) liveLocked(k idempotencyKey, now time.Time) (idempotencyEntry, bool) {
	e, ok := s.records[k]
	if !ok {
		return idempotencyEntry{}, false
	}
	if !now.Before(e.deadline) {
		delete(s.records, k)
		return idempotencyEntry{}, false
	}
	return e, true
}

// sweepLocked drops every expired record once per idempotencySweepEvery claims.
func (s *IdempotencyStore) sweepLocked(now time.Time) {
	s.claims++
	if s.claims%idempotencySweepEvery != 0 {
		return
	}
	maps.DeleteFunc(s.records, func(_ idempotencyKey, e idempotencyEntry) bool { return !now.Before(e.deadline) })
}

// responseCopy returns a deep copy of r, so no caller shares the stored header or body.
func responseCopy(r *ports.IdempotentResponse) ports.IdempotentResponse {
	return ports.IdempotentResponse{Status: r.Status, Header: maps.Clone(r.Header), Body: slices.Clone(r.Body)}
}
