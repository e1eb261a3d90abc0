package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// studySweepEvery is how many creations pass between two sweeps of every expired study
// session, which bounds what abandoned sessions leave behind.
const studySweepEvery = 1024

// StudySessionStore is the in-process ports.StudySessionStore, the Redis adapter's twin:
// sessions are keyed by user and id, expire ttl after their last write (measured by the
// injected clock), and are handed out as copies. Every operation holds one lock, so
// Update is atomic; its fn runs under that lock and must not call the store.
type StudySessionStore struct {
	ttl   time.Duration
	clock ports.Clock

	mu       sync.Mutex
	sessions map[studyKey]studyEntry
	creates  int
}

type studyKey struct{ userID, id string }

type studyEntry struct {
	session  domain.StudySession
	deadline time.Time
}

var _ ports.StudySessionStore = (*StudySessionStore)(nil)

// NewStudySessionStore returns an empty store whose sessions live ttl after their last
// write, by clock.
func NewStudySessionStore(ttl time.Duration, clock ports.Clock) *StudySessionStore {
	return &StudySessionStore{ttl: ttl, clock: clock, sessions: make(map[studyKey]studyEntry)}
}

// Create stores a copy of sess; an id already taken yields domain.ErrConflict.
func (s *StudySessionStore) Create(_ context.Context, sess *domain.StudySession) error {
	if sess.ID == "" || sess.UserID == "" {
		return errors.New("study session store: create: study session id and user id are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.sweepLocked(now)
	key := studyKey{sess.UserID, sess.ID}
	if _, ok := s.liveLocked(key, now); ok {
		return fmt.Errorf("study session store: create %s: %w", sess.ID, domain.ErrConflict)
	}
	s.sessions[key] = studyEntry{session: studyCopy(sess), deadline: now.Add(s.ttl)}
	return nil
}

// Get returns a copy of userID's study session id or domain.ErrNotFound.
func (s *StudySessionStore) Get(_ context.Context, userID, id string) (*domain.StudySession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.liveLocked(studyKey{userID, id}, s.clock.Now())
	if !ok {
		return nil, fmt.Errorf("study session store: get %s: %w", id, domain.ErrNotFound)
	}
	out := studyCopy(&e.session)
	return &out, nil
}

// Update applies fn to a copy of userID's study session and stores the result with a
// renewed TTL; an fn error leaves the session unchanged and is returned wrapped. An
// unknown session is domain.ErrNotFound and fn is not called.
func (s *StudySessionStore) Update(_ context.Context, userID, id string, fn func(*domain.StudySession) error) (*domain.StudySession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	key := studyKey{userID, id}
	e, ok := s.liveLocked(key, now)
	if !ok {
		return nil, fmt.Errorf("study session store: update %s: %w", id, domain.ErrNotFound)
	}
	working := studyCopy(&e.session)
	if err := fn(&working); err != nil {
		return nil, fmt.Errorf("study session store: update %s: %w", id, err)
	}
	s.sessions[key] = studyEntry{session: studyCopy(&working), deadline: now.Add(s.ttl)}
	return &working, nil
}

// Delete removes userID's study session id; an unknown one is a no-op.
func (s *StudySessionStore) Delete(_ context.Context, userID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, studyKey{userID, id})
	return nil
}

// List returns copies of userID's open study sessions, the most recently started first.
func (s *StudySessionStore) List(_ context.Context, userID string) ([]*domain.StudySession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := []*domain.StudySession{}
	for key := range s.sessions {
		if key.userID != userID {
			continue
		}
		if e, ok := s.liveLocked(key, now); ok {
			c := studyCopy(&e.session)
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *domain.StudySession) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

// DeleteUser removes every study session of userID.
func (s *StudySessionStore) DeleteUser(_ context.Context, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.sessions, func(k studyKey, _ studyEntry) bool { return k.userID == userID })
	return nil
}

// TTL returns how long userID's study session id has left to live, or
// domain.ErrNotFound.
func (s *StudySessionStore) TTL(_ context.Context, userID, id string) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, ok := s.liveLocked(studyKey{userID, id}, now)
	if !ok {
		return 0, fmt.Errorf("study session store: ttl %s: %w", id, domain.ErrNotFound)
	}
	return e.deadline.Sub(now), nil
}

// liveLocked returns the entry at key unless it is absent or expired (an expired one is
// dropped).
func (s *StudySessionStore) liveLocked(key studyKey, now time.Time) (studyEntry, bool) {
	e, ok := s.sessions[key]
	if !ok {
		return studyEntry{}, false
	}
	if !now.Before(e.deadline) {
		delete(s.sessions, key)
		return studyEntry{}, false
	}
	return e, true
}

// sweepLocked drops every expired session once per studySweepEvery creations.
func (s *StudySessionStore) sweepLocked(now time.Time) {
	s.creates++
	if s.creates%studySweepEvery != 0 {
		return
	}
	maps.DeleteFunc(s.sessions, func(_ studyKey, e studyEntry) bool { return !now.Before(e.deadline) })
}

// studyCopy returns a deep copy of sess, so no caller shares the stored queue or answers.
func studyCopy(sess *domain.StudySession) domain.StudySession {
	out := *sess
	out.StartedAt = sess.StartedAt.UTC()
	out.Queue = slices.Clone(sess.Queue)
	if out.Queue == nil {
		out.Queue = []string{}
	}
	out.Answers = maps.Clone(sess.Answers)
	if out.Answers == nil {
		out.Answers = make(map[string]int)
	}
	out.History = slices.Clone(sess.History)
	return out
}
