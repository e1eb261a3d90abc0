package progress_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

// answered returns the review log row of a first answer (grade 4) of userID on cardID
// and the progress it leads to.
func answered(userID, cardID string) (domain.Review, domain.Progress) {
	p := domain.NewProgress(userID, cardID, "deck-1")
	after := p.CardState
	after.State = domain.Schedule(p.State, 4)
	after.IntervalDays, after.Reviews = after.State.IntervalDays, 1
	after.LastReviewedAt, after.DueAt = epoch, epoch.AddDate(0, 0, after.IntervalDays)
	r := domain.Review{ID: "r-" + cardID, UserID: userID, CardID: cardID, DeckID: "deck-1", ReviewedAt: epoch,
		Grade: 4, Kind: domain.ReviewNew, Before: p.CardState, After: after}
	p.CardState, p.UpdatedAt = after, epoch
	return r, p
}

// TestRebuildRewritesOnlyTheDisagreeingRows checks that a dry run writes nothing, that
// --apply rewrites each user's disagreeing rows (a wrong one over its stored version, a
// missing one over version 0) in one call and drops their cached copies, and that a
// failed rewrite stops the rebuild.
func TestRebuildRewritesOnlyTheDisagreeingRows(t *testing.T) {
	t.Parallel()
	reviews, repo := mocks.NewReviewRepo(t), mocks.NewProgressRepo(t)
	rewriter, cache := mocks.NewProgressRewriter(t), mocks.NewProgressCache(t)
	r1, good := answered("u1", "c1")
	r2, want2 := answered("u1", "c2")
	r3, want3 := answered("u2", "c3")
	reviews.EXPECT().ListByUser(mock.Anything, "").Return([]domain.Review{r1, r2, r3}, nil).Twice()
	good.Version = 1
	wrong := want2
	wrong.State.Repetitions, wrong.Version = 8, 4
	repo.EXPECT().Get(mock.Anything, "u1", "c1").Return(&good, nil).Twice()
	repo.EXPECT().Get(mock.Anything, "u1", "c2").Return(&wrong, nil).Twice()
	repo.EXPECT().Get(mock.Anything, "u2", "c3").Return(nil, domain.ErrNotFound).Twice()
	h := progress.NewRebuildProgressHandler(progress.NewVerifyProgressHandler(reviews, repo), rewriter, cache, clock.NewFake(epoch))

	got, err := h.Handle(t.Context(), "", false, nil)
	require.NoError(t, err)
	assert.Len(t, got.Disagreements, 2)
	assert.Zero(t, got.Rows, "a dry run rewrites nothing")

	want2.Version = 4
	rewriter.EXPECT().RewriteProgress(mock.Anything, "u1", []domain.Progress{want2}, epoch).Return(nil).Once()
	cache.EXPECT().DeleteMany(mock.Anything, "u1", []string{"c2"}).Return(nil).Once()
	rewriter.EXPECT().RewriteProgress(mock.Anything, "u2", []domain.Progress{want3}, epoch).Return(domain.ErrConflict).Once()
	var steps []int
	got, err = h.Handle(t.Context(), "", true, func(done, total int) { steps = append(steps, done, total) })
	require.ErrorIs(t, err, domain.ErrConflict)
	assert.Equal(t, 1, got.Rows, "u1's row was rewritten before u2's conflict")
	assert.Equal(t, []int{1, 2}, steps)
}
