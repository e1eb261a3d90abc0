package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/studytool/studytool/adapters/shared/observe"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// sessionSweepEvery is how many creations pass between two sweeps of every expired
// session, which bounds what users who never come back leave behind.
const sessionSweepEvery = 1024

// SessionStore is the in-process ports.SessionStore, the Redis adapter's twin: the same
// idle and absolute expiry, per-user limit with the oldest evicted, index pruning, and
// ordering (creation time, then id), with times kept at millisecond precision. Each
// session carries a deadline that plays the part of its Redis TTL: it is set relative to
// the time callers pass in and measured by the injected clock. It is safe for concurrent
// use; every operation holds one lock, so all of them are atomic.
type SessionStore struct {
	policy domain.SessionPolicy
	clock  ports.Clock

	// mu guards what follows: a *sync.Mutex, which only this package's tests wrap, to
	// learn where each critical section ends (export_test.go).
	mu       sync.Locker
	sessions map[string]*sessionEntry
	// index maps a user id to the creation times of the user's session ids.
	index   map[string]map[string]time.Time
	creates int
	// observer is told of creations, evictions and expired sessions removed.
	observer ports.SessionObserver
}

type sessionEntry struct {
	session  domain.Session
	deadline time.Time
}

var _ ports.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns an empty store that applies policy (MaxPerUser < 1 means no
// limit), tells expiry by clock and reports to observer (nil: to nobody).
func NewSessionStore(policy domain.SessionPolicy, clock ports.Clock, observer ports.SessionObserver) *SessionStore {
	return &SessionStore{
		policy:   policy,
		clock:    clock,
		mu:       new(sync.Mutex),
		sessions: make(map[string]*sessionEntry),
		index:    make(map[string]map[string]time.Time),
		observer: observe.Sessions(observer),
	}
}

// Create stores sess after completing its expiry fields under the store's policy (see
// domain.SessionPolicy.Start), indexes it, prunes the user's dead entries and evicts the
// oldest sessions beyond the limit.
func (s *SessionStore) Create(_ context.Context, sess *domain.Session) ([]string, error) {
	if sess.ID == "" || sess.UserID == "" {
		return nil, errors.New("session store: create: session id and user id are required")
	}
	sess.CreatedAt = sessionMillis(sess.CreatedAt)
	sess.AbsoluteExpiresAt = sessionMillis(sess.AbsoluteExpiresAt)
	if err := s.policy.Start(sess); err != nil {
		return nil, fmt.Errorf("session store: create: %w", err)
	}
	stored := sessionCopy(sess)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.sweepLocked(now)
	members := s.liveMembersLocked(sess.UserID, now)
	s.sessions[sess.ID] = &sessionEntry{session: stored, deadline: now.Add(sess.ExpiresAt.Sub(sess.CreatedAt))}
	members[sess.ID] = sess.CreatedAt
	s.index[sess.UserID] = members
	evicted := s.evictLocked(sess.ID, members)
	s.observer.SessionCreated(len(evicted))
	return evicted, nil
}

// evictLocked destroys the oldest sessions in members beyond the limit, never keep.
func (s *SessionStore) evictLocked(keep string, members map[string]time.Time) []string {
	excess := len(members) - s.policy.MaxPerUser
	if s.policy.MaxPerUser < 1 || excess <= 0 {
		return nil
	}
	others := make([]string, 0, len(members)-1)
	for id := range members {
		if id != keep {
			others = append(others, id)
		}
	}
	sortSessionIDs(others, members)
	evicted := others[:excess]
	for _, id := range evicted {
		delete(s.sessions, id)
		delete(members, id)
	}
	return evicted
}

// Validate returns the live session id, refreshing its expiry as of now. LastActivity
// and the stored ExpiresAt are rewritten only once per ActivityResolution; the returned
// ExpiresAt is always the refreshed one.
func (s *SessionStore) Validate(_ context.Context, id string, now time.Time) (*domain.Session, error) {
	now = sessionMillis(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(id, s.clock.Now())
	if !ok {
		return nil, domain.ErrSessionInvalid
	}
	if !now.Before(e.session.AbsoluteExpiresAt) {
		s.removeLocked(id)
		s.observer.SessionsExpired(1)
		return nil, domain.ErrSessionInvalid
	}
	expiry := s.policy.ExpiryAt(&e.session, now)
	e.deadline = s.clock.Now().Add(expiry.Sub(now))
	if now.Sub(e.session.LastActivity) >= s.policy.ActivityResolution {
		e.session.LastActivity = now
		e.session.ExpiresAt = expiry
	}
	out := sessionCopy(&e.session)
	out.ExpiresAt = expiry
	return &out, nil
}

// Get returns the live session id without touching it.
func (s *SessionStore) Get(_ context.Context, id string) (*domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(id, s.clock.Now())
	if !ok {
		return nil, domain.ErrSessionInvalid
	}
	out := sessionCopy(&e.session)
	return &out, nil
}

// Delete destroys session id and its index entry; an unknown id is a no-op.
func (s *SessionStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(id)
	return nil
}

// DeleteUser destroys every session of userID, returning how many were live.
func (s *SessionStore) DeleteUser(_ context.Context, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := s.liveMembersLocked(userID, s.clock.Now())
	for id := range members {
		delete(s.sessions, id)
	}
	delete(s.index, userID)
	return len(members), nil
}

// List returns userID's live sessions, newest first, pruning dead index entries.
func (s *SessionStore) List(_ context.Context, userID string) ([]domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := s.liveMembersLocked(userID, s.clock.Now())
	if len(members) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sortSessionIDs(ids, members)
	slices.Reverse(ids)
	out := make([]domain.Session, len(ids))
	for i, id := range ids {
		out[i] = sessionCopy(&s.sessions[id].session)
	}
	return out, nil
}

// Ping always succeeds: the store is in process.
func (s *SessionStore) Ping(context.Context) error { return nil }

// liveLocked returns session id when it is alive at now, dropping it when it has expired.
func (s *SessionStore) liveLocked(id string, now time.Time) (*sessionEntry, bool) {
	e, ok := s.sessions[id]
	if !ok {
		return nil, false
	}
	if !now.Before(e.deadline) {
		s.removeLocked(id)
		s.observer.SessionsExpired(1)
		return nil, false
	}
	return e, true
}

// liveMembersLocked prunes userID's index of the entries whose session has died and
// returns it; an index left empty is dropped, and the map returned is then detached.
func (s *SessionStore) liveMembersLocked(userID string, now time.Time) map[string]time.Time {
	members := s.index[userID]
	for id := range members {
		s.liveLocked(id, now)
	}
	if len(members) == 0 {
		delete(s.index, userID)
		return make(map[string]time.Time)
	}
	return members
}

// removeLocked destroys session id and its index entry.
func (s *SessionStore) removeLocked(id string) {
	e, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	if members, ok := s.index[e.session.UserID]; ok {
		delete(members, id)
		if len(members) == 0 {
			delete(s.index, e.session.UserID)
		}
	}
}

// sweepLocked drops every expired session once per sessionSweepEvery creations.
func (s *SessionStore) sweepLocked(now time.Time) {
	s.creates++
	if s.creates < sessionSweepEvery {
		return
	}
	s.creates = 0
	expired := 0
	for id, e := range s.sessions {
		if !now.Before(e.deadline) {
			s.removeLocked(id)
			expired++
		}
	}
	s.observer.SessionsExpired(expired)
}

// sortSessionIDs orders ids oldest first as a Redis sorted set does: by creation time,
// then by id.
func sortSessionIDs(ids []string, createdAt map[string]time.Time) {
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

// sessionMillis truncates t to the millisecond, the precision the Redis store keeps, in
// UTC.
func sessionMillis(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }
