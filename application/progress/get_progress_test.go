package progress_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestGetProgress(t *testing.T) {
	t.Parallel()
	repo := mocks.NewProgressRepo(t)
	want := studied("card-1", 2, epoch)
	repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(&want, nil).Once()
	repo.EXPECT().Get(mock.Anything, "user-1", "card-2").Return(nil, domain.ErrNotFound).Once()
	h := progress.NewGetProgressHandler(repo)

	got, err := h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-1"})
	require.NoError(t, err)
	assert.Equal(t, want, *got)
	_, err = h.Handle(t.Context(), progress.GetProgress{UserID: "user-1", CardID: "card-2"})
	require.ErrorIs(t, err, domain.ErrNotFound)
}
