package study_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
)

var undoS1 = study.UndoAnswer{UserID: "user-1", SessionID: "s-1"}

// expectUndoDB routes the undo's repository calls to db.
func (r *reviewRig) expectUndoDB(db *fakeDB) {
	r.progress.EXPECT().UndoReview(mock.Anything, "user-1", mock.Anything, mock.Anything, mock.Anything).RunAndReturn(db.UndoReview)
}

func TestUndoAnswer_RestoresTheCardAndTheSession(t *testing.T) {
	t.Parallel()
	seed := reviewed("c1", domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6}, epoch.Add(-time.Hour))
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB(seed)
	rig.expectSession()
	rig.expectDB(db)
	rig.expectUndoDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Times(3)

	_, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)
	view, err := rig.undo.Handle(t.Context(), undoS1)
	require.NoError(t, err)

	assert.Equal(t, []string{"c1", "c2"}, view.Session.Queue, "the card is back at the head of the queue")
	assert.Zero(t, view.Session.Reviewed)
	assert.Zero(t, view.Session.Correct)
	assert.Empty(t, view.Session.History)
	assert.Equal(t, 1, view.Session.Undos)
	require.NotNil(t, view.NextCard)
	assert.Equal(t, "c1", view.NextCard.ID)

	restored := db.progress["c1"]
	assert.True(t, domain.SameCardState(seed.CardState, restored.CardState), "n, EF, I and the due date as before")
	require.Len(t, db.log, 2)
	assert.Equal(t, domain.ReviewUndo, db.log[1].Kind)
	assert.Equal(t, db.log[0].ID, db.log[1].UndoneID)
	assert.Equal(t, "s-1", db.log[1].StudySessionID)

	// Answered again after the undo, the card is graded anew under a new id.
	_, err = rig.handler.Handle(t.Context(), answer("c1", 3))
	require.NoError(t, err)
	require.Len(t, db.log, 3)
	assert.NotEqual(t, db.log[0].ID, db.log[2].ID)
	assert.Equal(t, domain.ReviewReview, db.log[2].Kind)
}

func TestUndoAnswer_NothingToUndo(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	rig.sessions.EXPECT().Get(mock.Anything, "user-1", "s-1").Return(session("c1"), nil).Once()
	_, err := rig.undo.Handle(t.Context(), undoS1)
	require.ErrorIs(t, err, domain.ErrNothingToUndo)
}

func TestUndoAnswer_ALaterAnswerElsewhereIsAConflict(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1", "c2"))
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	rig.expectUndoDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()
	_, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)
	// Another session answers c1 afterwards.
	_, err = db.RecordReview(t.Context(), "user-1", "c1", "deck-1", func(p *domain.Progress) (*domain.Review, error) {
		r, err := p.Apply(domain.Answer{Grade: 4, At: epoch.Add(time.Minute)})
		r.ID = "elsewhere"
		return &r, err
	})
	require.NoError(t, err)
	before := db.progress["c1"]

	_, err = rig.undo.Handle(t.Context(), undoS1)
	require.ErrorIs(t, err, domain.ErrConflict)
	assert.Equal(t, before, db.progress["c1"], "nothing changed")
	assert.Len(t, rig.stored.History, 1, "the session still holds the answer")
}

// TestUndoAnswer_RetryAfterSessionFailure: the undo commits, the session store fails,
// the client retries; the retry finds the undo logged and only moves the session back.
func TestUndoAnswer_RetryAfterSessionFailure(t *testing.T) {
	t.Parallel()
	rig := newReviewRig(t, session("c1"))
	db := newFakeDB()
	rig.expectSession()
	rig.expectDB(db)
	rig.expectUndoDB(db)
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()
	_, err := rig.handler.Handle(t.Context(), answer("c1", 5))
	require.NoError(t, err)

	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).Return(nil, down).Once()
	_, err = rig.undo.Handle(t.Context(), undoS1)
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	require.Len(t, db.log, 2, "the undo is committed")

	rig.sessions.EXPECT().Update(mock.Anything, "user-1", "s-1", mock.Anything).RunAndReturn(applyTo(rig.stored)).Once()
	view, err := rig.undo.Handle(t.Context(), undoS1)
	require.NoError(t, err)
	assert.Len(t, db.log, 2, "the retry logs nothing new")
	assert.Equal(t, []string{"c1"}, view.Session.Queue)
	assert.Empty(t, view.Session.History)
}
