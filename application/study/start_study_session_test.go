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

func TestStartStudySession(t *testing.T) {
	t.Parallel()
	cards := []domain.Card{card("c1"), card("c2"), card("c3"), card("c4")}
	progress := []domain.Progress{
		{UserID: "user-1", CardID: "c3", DeckID: "deck-1", DueAt: epoch.Add(-time.Hour), LastReviewedAt: epoch.AddDate(0, 0, -1)},
		{UserID: "user-1", CardID: "c2", DeckID: "deck-1", DueAt: epoch.AddDate(0, 0, 2), LastReviewedAt: epoch.AddDate(0, 0, -1)},
		{UserID: "user-1", CardID: "c4", DeckID: "deck-1", DueAt: epoch.AddDate(0, 0, -2), LastReviewedAt: epoch.AddDate(0, 0, -3)},
	}
	tests := []struct {
		name      string
		cards     []domain.Card
		maxCards  int
		wantQueue []string
		wantNext  string
	}{
		{"due oldest first, then new, not-yet-due left out", cards, 20, []string{"c4", "c3", "c1"}, "c4"},
		{"maxCards bounds the queue", cards, 2, []string{"c4", "c3"}, "c4"},
		{"nothing to study", nil, 20, []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decks, repo, store := mocks.NewDeckRepo(t), mocks.NewProgressRepo(t), mocks.NewStudySessionStore(t)
			decks.EXPECT().ListCards(mock.Anything, "user-1", "deck-1").Return(tt.cards, nil).Once()
			repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(progress, nil).Once()
			var stored *domain.StudySession
			store.EXPECT().Create(mock.Anything, mock.Anything).Run(func(_ context.Context, s *domain.StudySession) {
				stored = s
			}).Return(nil).Once()

			view, err := study.NewStartStudySessionHandler(decks, repo, store, clock.NewFake(epoch)).Handle(t.Context(),
				study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: tt.maxCards})
			require.NoError(t, err)
			require.Same(t, stored, view.Session, "the stored session is the one returned")
			assert.NotEmpty(t, view.Session.ID)
			assert.Equal(t, "user-1", view.Session.UserID)
			assert.Equal(t, "deck-1", view.Session.DeckID)
			assert.Equal(t, epoch, view.Session.StartedAt)
			assert.Equal(t, tt.wantQueue, view.Session.Queue)
			assert.Zero(t, view.Session.Reviewed)
			if tt.wantNext == "" {
				assert.Nil(t, view.NextCard)
				return
			}
			require.NotNil(t, view.NextCard)
			assert.Equal(t, card(tt.wantNext), *view.NextCard)
		})
	}
}

func TestStartStudySession_RefusesMaxCardsOutOfRange(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 0, domain.MaxStudyCards + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			h := study.NewStartStudySessionHandler(mocks.NewDeckRepo(t), mocks.NewProgressRepo(t), mocks.NewStudySessionStore(t), clock.NewFake(epoch))
			_, err := h.Handle(t.Context(), study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: n})
			requireValidation(t, err, "maxCards")
		})
	}
}

func TestStartStudySession_DeckOfAnotherUserIsNotFound(t *testing.T) {
	t.Parallel()
	decks := mocks.NewDeckRepo(t)
	decks.EXPECT().ListCards(mock.Anything, "user-2", "deck-1").Return(nil, domain.ErrNotFound).Once()
	h := study.NewStartStudySessionHandler(decks, mocks.NewProgressRepo(t), mocks.NewStudySessionStore(t), clock.NewFake(epoch))
	_, err := h.Handle(t.Context(), study.StartStudySession{UserID: "user-2", DeckID: "deck-1", MaxCards: 20})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestStartStudySession_StoreFailureIsReturned(t *testing.T) {
	t.Parallel()
	decks, repo, store := mocks.NewDeckRepo(t), mocks.NewProgressRepo(t), mocks.NewStudySessionStore(t)
	decks.EXPECT().ListCards(mock.Anything, "user-1", "deck-1").Return([]domain.Card{card("c1")}, nil).Once()
	repo.EXPECT().ListByDeck(mock.Anything, "user-1", "deck-1").Return(nil, nil).Once()
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	store.EXPECT().Create(mock.Anything, mock.Anything).Return(down).Once()

	_, err := study.NewStartStudySessionHandler(decks, repo, store, clock.NewFake(epoch)).Handle(t.Context(),
		study.StartStudySession{UserID: "user-1", DeckID: "deck-1", MaxCards: 20})
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
}
