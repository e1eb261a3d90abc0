package contract

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// StudySessionHarness is one study session store under test and the time it lives by.
type StudySessionHarness struct {
	Store ports.StudySessionStore
	// TTL returns how long userID's study session id has left to live, or
	// domain.ErrNotFound.
	TTL func(ctx context.Context, userID, id string) (time.Duration, error)
	// Sleep lets d of the store's time pass: it advances a fake clock, or really waits
	// when the store expires by real time (Redis TTLs).
	Sleep func(d time.Duration)
}

// StudySessionStoreFactory returns a fresh store whose sessions live ttl after their
// last write. The suite calls it once per property; register any teardown with
// t.Cleanup.
type StudySessionStoreFactory func(t *testing.T, ttl time.Duration) StudySessionHarness

// studyTTL is the lifetime of the properties that do not test expiry.
const studyTTL = time.Hour

// studyConcurrency is how many goroutines pop one card each from one session at once.
const studyConcurrency = 50

// studySessionProperties are the behaviours of the StudySessionStore contract, one check
// each.
var studySessionProperties = []property[StudySessionStoreFactory]{
	{"CreateThenGetReturnsEveryField", studyCreateThenGet},
	{"CreateOfTakenIDIsConflict", studyCreateTakenIDConflicts},
	{"UnknownOrForeignSessionIsNotFound", studyUnknownOrForeignNotFound},
	{"UpdatePersistsWhatFnDoes", studyUpdatePersists},
	{"FailedUpdateChangesNothing", studyFailedUpdateChangesNothing},
	{"UpdateOfUnknownSessionIsNotFound", studyUpdateUnknownNotFound},
	{"SessionsHandedOutAreCopies", studyHandsOutCopies},
	{"DeleteRemovesSession", studyDeleteRemoves},
	{"CreateSetsTTLAndUpdateRenewsIt", studyTTLRenewed},
	{"SessionExpiresAfterTTL", studyExpires},
	{"ConcurrentUpdatesPopEveryCardOnce", studyConcurrentUpdates},
	{"ListReturnsTheUsersOpenSessionsNewestFirst", studyList},
	{"ListLeavesOutExpiredSessions", studyListExpired},
	{"DeleteUserRemovesEverySessionOfTheUser", studyDeleteUser},
}

// StudySessionStore checks a ports.StudySessionStore: creation and reads with every
// field, conflicts, isolation between users, updates that persist or (on error) leave
// the session unchanged, deletion, a TTL that every write renews and that expires the
// session, listing a user's open sessions, deleting all of a user's sessions, and an
// atomic Update: 50 goroutines popping one card each from a 50-card
// queue pop every card exactly once. Expiry is asserted as "eventually, within 10 s of
// the store's time", never as a deadline.
func StudySessionStore(t *testing.T, newStore StudySessionStoreFactory) {
	t.Helper()
	runProperties(t, newStore, studySessionProperties)
}

// studyCreateThenGet checks that Create then Get returns every field.
func studyCreateThenGet(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 3)
	s.Answers = map[string]int{s.Queue[2]: 1}
	s.Reviewed, s.Correct = 4, 3
	require.NoError(t, h.Store.Create(t.Context(), s))

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)
}

// studyCreateTakenIDConflicts checks that Create of a taken id is a conflict and keeps
// the first.
func studyCreateTakenIDConflicts(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 2)
	require.NoError(t, h.Store.Create(t.Context(), s))
	again := NewStudySessionFixture(s.UserID, 5)
	again.ID = s.ID
	require.ErrorIs(t, h.Store.Create(t.Context(), again), domain.ErrConflict)

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)
}

// studyUnknownOrForeignNotFound checks that an unknown or another user's session is not
// found and stays intact.
func studyUnknownOrForeignNotFound(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 2)
	require.NoError(t, h.Store.Create(t.Context(), s))
	other := uuid.NewString()

	_, err := h.Store.Get(t.Context(), s.UserID, uuid.NewString())
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = h.Store.Get(t.Context(), other, s.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = h.Store.Update(t.Context(), other, s.ID, func(*domain.StudySession) error {
		t.Error("Update ran fn on another user's session")
		return nil
	})
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.NoError(t, h.Store.Delete(t.Context(), other, s.ID))

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)
}

// studyUpdatePersists checks that Update persists what fn does and returns it.
func studyUpdatePersists(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 3)
	require.NoError(t, h.Store.Create(t.Context(), s))

	updated, err := h.Store.Update(t.Context(), s.UserID, s.ID, func(cur *domain.StudySession) error {
		return cur.Record(cur.Queue[0], "review-1", 2)
	})
	require.NoError(t, err)
	require.NoError(t, s.Record(s.Queue[0], "review-1", 2))
	requireSameStudySession(t, s, updated)

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)

	// Answers and undos are history too: both survive the round trip.
	_, err = h.Store.Update(t.Context(), s.UserID, s.ID, func(cur *domain.StudySession) error {
		if err := cur.Record(cur.Queue[0], "review-2", 5); err != nil {
			return err
		}
		last, err := cur.LastAnswer()
		if err != nil {
			return err
		}
		return cur.Undo(last)
	})
	require.NoError(t, err)
	require.NoError(t, s.Record(s.Queue[0], "review-2", 5))
	last, err := s.LastAnswer()
	require.NoError(t, err)
	require.NoError(t, s.Undo(last))
	got, err = h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)
}

