package study_test

import (
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

func TestFinishStudySession(t *testing.T) {
	t.Parallel()
	t.Run("summarizes and deletes the session", func(t *testing.T) {
		t.Parallel()
		store := mocks.NewStudySessionStore(t)
		sess := session("c3")
		sess.Reviewed, sess.Correct = 4, 3
		store.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(sess, nil).Once()
		store.EXPECT().Delete(mock.Anything, "user-1", "s-1").Return(nil).Once()

		sum, err := study.NewFinishStudySessionHandler(store, clock.NewFake(epoch)).Handle(t.Context(),
			study.FinishStudySession{UserID: "user-1", ID: "s-1"})
		require.NoError(t, err)
		assert.Equal(t, study.Summary{Reviewed: 4, Correct: 3, Duration: 10 * time.Minute}, *sum)
	})
	t.Run("an unknown session is not found and nothing is deleted", func(t *testing.T) {
		t.Parallel()
		store := mocks.NewStudySessionStore(t)
		store.EXPECT().Get(mock.Anything, "user-2", "s-1").Return(nil, domain.ErrNotFound).Once()
		_, err := study.NewFinishStudySessionHandler(store, clock.NewFake(epoch)).Handle(t.Context(),
			study.FinishStudySession{UserID: "user-2", ID: "s-1"})
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
