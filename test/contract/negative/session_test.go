package negative_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// sessionStore is a copy of the memory adapter's session store, trimmed of what no
// contract property looks at (the observer, the periodic sweep). It is correct: each
// broken store below differs from it by one method, so a property it fails is the one
// that method's bug breaks.
type sessionStore struct {
	policy domain.SessionPolicy
	clock  ports.Clock

	mu       steppedMutex
	sessions map[string]*sessionEntry
	// index maps a user id to the creation times of the user's session ids.
	index map[string]map[string]time.Time
}

type sessionEntry struct {
	session  domain.Session
	deadline time.Time
}

var _ ports.SessionStore = (*sessionStore)(nil)

func newSessionStore(policy domain.SessionPolicy, clock ports.Clock) *sessionStore {
	return &sessionStore{
		policy:   policy,
		clock:    clock,
		sessions: make(map[string]*sessionEntry),
		index:    make(map[string]map[string]time.Time),
	}
}

// Create stores and indexes sess and evicts the oldest of its user's sessions beyond
// the limit, all in one critical section.
func (s *sessionStore) Create(_ context.Context, sess *domain.Session) ([]string, error) {
	if err := s.start(sess); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	victims := s.victimsLocked(sess)
	s.insertLocked(sess)
	s.removeAllLocked(victims)
	return victims, nil
}

// Validate returns the live session id, refreshing its idle expiry as of now and
// rewriting it once per activity resolution.
func (s *sessionStore) Validate(_ context.Context, id string, now time.Time) (*domain.Session, error) {
	now = millis(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(id)
	if !ok || !s.withinAbsoluteLocked(id, e, now) {
		return nil, domain.ErrSessionInvalid
	}
	expiry := s.policy.ExpiryAt(&e.session, now)
	e.deadline = s.clock.Now().Add(expiry.Sub(now))
	return s.rewriteLocked(e, now, expiry), nil
}

// Get returns the live session id.
func (s *sessionStore) Get(_ context.Context, id string) (*domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(id)
	if !ok {
		return nil, domain.ErrSessionInvalid
	}
	out := sessionCopy(&e.session)
	return &out, nil
}

// Delete destroys session id and its index entry.
func (s *sessionStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(id)
	return nil
}

// DeleteUser destroys every session of userID and counts the live ones.
func (s *sessionStore) DeleteUser(_ context.Context, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := s.liveMembersLocked(userID)
	for id := range members {
		delete(s.sessions, id)
	}
	delete(s.index, userID)
	return len(members), nil
}

// List returns userID's live sessions, newest first.
func (s *sessionStore) List(_ context.Context, userID string) ([]domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := s.liveMembersLocked(userID)
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sortOldestFirst(ids, members)
	slices.Reverse(ids)
	out := make([]domain.Session, len(ids))
	for i, id := range ids {
		out[i] = sessionCopy(&s.sessions[id].session)
	}
	return out, nil
}

// Ping always succeeds.
func (s *sessionStore) Ping(context.Context) error { return nil }

// indexLen is the harness's view of userID's raw index.
func (s *sessionStore) indexLen(_ context.Context, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index[userID]), nil
}

// start validates sess and completes its expiry fields under the policy.
func (s *sessionStore) start(sess *domain.Session) error {
	if sess.ID == "" || sess.UserID == "" {
		return errors.New("session store: create: session id and user id are required")
	}
	sess.CreatedAt, sess.AbsoluteExpiresAt = millis(sess.CreatedAt), millis(sess.AbsoluteExpiresAt)
	if err := s.policy.Start(sess); err != nil {
		return fmt.Errorf("session store: create: %w", err)
	}
	return nil
}

// victimsLocked returns the oldest live sessions of sess's user that storing sess puts
// beyond the limit.
func (s *sessionStore) victimsLocked(sess *domain.Session) []string {
	members := s.liveMembersLocked(sess.UserID)
	excess := len(members) + 1 - s.policy.MaxPerUser
	if s.policy.MaxPerUser < 1 || excess <= 0 {
		return nil
	}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sortOldestFirst(ids, members)
	return ids[:excess]
}

// insertLocked stores and indexes sess.
func (s *sessionStore) insertLocked(sess *domain.Session) {
	deadline := s.clock.Now().Add(sess.ExpiresAt.Sub(sess.CreatedAt))
	s.sessions[sess.ID] = &sessionEntry{session: sessionCopy(sess), deadline: deadline}
	if s.index[sess.UserID] == nil {
		s.index[sess.UserID] = make(map[string]time.Time)
	}
	s.index[sess.UserID][sess.ID] = sess.CreatedAt
}

// withinAbsoluteLocked reports whether e is still before its absolute expiry at now,
// destroying it when it is not.
func (s *sessionStore) withinAbsoluteLocked(id string, e *sessionEntry, now time.Time) bool {
	if now.Before(e.session.AbsoluteExpiresAt) {
		return true
	}
	s.removeLocked(id)
	return false
}

// rewriteLocked rewrites e's activity once per resolution and returns it with expiry.
func (s *sessionStore) rewriteLocked(e *sessionEntry, now, expiry time.Time) *domain.Session {
	if now.Sub(e.session.LastActivity) >= s.policy.ActivityResolution {
		e.session.LastActivity, e.session.ExpiresAt = now, expiry
	}
	out := sessionCopy(&e.session)
	out.ExpiresAt = expiry
	return &out
}

// liveLocked returns session id when it is alive by the store's clock, dropping it when
// it has expired.
func (s *sessionStore) liveLocked(id string) (*sessionEntry, bool) {
	e, ok := s.sessions[id]
	if !ok {
		return nil, false
	}
	if !s.clock.Now().Before(e.deadline) {
		s.removeLocked(id)
		return nil, false
	}
	return e, true
}

// liveMembersLocked prunes userID's index of dead sessions and returns it.
func (s *sessionStore) liveMembersLocked(userID string) map[string]time.Time {
	members := s.index[userID]
	for id := range members {
		s.liveLocked(id)
	}
	return s.index[userID]
}

// removeAllLocked destroys sessions ids.
func (s *sessionStore) removeAllLocked(ids []string) {
	for _, id := range ids {
		s.removeLocked(id)
	}
}

// removeLocked destroys session id and its index entry.
func (s *sessionStore) removeLocked(id string) {
	e, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	members := s.index[e.session.UserID]
	delete(members, id)
	if len(members) == 0 {
		delete(s.index, e.session.UserID)
	}
}

// sortOldestFirst orders ids by creation time, then id.
func sortOldestFirst(ids []string, createdAt map[string]time.Time) {
	slices.SortFunc(ids, func(a, b string) int {
		if c := createdAt[a].Compare(createdAt[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// sessionCopy returns a copy of s that shares no memory with it.
func sessionCopy(s *domain.Session) domain.Session {
	out := *s
	out.Permissions = slices.Clone(s.Permissions)
	return out
}

// millis truncates t to the millisecond, in UTC.
func millis(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

// steppedMutex is a mutex that reports the end of each critical section to step, once
// the harness's OnStep has set it.
type steppedMutex struct {
	sync.Mutex
	step func()
}

// Unlock releases the mutex, then reports the end of a step.
func (m *steppedMutex) Unlock() {
	m.Mutex.Unlock()
	if m.step != nil {
		m.step()
	}
}

// onStep is the harness's OnStep.
func (m *steppedMutex) onStep(step func()) { m.step = step }
