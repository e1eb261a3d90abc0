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

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestGetProgress(t *testing.T) {
	t.Parallel()
	repo, decks := mocks.NewProgressRepo(t), mocks.NewDeckRepo(t)
	want := studied("card-1", 2, epoch)
	repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(&want, nil).Twice()
	repo.EXPECT().Get(mock.Anything, "user-1", "card-2").Return(nil, domain.ErrNotFound).Once()
	decks.EXPECT().GetCard(mock.Anything, "user-1", "card-2").Return(nil, domain.ErrNotFound).Once()
	repo.EXPECT().Get(mock.Anything, "user-1", "card-3").Return(nil, domain.ErrNotFound).Once()
	added := epoch.Add(-time.Hour)
	decks.EXPECT().GetCard(mock.Anything, "user-1", "card-3").
		Return(&domain.Card{ID: "card-3", DeckID: "deck-1", CreatedAt: added}, nil).Once()
	sm2, fsrs := domain.DefaultStudyOptions(), domain.DefaultStudyOptions()
	fsrs.Scheduler = domain.SchedulerFSRS
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", Options: sm2}, nil).Once()
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", Options: fsrs}, nil).Once()
	decks.EXPECT().GetDeck(mock.Anything, "user-1", "deck-1").Return(&domain.Deck{ID: "deck-1", Options: sm2}, nil).Once()
	h := progress.NewGetProgressHandler(repo, decks, clock.NewFake(epoch))

	got, err := h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-1"})
	require.NoError(t, err)
	assert.Equal(t, domain.ProgressView{Progress: want}, *got, "an SM-2 deck: no FSRS view")
	got, err = h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-1"})
	require.NoError(t, err)
	assert.Equal(t, domain.ViewProgress(want, fsrs, epoch), *got)
	require.NotNil(t, got.FSRS, "an FSRS deck: stability, difficulty and retrievability")
	_, err = h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-2"})
	require.ErrorIs(t, err, domain.ErrNotFound, "a card that is not the caller's")

	got, err = h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-3"})
	require.NoError(t, err, "a card of the caller's never studied has the new-card state")
	assert.True(t, got.IsNew())
	assert.Equal(t, added, got.DueAt, "due since it was added")
	assert.Equal(t, "deck-1", got.DeckID)
}
