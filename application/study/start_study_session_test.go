package study_test

import (
	"context"
	"errors"
	"fmt"
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

// startRig is a StartStudySessionHandler over mocks, for user-1's deck-1.
type startRig struct {
	decks    *mocks.DeckRepo
	profiles *mocks.ProfileRepo
	progress *mocks.ProgressRepo
	reviews  *mocks.ReviewRepo
	store    *mocks.StudySessionStore
	handler  *study.StartStudySessionHandler
}

func newStartRig(t *testing.T) *startRig {
	t.Helper()
	r := &startRig{
		decks: mocks.NewDeckRepo(t), profiles: mocks.NewProfileRepo(t), progress: mocks.NewProgressRepo(t),
		reviews: mocks.NewReviewRepo(t), store: mocks.NewStudySessionStore(t),
	}
	r.handler = study.NewStartStudySessionHandler(r.decks, r.profiles, r.progress, r.reviews, r.store, clock.NewFake(epoch))
	return r
}

// nextDayStart is when user-1's next learner day starts, seen at epoch (09:00 UTC).
var nextDayStart = time.Date(2025, 6, 2, 4, 0, 0, 0, time.UTC)

// expect sets up a deck with options, the day's counts so far, the due cards (in the
// order the repository returns them; Due returns the first Limit) and the deck's
// unstudied cards (Unstudied returns the first limit), and captures the session created.
func (r *startRig) expect(options domain.StudyOptions, newToday, reviewsToday int, due []domain.DueCard, unstudied []string, stored **domain.StudySession) {
	deck := sm2Deck()
	deck.Options = options
	r.decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(deck, nil).Once()
	r.profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(utcLearner(), nil).Once()
	startOfDay := time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC)
	r.reviews.EXPECT().CountGraded(mock.Anything, "user-1", "deck-1", startOfDay).Return(newToday, reviewsToday, nil).Once()
	r.progress.EXPECT().Due(mock.Anything, "user-1", "deck-1", mock.Anything).RunAndReturn(
		func(_ context.Context, _, _ string, q domain.DueQuery) ([]domain.DueCard, error) {
			if q.Before != nextDayStart || q.Now != epoch || q.LeastRetrievableFirst != (options.Scheduler == domain.SchedulerFSRS) {
				return nil, fmt.Errorf("unexpected due query %+v", q)
			}
			return due[:min(q.Limit, len(due))], nil
		}).Once()
	r.progress.EXPECT().Unstudied(mock.Anything, "user-1", "deck-1", mock.Anything).RunAndReturn(
		func(_ context.Context, _, _ string, limit int) ([]string, error) {
			return unstudied[:min(limit, len(unstudied))], nil
		}).Maybe()
	r.store.EXPECT().Create(mock.Anything, mock.Anything).Run(func(_ context.Context, s *domain.StudySession) {
		*stored = s
	}).Return(nil).Once()
	r.decks.EXPECT().GetCards(mock.Anything, "user-1", "deck-1", mock.Anything).RunAndReturn(
		func(_ context.Context, _, _ string, ids []string) ([]domain.Card, error) {
			cards := make([]domain.Card, len(ids))
			for i, id := range ids {
				cards[i] = card(id)
			}
			return cards, nil
		}).Maybe()
}

