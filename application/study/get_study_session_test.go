package study_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

func TestGetStudySession(t *testing.T) {
	t.Parallel()
	t.Run("returns the session with its next card", func(t *testing.T) {
		t.Parallel()
		store, decks := mocks.NewStudySessionStore(t), mocks.NewDeckRepo(t)
		sess := session("c2", "c1")
		store.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(sess, nil).Once()
		decks.EXPECT().GetCards(mock.Anything, "user-1", "deck-1", []string{"c2"}).Return([]domain.Card{card("c2")}, nil).Once()

		view, err := study.NewGetStudySessionHandler(store, decks).Handle(t.Context(), study.GetStudySession{UserID: "user-1", ID: "s-1"})
		require.NoError(t, err)
		assert.Same(t, sess, view.Session)
		assert.Equal(t, card("c2"), *view.NextCard)
	})
	t.Run("an empty queue has no next card and reads no deck", func(t *testing.T) {
		t.Parallel()
		store := mocks.NewStudySessionStore(t)
		store.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(session(), nil).Once()
		view, err := study.NewGetStudySessionHandler(store, mocks.NewDeckRepo(t)).Handle(t.Context(), study.GetStudySession{UserID: "user-1", ID: "s-1"})
		require.NoError(t, err)
		assert.Nil(t, view.NextCard)
	})
	t.Run("an unknown session is not found", func(t *testing.T) {
		t.Parallel()
		store := mocks.NewStudySessionStore(t)
		store.EXPECT().Get(mock.Anything, "user-2", "s-1").Return(nil, domain.ErrNotFound).Once()
		_, err := study.NewGetStudySessionHandler(store, mocks.NewDeckRepo(t)).Handle(t.Context(), study.GetStudySession{UserID: "user-2", ID: "s-1"})
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
