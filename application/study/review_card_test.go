package study_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

// fakeDB plays the database behind the ProgressRepo and ReviewRepo mocks: RecordReview
// commits progress and review together, and refuses a review id already logged with
// domain.ErrConflict, as the repository contract requires.
type fakeDB struct {
	mu       sync.Mutex
	progress map[string]domain.Progress
	log      []domain.Review
}

func newFakeDB(seed ...domain.Progress) *fakeDB {
	db := &fakeDB{progress: make(map[string]domain.Progress)}
	for _, p := range seed {
		db.progress[p.CardID] = p
	}
	return db
}

func (db *fakeDB) RecordReview(_ context.Context, userID, cardID, deckID string, fn func(*domain.Progress) (*domain.Review, error)) (*domain.Progress, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	p, ok := db.progress[cardID]
	if !ok {
		p = domain.NewProgress(userID, cardID, deckID)
	}
	r, err := fn(&p)
	if err != nil {
		return nil, err
	}
	for _, logged := range db.log {
		if logged.ID == r.ID {
			return nil, domain.ErrConflict
		}
	}
	p.Version++
	db.progress[cardID] = p
	db.log = append(db.log, *r)
	return &p, nil
}

// UndoReview takes back review reviewID when it is the card's latest answer still
// standing, as the repository contract requires.
func (db *fakeDB) UndoReview(_ context.Context, _, cardID, reviewID string, fn func(*domain.Progress, *domain.Review) (*domain.Review, error)) (*domain.Progress, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	var standing []domain.Review
	for _, r := range db.log {
		switch {
		case r.CardID != cardID:
		case r.Kind == domain.ReviewUndo:
			standing = standing[:len(standing)-1]
		default:
			standing = append(standing, r)
		}
	}
	if len(standing) == 0 || standing[len(standing)-1].ID != reviewID {
		for _, r := range db.log {
			if r.ID == reviewID {
				return nil, domain.ErrConflict
			}
		}
		return nil, domain.ErrNotFound
	}
	p := db.progress[cardID]
	undo, err := fn(&p, &standing[len(standing)-1])
	if err != nil {
		return nil, err
	}
	p.Version++
	db.progress[cardID] = p
	db.log = append(db.log, *undo)
	return &p, nil
}

func (db *fakeDB) GetReview(_ context.Context, _, id string) (*domain.Review, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, r := range db.log {
		if r.ID == id {
			return &r, nil
		}
	}
	return nil, domain.ErrNotFound
}

func (db *fakeDB) GetProgress(_ context.Context, _, cardID string) (*domain.Progress, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	p, ok := db.progress[cardID]
	if !ok {
		return nil, domain.ErrNotFound
	}
	return &p, nil
}

// reviewRig is a ReviewCardHandler (and an UndoAnswerHandler) over mocks, with the study
// session s-1 of user-1 over the cards c1..c4 of deck-1.
type reviewRig struct {
	sessions *mocks.StudySessionStore
	decks    *mocks.DeckRepo
	profiles *mocks.ProfileRepo
	progress *mocks.ProgressRepo
	reviews  *mocks.ReviewRepo
	logs     *bytes.Buffer
	handler  *study.ReviewCardHandler
	undo     *study.UndoAnswerHandler
	// stored is the session as the store holds it; deck and profile are what the
	// learner's context reads.
	stored  *domain.StudySession
	deck    *domain.Deck
	profile *domain.Profile
}

func newReviewRig(t *testing.T, stored *domain.StudySession) *reviewRig {
	t.Helper()
	r := &reviewRig{
		sessions: mocks.NewStudySessionStore(t),
		decks:    mocks.NewDeckRepo(t),
		profiles: mocks.NewProfileRepo(t),
		progress: mocks.NewProgressRepo(t),
		reviews:  mocks.NewReviewRepo(t),
		logs:     &bytes.Buffer{},
		stored:   stored,
		deck:     sm2Deck(),
		profile:  utcLearner(),
	}
	deps := study.ReviewCardDeps{
		Sessions: r.sessions, Decks: r.decks, Profiles: r.profiles, Progress: r.progress, Reviews: r.reviews,
		Clock: clock.NewFake(epoch),
	}
	r.handler = study.NewReviewCardHandler(deps, slog.New(slog.NewTextHandler(r.logs, nil)))
	r.undo = study.NewUndoAnswerHandler(deps)
	return r
}

// expectSession lets the handler read the stored session (a copy each time, as a real
// store hands out), any card of the deck, the deck and the learner's profile.
func (r *reviewRig) expectSession() {
	r.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").RunAndReturn(
		func(context.Context, string, string) (*domain.StudySession, error) {
			return applyTo(r.stored)(context.Background(), "", "", func(*domain.StudySession) error { return nil })
		})
	r.expectCards()
	r.expectLearner()
}