// studyFailedUpdateChangesNothing checks that an Update whose fn fails changes nothing
// and returns the error.
func studyFailedUpdateChangesNothing(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 3)
	require.NoError(t, h.Store.Create(t.Context(), s))
	refuse := errors.New("refused")

	_, err := h.Store.Update(t.Context(), s.UserID, s.ID, func(cur *domain.StudySession) error {
		cur.Queue = nil
		cur.Reviewed = 99
		return refuse
	})
	require.ErrorIs(t, err, refuse)

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, s, got)
}

// studyUpdateUnknownNotFound checks that Update of an unknown session is not found and
// does not call fn.
func studyUpdateUnknownNotFound(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	_, err := h.Store.Update(t.Context(), uuid.NewString(), uuid.NewString(), func(*domain.StudySession) error {
		t.Error("Update ran fn on an unknown session")
		return nil
	})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// studyHandsOutCopies checks that sessions handed out are copies.
func studyHandsOutCopies(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 2)
	require.NoError(t, h.Store.Create(t.Context(), s))
	want := *s
	want.Queue = slices.Clone(s.Queue)
	s.Queue[0] = "changed-after-create"

	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	got.Queue[1] = "changed-after-get"
	got.Answers["changed-after-get"] = 1

	again, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	requireSameStudySession(t, &want, again)
}

