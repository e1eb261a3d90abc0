package progress_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

// studied returns the progress of a card last reviewed a day ago, due at due.
func studied(cardID string, repetitions int, due time.Time) domain.Progress {
	return domain.Progress{
		UserID: "user-1", CardID: cardID, DeckID: "deck-1",
		CardState: domain.CardState{
			State:        domain.SchedState{Repetitions: repetitions, EF: domain.InitialEF, IntervalDays: 1},
			IntervalDays: 1, DueAt: due, LastReviewedAt: epoch.AddDate(0, 0, -1), Reviews: 1,
			Memory: domain.FSRSMemory{Stability: 3, Difficulty: 5},
		},
		Version: 1,
	}
}

// learner is user-1's profile: a day in UTC starting at 04:00, so at epoch (09:30) the
// next learner day starts tomorrow at 04:00.
var learner = &domain.Profile{ID: "user-1", TimeZone: "UTC", DayStartHour: 4}

func TestDeckProgress(t *testing.T) {
	t.Parallel()
	suspended := studied("c-suspended", 2, epoch.Add(-time.Hour))
	suspended.Suspended = true
	suspendedNew := domain.NewProgress("user-1", "c-suspended-new", "deck-1")
	suspendedNew.Suspended = true
	rows := []domain.Progress{
		studied("c-learning", 1, epoch.Add(20*time.Hour)),    // tomorrow 05:30, n < 2
		studied("c-due-now", 3, epoch),                       // due exactly now
		studied("c-due-tonight", 3, epoch.Add(12*time.Hour)), // 21:30: due by the learner's day
		studied("c-learned", 2, epoch.AddDate(0, 0, 6)),      // not due, n = 2
		studied("c-relearning", 0, epoch.Add(19*time.Hour)),  // failed: n = 0, due tomorrow 04:30
		studied("c-due-first", 4, epoch.Add(-48*time.Hour)),  // overdue
		studied("c-due-tie", 1, epoch.Add(-48*time.Hour)),    // overdue, same instant
		suspended, // due, but suspended
		domain.NewProgress("user-1", "c-unreviewed", "deck-1"), // a row never graded is new
		suspendedNew, // new and suspended
	}
	decks, profiles, repo := mocks.NewDeckRepo(t), mocks.NewProfileRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", UserID: "user-1", CardCount: 12}, nil).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(learner, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(rows, nil).Once()

	sum, err := progress.NewDeckProgressHandler(decks, profiles, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-1", DeckID: "deck-1"})
	require.NoError(t, err)
	assert.Equal(t, progress.Counts{New: 3, Learning: 2, Due: 4, Suspended: 2, Total: 12}, sum.Counts)
	ids := make([]string, len(sum.Cards))
	for i, p := range sum.Cards {
		ids[i] = p.CardID
		assert.Nil(t, p.FSRS, "an SM-2 deck shows no FSRS memory")
	}
	assert.Equal(t, []string{
		"c-due-first", "c-due-tie", "c-suspended", "c-due-now", "c-due-tonight", "c-relearning", "c-learning", "c-learned",
	}, ids, "studied cards only, earliest due first, ties by card id")
}

func TestDeckProgressOfAnFSRSDeckShowsTheMemory(t *testing.T) {
	t.Parallel()
	decks, profiles, repo := mocks.NewDeckRepo(t), mocks.NewProfileRepo(t), mocks.NewProgressRepo(t)
	options := domain.DefaultStudyOptions()
	options.Scheduler = domain.SchedulerFSRS
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", CardCount: 1, Options: options}, nil).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(learner, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return([]domain.Progress{studied("c1", 1, epoch)}, nil).Once()

	sum, err := progress.NewDeckProgressHandler(decks, profiles, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-1", DeckID: "deck-1"})
	require.NoError(t, err)
	require.Len(t, sum.Cards, 1)
	require.NotNil(t, sum.Cards[0].FSRS)
	assert.InDelta(t, 3.0, sum.Cards[0].FSRS.Stability, 1e-12)
	assert.InDelta(t, 5.0, sum.Cards[0].FSRS.Difficulty, 1e-12)
	// Reviewed a day ago with a stability of 3 days: FSRS-6's forgetting curve.
	assert.InDelta(t, domain.DefaultFSRSWeights.Retrievability(1, 3), sum.Cards[0].FSRS.Retrievability, 1e-12)
	assert.Greater(t, sum.Cards[0].FSRS.Retrievability, 0.9, "a day into a 3-day stability, recall is above 90 %")
}

func TestDeckProgressOfAnEmptyDeck(t *testing.T) {
	t.Parallel()
	decks, profiles, repo := mocks.NewDeckRepo(t), mocks.NewProfileRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1"}, nil).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(learner, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(nil, nil).Once()

	sum, err := progress.NewDeckProgressHandler(decks, profiles, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-1", DeckID: "deck-1"})
	require.NoError(t, err)
	assert.Equal(t, progress.Counts{}, sum.Counts)
	assert.NotNil(t, sum.Cards, "an empty list, not nil")
	assert.Empty(t, sum.Cards)
}

func TestDeckProgressOfAnotherUsersDeck(t *testing.T) {
	t.Parallel()
	decks, profiles, repo := mocks.NewDeckRepo(t), mocks.NewProfileRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-2", "deck-1").Return(nil, domain.ErrNotFound).Once()

	_, err := progress.NewDeckProgressHandler(decks, profiles, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-2", DeckID: "deck-1"})
	require.ErrorIs(t, err, domain.ErrNotFound)
}
