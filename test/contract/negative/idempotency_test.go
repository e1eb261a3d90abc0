package negative_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// idempotencyStore is a copy of the memory adapter's idempotency store, trimmed of its
// periodic sweep. It is correct: a claim looks and takes in one critical section, and
// only the token of a claim completes or releases it.
type idempotencyStore struct {
	policy ports.IdempotencyPolicy
	clock  ports.Clock

	mu      steppedMutex
	records map[idempotencyKey]idempotencyEntry
}

type idempotencyKey struct{ userID, key string }

type idempotencyEntry struct {
	fingerprint, token string
	response           *ports.IdempotentResponse
	deadline           time.Time
}

var _ ports.IdempotencyStore = (*idempotencyStore)(nil)

func newIdempotencyStore(policy ports.IdempotencyPolicy, clock ports.Clock) *idempotencyStore {
	return &idempotencyStore{policy: policy, clock: clock, records: make(map[idempotencyKey]idempotencyEntry)}
}

// Claim takes the key unless a live record holds it, in one critical section.
func (s *idempotencyStore) Claim(_ context.Context, userID, key, fingerprint string) (ports.IdempotencyClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.liveLocked(idempotencyKey{userID, key}); ok {
		return e.claim(), nil
	}
	return s.takeLocked(userID, key, fingerprint), nil
}

// Complete keeps resp in place of the claim that token holds.
func (s *idempotencyStore) Complete(_ context.Context, userID, key, token string, resp ports.IdempotentResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(idempotencyKey{userID, key})
	if !ok || e.response != nil || e.token != token {
		return fmt.Errorf("complete: %w", domain.ErrConflict)
	}
	s.completeLocked(userID, key, e.fingerprint, resp)
	return nil
}

// Release frees the key when token's claim holds it.
func (s *idempotencyStore) Release(_ context.Context, userID, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.liveLocked(idempotencyKey{userID, key}); ok && e.response == nil && e.token == token {
		delete(s.records, idempotencyKey{userID, key})
	}
	return nil
}

// DeleteUser drops every record of userID.
func (s *idempotencyStore) DeleteUser(_ context.Context, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.records, func(k idempotencyKey, _ idempotencyEntry) bool { return k.userID == userID })
	return nil
}

// liveLocked returns the record at k unless it is absent or expired.
func (s *idempotencyStore) liveLocked(k idempotencyKey) (idempotencyEntry, bool) {
	e, ok := s.records[k]
	if !ok || !s.clock.Now().Before(e.deadline) {
		return idempotencyEntry{}, false
	}
	return e, true
}

// takeLocked stores a new claim of the key for the lock TTL.
func (s *idempotencyStore) takeLocked(userID, key, fingerprint string) ports.IdempotencyClaim {
	token := uuid.NewString()
	s.records[idempotencyKey{userID, key}] = idempotencyEntry{
		fingerprint: fingerprint, token: token, deadline: s.clock.Now().Add(s.policy.LockTTL),
	}
	return ports.IdempotencyClaim{State: ports.IdempotencyClaimed, Fingerprint: fingerprint, Token: token}
}

// completeLocked stores a copy of resp for the retention.
func (s *idempotencyStore) completeLocked(userID, key, fingerprint string, resp ports.IdempotentResponse) {
	kept := ports.IdempotentResponse{Status: resp.Status, Header: maps.Clone(resp.Header), Body: slices.Clone(resp.Body)}
	s.records[idempotencyKey{userID, key}] = idempotencyEntry{
		fingerprint: fingerprint, response: &kept, deadline: s.clock.Now().Add(s.policy.Retention),
	}
}

// claim reports e to a request that found it, handing out a copy of its response.
func (e idempotencyEntry) claim() ports.IdempotencyClaim {
	if e.response == nil {
		return ports.IdempotencyClaim{State: ports.IdempotencyInProgress, Fingerprint: e.fingerprint}
	}
	out := ports.IdempotentResponse{
		Status: e.response.Status, Header: maps.Clone(e.response.Header), Body: slices.Clone(e.response.Body),
	}
	return ports.IdempotencyClaim{State: ports.IdempotencyCompleted, Fingerprint: e.fingerprint, Response: &out}
}

// splitClaimStore looks for a record in one critical section and takes the key in
// another (a GET, then a SET without NX), so two claims that both looked first both
// take it: the request runs twice.
type splitClaimStore struct{ *idempotencyStore }

// Claim is idempotencyStore.Claim with the lock released between looking and taking.
func (s splitClaimStore) Claim(_ context.Context, userID, key, fingerprint string) (ports.IdempotencyClaim, error) {
	s.mu.Lock()
	e, ok := s.liveLocked(idempotencyKey{userID, key})
	s.mu.Unlock()
	if ok {
		return e.claim(), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.takeLocked(userID, key, fingerprint), nil
}

// tokenBlindStore completes and releases whatever claim holds the key (a DEL or SET
// without checking the token), so a request whose claim expired frees or overwrites
// the claim of the retry that took the key since.
type tokenBlindStore struct{ *idempotencyStore }

// Complete keeps resp in place of any claim of the key.
func (s tokenBlindStore) Complete(_ context.Context, userID, key, _ string, resp ports.IdempotentResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(idempotencyKey{userID, key})
	if !ok || e.response != nil {
		return fmt.Errorf("complete: %w", domain.ErrConflict)
	}
	s.completeLocked(userID, key, e.fingerprint, resp)
	return nil
}

// Release frees the key whatever claim holds it.
func (s tokenBlindStore) Release(_ context.Context, userID, key, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.liveLocked(idempotencyKey{userID, key}); ok && e.response == nil {
		delete(s.records, idempotencyKey{userID, key})
	}
	return nil
}