// studyDeleteRemoves checks that Delete removes the session and is a no-op when absent.
func studyDeleteRemoves(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 1)
	require.NoError(t, h.Store.Create(t.Context(), s))
	require.NoError(t, h.Store.Delete(t.Context(), s.UserID, s.ID))
	_, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.NoError(t, h.Store.Delete(t.Context(), s.UserID, s.ID))
	_, err = h.TTL(t.Context(), s.UserID, s.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// studyTTLRenewed checks that Create sets the TTL and Update renews it.
func studyTTLRenewed(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), 2)
	require.NoError(t, h.Store.Create(t.Context(), s))
	ttl, err := h.TTL(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	assert.Positive(t, ttl)
	assert.LessOrEqual(t, ttl, studyTTL)

	const pause = 2 * time.Second
	h.Sleep(pause)
	before, err := h.TTL(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	require.LessOrEqual(t, before, studyTTL-pause)
	_, err = h.Store.Update(t.Context(), s.UserID, s.ID, func(cur *domain.StudySession) error {
		return cur.Record(cur.Queue[0], "review-1", 5)
	})
	require.NoError(t, err)
	after, err := h.TTL(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	assert.Greater(t, after, before, "Update must renew the TTL")
	assert.LessOrEqual(t, after, studyTTL)
}

// studyExpires checks that a session expires after its TTL.
func studyExpires(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, time.Second)
	s := NewStudySessionFixture(uuid.NewString(), 1)
	require.NoError(t, h.Store.Create(t.Context(), s))
	for range sessionExpiryPolls {
		if _, err := h.Store.Get(t.Context(), s.UserID, s.ID); errors.Is(err, domain.ErrNotFound) {
			return
		}
		h.Sleep(sessionExpiryStep)
	}
	t.Fatalf("the session outlived its 1 s TTL by more than %s", sessionExpiryPolls*sessionExpiryStep)
}

// studyConcurrentUpdates checks that concurrent Updates pop every card exactly once.
func studyConcurrentUpdates(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	s := NewStudySessionFixture(uuid.NewString(), studyConcurrency)
	require.NoError(t, h.Store.Create(t.Context(), s))

	popped := make([]string, studyConcurrency)
	var wg sync.WaitGroup
	for i := range studyConcurrency {
		wg.Go(func() {
			_, err := h.Store.Update(t.Context(), s.UserID, s.ID, func(cur *domain.StudySession) error {
				card, ok := cur.Next()
				if !ok {
					return errors.New("queue already empty")
				}
				popped[i] = card // fn may run again: the committed round writes last
				return cur.Record(card, "review-"+card, 5)
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	assert.ElementsMatch(t, s.Queue, popped, "every card popped exactly once")
	got, err := h.Store.Get(t.Context(), s.UserID, s.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Queue)
	assert.Equal(t, studyConcurrency, got.Reviewed)
	assert.Equal(t, studyConcurrency, got.Correct)
	assert.Len(t, got.Answers, studyConcurrency)
}

// NewStudySessionFixture returns an unsaved study session of userID with n queued cards,
// started a moment ago at millisecond precision.
func NewStudySessionFixture(userID string, n int) *domain.StudySession {
	queue := make([]string, n)
	for i := range queue {
		queue[i] = fmt.Sprintf("card-%02d-%s", i, uuid.NewString()[:8])
	}
	started := time.Now().UTC().Truncate(time.Millisecond)
	return domain.NewStudySession(uuid.NewString(), userID, uuid.NewString(), started, queue)
}

// requireSameStudySession compares two study sessions field by field; an empty queue or
// answer map equals an absent one.
func requireSameStudySession(t *testing.T, want, got *domain.StudySession) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.ID, got.ID, "ID")
	assert.Equal(t, want.UserID, got.UserID, "UserID")
	assert.Equal(t, want.DeckID, got.DeckID, "DeckID")
	assertSameTime(t, want.StartedAt, got.StartedAt, "StartedAt")
	assert.True(t, slices.Equal(want.Queue, got.Queue), "Queue: want %v, got %v", want.Queue, got.Queue)
	assert.True(t, maps.Equal(want.Answers, got.Answers), "Answers: want %v, got %v", want.Answers, got.Answers)
	assert.Equal(t, want.Reviewed, got.Reviewed, "Reviewed")
	assert.Equal(t, want.Correct, got.Correct, "Correct")
	assert.True(t, slices.Equal(want.History, got.History), "History: want %v, got %v", want.History, got.History)
	assert.Equal(t, want.Undos, got.Undos, "Undos")
}

// studyList checks that List returns the user's open sessions, newest first, as they
// are now, and no longer lists a deleted one.
func studyList(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	user := uuid.NewString()
	sessions := make([]*domain.StudySession, 3)
	for i := range sessions {
		sessions[i] = NewStudySessionFixture(user, 2)
		sessions[i].StartedAt = sessions[i].StartedAt.Add(time.Duration(i) * time.Minute)
		require.NoError(t, h.Store.Create(t.Context(), sessions[i]))
	}
	require.NoError(t, h.Store.Create(t.Context(), NewStudySessionFixture(uuid.NewString(), 1)))
	updated, err := h.Store.Update(t.Context(), user, sessions[0].ID, func(s *domain.StudySession) error {
		s.Reviewed = 1
		return nil
	})
	require.NoError(t, err)

	listed, err := h.Store.List(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, listed, 3)
	requireSameStudySession(t, sessions[2], listed[0])
	requireSameStudySession(t, sessions[1], listed[1])
	requireSameStudySession(t, updated, listed[2])

	require.NoError(t, h.Store.Delete(t.Context(), user, sessions[1].ID))
	listed, err = h.Store.List(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, listed, 2)
	assert.Equal(t, []string{sessions[2].ID, sessions[0].ID}, []string{listed[0].ID, listed[1].ID})

	none, err := h.Store.List(t.Context(), uuid.NewString())
	require.NoError(t, err)
	assert.Empty(t, none)
}

// studyListExpired checks that an expired session drops out of List.
func studyListExpired(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, time.Second)
	s := NewStudySessionFixture(uuid.NewString(), 1)
	require.NoError(t, h.Store.Create(t.Context(), s))
	listed, err := h.Store.List(t.Context(), s.UserID)
	require.NoError(t, err)
	require.Len(t, listed, 1)
	for range sessionExpiryPolls {
		listed, err := h.Store.List(t.Context(), s.UserID)
		require.NoError(t, err)
		if len(listed) == 0 {
			return
		}
		h.Sleep(sessionExpiryStep)
	}
	t.Fatalf("the session stayed listed more than %s after its 1 s TTL", sessionExpiryPolls*sessionExpiryStep)
}

// studyDeleteUser checks that DeleteUser removes every session of the user and no one
// else's, and is a no-op for a user without sessions.
func studyDeleteUser(t *testing.T, newStore StudySessionStoreFactory) {
	h := newStore(t, studyTTL)
	user := uuid.NewString()
	mine := []*domain.StudySession{NewStudySessionFixture(user, 1), NewStudySessionFixture(user, 2)}
	other := NewStudySessionFixture(uuid.NewString(), 1)
	for _, s := range append(mine, other) {
		require.NoError(t, h.Store.Create(t.Context(), s))
	}
	require.NoError(t, h.Store.DeleteUser(t.Context(), user))
	for _, s := range mine {
		_, err := h.Store.Get(t.Context(), user, s.ID)
		require.ErrorIs(t, err, domain.ErrNotFound)
	}
	listed, err := h.Store.List(t.Context(), user)
	require.NoError(t, err)
	assert.Empty(t, listed)
	_, err = h.Store.Get(t.Context(), other.UserID, other.ID)
	require.NoError(t, err, "another user's session stays")
	require.NoError(t, h.Store.DeleteUser(t.Context(), uuid.NewString()))
}