// expectLearner lets the handler read the deck and the learner's profile.
func (r *reviewRig) expectLearner() {
	r.decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").RunAndReturn(
		func(context.Context, string, string) (*domain.Deck, error) { return r.deck, nil }).Maybe()
	r.profiles.EXPECT().GetProfile(mock.Anything, "user-1").RunAndReturn(
		func(context.Context, string) (*domain.Profile, error) { return r.profile, nil }).Maybe()
}

// expectCards lets the handler read any card of the deck.
func (r *reviewRig) expectCards() {
	r.decks.EXPECT().GetCards(mock.Anything, "user-1", "deck-1", mock.Anything).RunAndReturn(
		func(_ context.Context, _, _ string, ids []string) ([]domain.Card, error) {
			cards := make([]domain.Card, 0, len(ids))
			for _, id := range ids {
				cards = append(cards, card(id))
			}
			return cards, nil
		})
}

// expectDB routes the repositories to db.
func (r *reviewRig) expectDB(db *fakeDB) {
	r.progress.EXPECT().RecordReview(mock.Anything, "user-1", mock.Anything, "deck-1", mock.Anything).RunAndReturn(db.RecordReview)
	r.reviews.EXPECT().Get(mock.Anything, "user-1", mock.Anything).RunAndReturn(db.GetReview).Maybe()
	r.progress.EXPECT().Get(mock.Anything, "user-1", mock.Anything).RunAndReturn(db.GetProgress).Maybe()
}

func answer(cardID string, grade domain.Grade) study.ReviewCard {
	return study.ReviewCard{UserID: "user-1", SessionID: "s-1", CardID: cardID, Grade: grade, DurationMs: 1500}
}

// reviewed returns progress of cardID after a graded review, due at due.
func reviewed(cardID string, state domain.SchedState, due time.Time) domain.Progress {
	p := domain.NewProgress("user-1", cardID, "deck-1")
	p.State, p.IntervalDays, p.Reviews, p.Version = state, state.IntervalDays, max(state.Repetitions, 1), 1
	p.DueAt, p.LastReviewedAt = due, due.AddDate(0, 0, -state.IntervalDays)
	return p
}

func TestReviewCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		stored      *domain.StudySession
		seed        []domain.Progress
		answer      study.ReviewCard
		wantKind    domain.ReviewKind
		wantState   domain.SchedState
		wantQueue   []string
		wantCorrect int
		wantNext    string
	}{
		{
			name: "grade 5 on a new card passes it", stored: session("c1", "c2"), answer: answer("c1", 5),
			wantKind: domain.ReviewNew, wantState: domain.SchedState{Repetitions: 1, EF: 260, IntervalDays: 1},
			wantQueue: []string{"c2"}, wantCorrect: 1, wantNext: "c2",
		},
		{
			name: "grade 2 requeues the card at the end", stored: session("c1", "c2"), answer: answer("c1", 2),
			wantKind: domain.ReviewNew, wantState: domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1},
			wantQueue: []string{"c2", "c1"}, wantNext: "c2",
		},
		{
			name: "grade 3 reschedules under SM-2 but still requeues", stored: session("c1"), answer: answer("c1", 3),
			wantKind: domain.ReviewNew, wantState: domain.SchedState{Repetitions: 1, EF: 236, IntervalDays: 1},
			wantQueue: []string{"c1"}, wantNext: "c1",
		},
		{
			name: "a card other than the next one may be answered", stored: session("c1", "c2", "c3"), answer: answer("c2", 4),
			wantKind: domain.ReviewNew, wantState: domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1},
			wantQueue: []string{"c1", "c3"}, wantCorrect: 1, wantNext: "c1",
		},
		{
			name: "a card seen before in the session is drilled: logged, progress unchanged",
			stored: func() *domain.StudySession {
				s := session("c2", "c1")
				s.Answers["c1"], s.Reviewed = 1, 1
				return s
			}(),
			seed:     []domain.Progress{reviewed("c1", domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1}, epoch.Add(time.Hour))},
			answer:   answer("c1", 5),
			wantKind: domain.ReviewDrill, wantState: domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1},
			wantQueue: []string{"c2"}, wantCorrect: 1, wantNext: "c2",
		},
		{
			name: "a card due is reviewed", stored: session("c1"),
			seed:     []domain.Progress{reviewed("c1", domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1}, epoch.Add(-time.Hour))},
			answer:   answer("c1", 4),
			wantKind: domain.ReviewReview, wantState: domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6},
			wantQueue: []string{}, wantCorrect: 1,
		},
		{
			// Due at 19:00, before the learner's next day starts (04:00): due today.
			name: "a card due later today is reviewed", stored: session("c1"),
			seed:     []domain.Progress{reviewed("c1", domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1}, epoch.Add(10*time.Hour))},
			answer:   answer("c1", 4),
			wantKind: domain.ReviewReview, wantState: domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6},
			wantQueue: []string{}, wantCorrect: 1,
		},
		{
			// Queued when it was due, graded since (in another session, on another
			// device): answering it again grades nothing.
			name: "a card not due is a repeat: logged, progress unchanged", stored: session("c1"),
			seed:     []domain.Progress{reviewed("c1", domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6}, epoch.AddDate(0, 0, 6))},
			answer:   answer("c1", 5),
			wantKind: domain.ReviewRepeat, wantState: domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6},
			wantQueue: []string{}, wantCorrect: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newReviewRig(t, tt.stored)
			before := rig.stored.Reviewed
			db := newFakeDB(tt.seed...)
			rig.expectSession()
			rig.expectDB(db)
			rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()

			res, err := rig.handler.Handle(t.Context(), tt.answer)
			require.NoError(t, err)

			require.Len(t, db.log, 1)
			logged := db.log[0]
			assert.NotEmpty(t, logged.ID)
			assert.Equal(t, "s-1", logged.StudySessionID)
			assert.Equal(t, 1500, logged.DurationMs)
			assert.Equal(t, tt.answer.Grade, logged.Grade)
			assert.Equal(t, tt.wantKind, logged.Kind)
			assert.Equal(t, epoch, logged.ReviewedAt)
			assert.Equal(t, tt.wantState, res.Progress.State)

			assert.Equal(t, tt.wantQueue, res.Session.Queue)
			assert.Equal(t, tt.wantQueue, rig.stored.Queue, "the session store holds the result")
			assert.Equal(t, before+1, res.Session.Reviewed)
			assert.Equal(t, tt.wantCorrect, res.Session.Correct)
			if tt.wantNext == "" {
				assert.Nil(t, res.NextCard)
			} else {
				require.NotNil(t, res.NextCard)
				assert.Equal(t, card(tt.wantNext), *res.NextCard)
			}
		})
	}
}

func TestReviewCard_RefusesInvalidAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cmd    study.ReviewCard
		field  string
		stored bool // whether the session is read before refusing
	}{
		{"grade below 0", answer("c1", -1), "grade", false},
		{"grade above 5", answer("c1", 6), "grade", false},
		{"negative duration", study.ReviewCard{UserID: "user-1", SessionID: "s-1", CardID: "c1", Grade: 4, DurationMs: -1}, "durationMs", false},
		{"duration over a day", study.ReviewCard{UserID: "user-1", SessionID: "s-1", CardID: "c1", Grade: 4, DurationMs: study.MaxDurationMs + 1}, "durationMs", false},
		{"a card not in the deck", answer("zz", 4), "cardId", true},
		{"a card already passed in the session", answer("c0", 4), "cardId", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stored := session("c1", "c2")
			stored.Answers["c0"], stored.Reviewed, stored.Correct = 1, 1, 1
			rig := newReviewRig(t, stored)
			if tt.stored {
				rig.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(stored, nil).Once()
			}
			_, err := rig.handler.Handle(t.Context(), tt.cmd)
			requireValidation(t, err, tt.field)
		})
	}
}

func TestReviewCard_NamesEveryBadField(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	_, err := rig.handler.Handle(t.Context(), study.ReviewCard{UserID: "user-1", SessionID: "s-1", CardID: "c1", Grade: 9, DurationMs: -1})
	assert.Equal(t, []string{"grade", "durationMs"}, validationFields(err))
}

func TestReviewCard_UnknownSessionIsNotFound(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, nil)
	rig.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(nil, domain.ErrNotFound).Once()
	rig.reviews.EXPECT().InSession(mock.Anything, "user-1", "s-1").Return(nil, nil).Once() // nothing recorded
	_, err := rig.handler.Handle(t.Context(), answer("c1", 4))
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestReviewCard_DatabaseFailureWritesNothingElse(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	rig.expectSession()
	down := &domain.UnavailableError{Store: "database", Err: errors.New("connection reset")}
	rig.progress.EXPECT().RecordReview(mock.Anything, "user-1", "c1", "deck-1", mock.Anything).Return(nil, down).Once()
	// No Update is expected: the mock fails the test on one.

	_, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	assert.Equal(t, []string{"c1", "c2"}, rig.stored.Queue)
}

