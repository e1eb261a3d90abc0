package negative_test

import (
	"context"
	"time"

	"github.com/studytool/studytool/domain"
)

// The broken session stores: each is sessionStore with one method replaced by a version
// carrying one realistic bug.

// lazyRefreshStore refreshes a session's idle expiry only when Validate rewrites its
// activity, so a session used often but within the activity resolution dies idle.
type lazyRefreshStore struct{ *sessionStore }

// Validate is sessionStore.Validate with the refresh moved into the rewrite.
func (s lazyRefreshStore) Validate(_ context.Context, id string, now time.Time) (*domain.Session, error) {
	now = millis(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(id)
	if !ok || !s.withinAbsoluteLocked(id, e, now) {
		return nil, domain.ErrSessionInvalid
	}
	expiry := s.policy.ExpiryAt(&e.session, now)
	if now.Sub(e.session.LastActivity) >= s.policy.ActivityResolution {
		e.deadline = s.clock.Now().Add(expiry.Sub(now))
	}
	return s.rewriteLocked(e, now, expiry), nil
}

// idleBlindStore checks only the absolute expiry in Validate, leaving idle expiry to the
// reads that drop dead sessions: a session idle past its timeout but not yet dropped
// comes back to life.
type idleBlindStore struct{ *sessionStore }

// Validate is sessionStore.Validate reading the stored entry without its deadline.
func (s idleBlindStore) Validate(_ context.Context, id string, now time.Time) (*domain.Session, error) {
	now = millis(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.sessions[id]
	if !ok || !s.withinAbsoluteLocked(id, e, now) {
		return nil, domain.ErrSessionInvalid
	}
	expiry := s.policy.ExpiryAt(&e.session, now)
	e.deadline = s.clock.Now().Add(expiry.Sub(now))
	return s.rewriteLocked(e, now, expiry), nil
}

// splitCreateStore decides which sessions to evict in one critical section and stores
// the new session in another, so a creation in between makes the decision stale.
type splitCreateStore struct{ *sessionStore }

// Create is sessionStore.Create with the lock released between deciding and storing.
func (s splitCreateStore) Create(_ context.Context, sess *domain.Session) ([]string, error) {
	if err := s.start(sess); err != nil {
		return nil, err
	}
	s.mu.Lock()
	victims := s.victimsLocked(sess)
	s.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.insertLocked(sess)
	s.removeAllLocked(victims)
	return victims, nil
}

// indexCountStore counts the entries of the user's index in DeleteUser, expired sessions
// not yet pruned among them.
type indexCountStore struct{ *sessionStore }

// DeleteUser is sessionStore.DeleteUser without pruning the index first.
func (s indexCountStore) DeleteUser(_ context.Context, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := s.index[userID]
	for id := range members {
		delete(s.sessions, id)
	}
	delete(s.index, userID)
	return len(members), nil
}
