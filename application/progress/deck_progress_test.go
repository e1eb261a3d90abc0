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
		State: domain.SchedState{Repetitions: repetitions, EF: domain.InitialEF, IntervalDays: 1},
		DueAt: due, LastReviewedAt: epoch.AddDate(0, 0, -1), Version: 1,
	}
}

func TestDeckProgress(t *testing.T) {
	t.Parallel()
	rows := []domain.Progress{
		studied("c-learning", 1, epoch.Add(time.Hour)),         // not due, n < 2
		studied("c-due-now", 3, epoch),                         // due exactly now
		studied("c-learned", 2, epoch.AddDate(0, 0, 6)),        // not due, n = 2
		studied("c-relearning", 0, epoch.Add(2*time.Hour)),     // failed: n = 0, not due
		studied("c-due-first", 4, epoch.Add(-48*time.Hour)),    // overdue
		studied("c-due-tie", 1, epoch.Add(-48*time.Hour)),      // overdue, same instant
		domain.NewProgress("user-1", "c-unreviewed", "deck-1"), // a row never graded is new
	}
	decks, repo := mocks.NewDeckRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", UserID: "user-1", CardCount: 10}, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(rows, nil).Once()

	sum, err := progress.NewDeckProgressHandler(decks, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-1", DeckID: "deck-1"})
	require.NoError(t, err)
	assert.Equal(t, progress.Counts{New: 4, Learning: 2, Due: 3, Total: 10}, sum.Counts)
	ids := make([]string, len(sum.Cards))
	for i, p := range sum.Cards {
		ids[i] = p.CardID
	}
	assert.Equal(t, []string{"c-due-first", "c-due-tie", "c-due-now", "c-learning", "c-relearning", "c-learned"}, ids,
		"studied cards only, earliest due first, ties by card id")
}

func TestDeckProgressOfAnEmptyDeck(t *testing.T) {
	t.Parallel()
	decks, repo := mocks.NewDeckRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1"}, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(nil, nil).Once()

	sum, err := progress.NewDeckProgressHandler(decks, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-1", DeckID: "deck-1"})
	require.NoError(t, err)
	assert.Equal(t, progress.Counts{}, sum.Counts)
	assert.NotNil(t, sum.Cards, "an empty list, not nil")
	assert.Empty(t, sum.Cards)
}

func TestDeckProgressOfAnotherUsersDeck(t *testing.T) {
	t.Parallel()
	decks, repo := mocks.NewDeckRepo(t), mocks.NewProgressRepo(t)
	decks.EXPECT().GetDeck(mock.Anything, "user-2", "deck-1").Return(nil, domain.ErrNotFound).Once()

	_, err := progress.NewDeckProgressHandler(decks, repo, clock.NewFake(epoch)).Handle(t.Context(),
		progress.DeckProgress{UserID: "user-2", DeckID: "deck-1"})
	require.ErrorIs(t, err, domain.ErrNotFound)
}