// TestReviewCard_RetryAfterSessionFailureIsIdempotent: the review commits, the session
// store fails (503), the client retries — with another grade, even — and the log keeps
// the one review; the session moves on by the grade on record.
func TestReviewCard_RetryAfterSessionFailureIsIdempotent(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).Return(nil, down).Once()

	_, err := rig.handler.Handle(t.Context(), answer("c1", 2))
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	require.Len(t, db.log, 1, "the review is durable although the request failed")
	assert.Equal(t, []string{"c1", "c2"}, rig.stored.Queue)

	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()
	res, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)

	require.Len(t, db.log, 1, "the retry logs nothing new")
	assert.Equal(t, domain.Grade(2), db.log[0].Grade)
	assert.Equal(t, domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1}, res.Progress.State)
	assert.Equal(t, []string{"c2", "c1"}, res.Session.Queue, "the recorded grade 2 requeues the card")
	assert.Equal(t, 1, res.Session.Reviewed)
	assert.Zero(t, res.Session.Correct)
}

// TestReviewCard_DuplicateAnswerAlreadyAppliedChangesNothing: two devices send the same
// answer; the second finds the review logged and the session already moved on.
func TestReviewCard_DuplicateAnswerAlreadyAppliedChangesNothing(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB()
	// Both devices read the session before either answer moved it on.
	rig.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").RunAndReturn(
		func(context.Context, string, string) (*domain.StudySession, error) { return session("c1", "c2"), nil }).Times(2)
	rig.expectCards()
	rig.expectLearner()
	rig.expectDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Times(2)

	first, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)
	second, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)

	assert.Len(t, db.log, 1)
	assert.Equal(t, first.Progress.State, second.Progress.State)
	assert.Equal(t, []string{"c2"}, second.Session.Queue)
	assert.Equal(t, 1, second.Session.Reviewed)
	assert.Equal(t, 1, second.Session.Correct)
}

func TestReviewCard_OtherConflictsAreReturned(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	rig.expectSession()
	rig.progress.EXPECT().RecordReview(mock.Anything, "user-1", "c1", "deck-1", mock.Anything).
		Return(nil, domain.ErrConflict).Once()
	rig.reviews.EXPECT().Get(mock.Anything, "user-1", mock.Anything).Return(nil, domain.ErrNotFound).Once()

	_, err := rig.handler.Handle(t.Context(), answer("c1", 4))
	require.ErrorIs(t, err, domain.ErrConflict)
	assert.Equal(t, []string{"c1"}, rig.stored.Queue)
}

func TestReviewCard_SessionFinishedMeanwhileStillAcknowledgesTheReview(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	// Another device finished the session between the commit and the session update.
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).Return(nil, domain.ErrNotFound).Once()

	res, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err, "the review is committed: the caller must learn that it counted")
	assert.Equal(t, 1, res.Progress.State.Repetitions)
	assert.Zero(t, res.Session.Remaining())
	assert.Nil(t, res.NextCard)
}

func TestReviewCard_DueDatesLandOnTheLearnersDayStart(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	rig.profile = &domain.Profile{ID: "user-1", TimeZone: "Asia/Tokyo", DayStartHour: 4}
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()

	res, err := rig.handler.Handle(t.Context(), answer("c1", 4))
	require.NoError(t, err)
	// epoch is 18:00 in Tokyo; a day later, at 04:00 Tokyo time, is 19:00 UTC.
	assert.Equal(t, time.Date(2025, 6, 1, 19, 0, 0, 0, time.UTC), res.Progress.DueAt)
	assert.Equal(t, 9*60*60, db.log[0].UTCOffsetSeconds, "the log records the learner's offset")
}

func TestReviewCard_FSRSDeckKeepsTheMemory(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	rig.deck.Options.Scheduler = domain.SchedulerFSRS
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()

	res, err := rig.handler.Handle(t.Context(), answer("c1", 4)) // Good
	require.NoError(t, err)
	require.NotNil(t, res.Progress.FSRS)
	assert.InDelta(t, 2.3065, res.Progress.FSRS.Stability, 1e-4)
	assert.InDelta(t, 2.1181, res.Progress.FSRS.Difficulty, 1e-4)
	assert.InDelta(t, 1, res.Progress.FSRS.Retrievability, 1e-9, "just answered")
	assert.Equal(t, 2, res.Progress.IntervalDays, "FSRS's interval at 90 % retention, rounded")
	assert.Equal(t, domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1}, res.Progress.State, "SM-2's state is kept too")
}