func TestStartStudySession(t *testing.T) {
	t.Parallel()
	due := []domain.DueCard{ // as the repository returns them: oldest due first
		{CardID: "c4", DueAt: epoch.AddDate(0, 0, -2), LastReviewedAt: epoch.AddDate(0, 0, -3)},
		{CardID: "c3", DueAt: epoch.Add(-time.Hour), LastReviewedAt: epoch.AddDate(0, 0, -1)},
		{CardID: "c5", DueAt: epoch.Add(10 * time.Hour), LastReviewedAt: epoch.AddDate(0, 0, -1)}, // due tonight
	}
	withLimits := func(newPerDay, reviewsPerDay int) domain.StudyOptions {
		o := domain.DefaultStudyOptions()
		o.NewCardsPerDay, o.ReviewsPerDay = newPerDay, reviewsPerDay
		return o
	}
	tests := []struct {
		name                   string
		options                domain.StudyOptions
		newToday, reviewsToday int
		due                    []domain.DueCard
		unstudied              []string
		maxCards               int
		wantQueue              []string
	}{
		{"due by the learner's day, oldest first, then new", domain.DefaultStudyOptions(), 0, 0, due, []string{"c1", "c2"}, 20,
			[]string{"c4", "c3", "c5", "c1", "c2"}},
		{"maxCards bounds the queue", domain.DefaultStudyOptions(), 0, 0, due, []string{"c1"}, 2, []string{"c4", "c3"}},
		{"new cards up to what the day still allows", withLimits(5, 200), 3, 0, nil, []string{"c1", "c2", "c6", "c7"}, 20,
			[]string{"c1", "c2"}},
		{"no new cards once the day's are in", withLimits(5, 200), 5, 0, due[1:2], []string{"c1"}, 20, []string{"c3"}},
		{"no new cards when the due ones fill the session", domain.DefaultStudyOptions(), 0, 0, due, []string{"c1"}, 3, []string{"c4", "c3", "c5"}},
		{"reviews up to what the day still allows", withLimits(20, 10), 0, 9, due, nil, 20, []string{"c4"}},
		{"nothing to study", domain.DefaultStudyOptions(), 0, 0, nil, nil, 20, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newStartRig(t)
			var stored *domain.StudySession
			rig.expect(tt.options, tt.newToday, tt.reviewsToday, tt.due, tt.unstudied, &stored)

			view, err := rig.handler.Handle(t.Context(), study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: tt.maxCards})
			require.NoError(t, err)
			require.Same(t, stored, view.Session, "the stored session is the one returned")
			assert.NotEmpty(t, view.Session.ID)
			assert.Equal(t, "user-1", view.Session.UserID)
			assert.Equal(t, "deck-1", view.Session.DeckID)
			assert.Equal(t, epoch, view.Session.StartedAt)
			assert.Equal(t, tt.wantQueue, view.Session.Queue)
			assert.Zero(t, view.Session.Reviewed)
			if len(tt.wantQueue) == 0 {
				assert.Nil(t, view.NextCard)
				return
			}
			require.NotNil(t, view.NextCard)
			assert.Equal(t, card(tt.wantQueue[0]), *view.NextCard)
		})
	}
}

func TestStartStudySession_FSRSDeckStudiesTheLeastRememberedFirst(t *testing.T) {
	t.Parallel()
	rig := newStartRig(t)
	options := domain.DefaultStudyOptions()
	options.Scheduler = domain.SchedulerFSRS
	due := []domain.DueCard{
		// Overdue longest, but remembered well: a long stability.
		{CardID: "c1", DueAt: epoch.AddDate(0, 0, -3), LastReviewedAt: epoch.AddDate(0, 0, -40), Stability: 60},
		// Due today, but barely remembered.
		{CardID: "c2", DueAt: epoch.Add(-time.Hour), LastReviewedAt: epoch.AddDate(0, 0, -10), Stability: 2},
		// Scheduled by SM-2 before the switch, without a memory: first.
		{CardID: "c3", DueAt: epoch.Add(-time.Minute), LastReviewedAt: epoch.AddDate(0, 0, -1)},
	}
	var stored *domain.StudySession
	rig.expect(options, 0, 0, due, nil, &stored)

	view, err := rig.handler.Handle(t.Context(), study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: 20})
	require.NoError(t, err)
	assert.Equal(t, []string{"c3", "c2", "c1"}, view.Session.Queue)
}

func TestStartStudySession_RefusesMaxCardsOutOfRange(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 0, domain.MaxStudyCards + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			_, err := newStartRig(t).handler.Handle(t.Context(), study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: n})
			requireValidation(t, err, "maxCards")
		})
	}
}

func TestStartStudySession_NamesEveryBadField(t *testing.T) {
	t.Parallel()
	_, err := newStartRig(t).handler.Handle(t.Context(), study.StartStudySession{UserID: "user-1", MaxCards: 0})
	assert.Equal(t, []string{"deckId", "maxCards"}, validationFields(err))
}

func TestStartStudySession_DeckOfAnotherUserIsNotFound(t *testing.T) {
	t.Parallel()
	rig := newStartRig(t)
	rig.decks.EXPECT().GetDeck(mock.Anything, "user-2", "deck-1").Return(nil, domain.ErrNotFound).Once()
	_, err := rig.handler.Handle(t.Context(), study.StartStudySession{UserID: "user-2", DeckID: "deck-1", MaxCards: 20})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestStartStudySession_StoreFailureIsReturned(t *testing.T) {
	t.Parallel()
	rig := newStartRig(t)
	var stored *domain.StudySession
	rig.expect(domain.DefaultStudyOptions(), 0, 0, nil, []string{"c1"}, &stored)
	rig.store.ExpectedCalls = nil // replace the Create expectation with a failing one
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	rig.store.EXPECT().Create(mock.Anything, mock.Anything).Return(down).Once()

	_, err := rig.handler.Handle(t.Context(), study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: 20})
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
}