// TestReviewCard_OneGradedReviewPerDuePeriod reproduces a card graded twice: due, queued
// in two study sessions, answered 5 in both a minute apart. The first answer takes the
// interval from 6 to 16 days; the second finds the card no longer due and is a repeat.
func TestReviewCard_OneGradedReviewPerDuePeriod(t *testing.T) {
	t.Parallel()
	db := newFakeDB(reviewed("c1", domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6}, epoch.Add(-time.Hour)))
	results := make([]*study.ReviewResult, 2)
	for i, id := range []string{"s-1", "s-2"} {
		sess := session("c1")
		sess.ID = id
		rig := newReviewRig(t, sess)
		rig.sessions.EXPECT().Get(mock.Anything, "user-1", id).Return(sess, nil).Once()
		rig.expectCards()
		rig.expectLearner()
		rig.expectDB(db)
		rig.sessions.EXPECT().Update(mock.Anything, "user-1", id, mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()
		cmd := answer("c1", 5)
		cmd.SessionID = id
		var err error
		results[i], err = rig.handler.Handle(t.Context(), cmd)
		require.NoError(t, err)
	}
	require.Len(t, db.log, 2)
	assert.Equal(t, domain.ReviewReview, db.log[0].Kind)
	assert.Equal(t, domain.ReviewRepeat, db.log[1].Kind)
	assert.Equal(t, domain.SchedState{Repetitions: 3, EF: 260, IntervalDays: 16}, results[1].Progress.State)
	assert.Equal(t, 16, results[1].Progress.IntervalDays)
}

// TestReviewCard_ALeechLeavesTheSession: the 8th lapse suspends the card (the deck's
// default leech action), and the failed card is not requeued: it leaves the session.
func TestReviewCard_ALeechLeavesTheSession(t *testing.T) {
	t.Parallel()
	seed := reviewed("c1", domain.SchedState{Repetitions: 1, EF: 130, IntervalDays: 1}, epoch.Add(-time.Hour))
	seed.Lapses = 7
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB(seed)
	rig.expectSession()
	rig.expectDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()

	res, err := rig.handler.Handle(t.Context(), answer("c1", 1))
	require.NoError(t, err)
	assert.Equal(t, 8, res.Progress.Lapses)
	assert.True(t, res.Progress.Leech)
	assert.True(t, res.Progress.Suspended)
	assert.Equal(t, []string{"c2"}, res.Session.Queue, "not requeued")
	assert.Equal(t, "c2", res.NextCard.ID)
}

func TestReviewCard_UpcomingSuspendedCardsAreDropped(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2", "c3"))
	db := newFakeDB()
	rig.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(session("c1", "c2", "c3"), nil).Once()
	rig.decks.EXPECT().GetCards(mock.Anything, "user-1", "deck-1", mock.Anything).RunAndReturn(
		func(_ context.Context, _, _ string, ids []string) ([]domain.Card, error) {
			out := make([]domain.Card, len(ids))
			for i, id := range ids {
				out[i] = card(id)
				out[i].Suspended = id == "c2" // suspended by the learner since the session started
			}
			return out, nil
		})
	rig.expectLearner()
	rig.expectDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()

	res, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)
	assert.Equal(t, []string{"c3"}, res.Session.Queue)
	assert.Equal(t, "c3", res.NextCard.ID)
}

// TestReviewCard_RetryAfterTheSessionWasLost: the answer commits, the state Redis loses
// the study session before the client hears (503), and the retry finds the session
// gone: it answers 200 with the recorded result, not 404, and records nothing new.
func TestReviewCard_RetryAfterTheSessionWasLost(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).Return(nil, down).Once()
	_, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)

	lost := newReviewRig(t, nil)
	lost.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(nil, domain.ErrNotFound)
	lost.reviews.EXPECT().InSession(mock.Anything, "user-1", "s-1").RunAndReturn(
		func(context.Context, string, string) ([]domain.Review, error) { return db.log, nil })
	lost.expectLearner()
	lost.progress.EXPECT().Get(mock.Anything, "user-1", "c1").RunAndReturn(db.GetProgress).Once()

	res, err := lost.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err, "the retry of a recorded answer")
	assert.Equal(t, domain.SchedState{Repetitions: 1, EF: 260, IntervalDays: 1}, res.Progress.State)
	assert.Equal(t, 1, res.Session.Reviewed)
	assert.Zero(t, res.Session.Remaining())
	assert.Nil(t, res.NextCard)
	assert.Len(t, db.log, 1, "nothing recorded again")

	_, err = lost.handler.Handle(t.Context(), answer("c2", 5))
	require.ErrorIs(t, err, domain.ErrNotFound, "a card the session never recorded: the session is simply gone")
}
