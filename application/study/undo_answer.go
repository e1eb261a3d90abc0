package study

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// UndoAnswer is the command to take back the latest answer of UserID's study session
// SessionID.
type UndoAnswer struct {
	UserID    string
	SessionID string
}

// UndoAnswerHandler takes answers back.
type UndoAnswerHandler struct {
	sessions ports.StudySessionStore
	learner  learner
	progress ports.ProgressRepo
	reviews  ports.ReviewRepo
	clock    ports.Clock
}

// NewUndoAnswerHandler builds the handler from the ports the answers were recorded with.
func NewUndoAnswerHandler(deps ReviewCardDeps) *UndoAnswerHandler {
	return &UndoAnswerHandler{
		sessions: deps.Sessions, learner: learner{decks: deps.Decks, profiles: deps.Profiles},
		progress: deps.Progress, reviews: deps.Reviews, clock: deps.Clock,
	}
}

// Handle takes back the session's latest answer, in the order answers are recorded:
//
//  1. The card's progress returns to the state logged before the answer, and the log
//     gains an undo row naming it, in one database transaction. Only the card's latest
//     answer still standing can be undone: when a later answer of the card exists (from
//     any session or device) the undo is domain.ErrConflict and changes nothing.
//  2. The session forgets the answer: the card returns to the head of its queue and the
//     counters shrink.
//
// The undo row's id derives from the undone answer's, so when step 2 fails (503) and the
// client retries, the retry finds the undo committed and completes step 2 only. A
// session without answers left to take back is domain.ErrNothingToUndo; an unknown or
// other user's session domain.ErrNotFound.
func (h *UndoAnswerHandler) Handle(ctx context.Context, cmd UndoAnswer) (*View, error) {
	sess, err := h.sessions.Get(ctx, cmd.UserID, cmd.SessionID)
	if err != nil {
		return nil, fmt.Errorf("undo answer: %w", err)
	}
	last, err := sess.LastAnswer()
	if err != nil {
		return nil, err
	}
	if err := h.undo(ctx, sess, last); err != nil {
		return nil, fmt.Errorf("undo answer: %w", err)
	}
	sess, err = h.sessions.Update(ctx, cmd.UserID, sess.ID, func(s *domain.StudySession) error {
		if n := len(s.History); n == 0 || s.History[n-1] != last {
			return nil // a retry of this undo already moved the session back
		}
		return s.Undo(last)
	})
	if err != nil {
		return nil, fmt.Errorf("undo answer: answer undone, study session not moved back: %w", err)
	}
	view, err := newView(ctx, h.learner.decks, h.sessions, sess, nil)
	if err != nil {
		return nil, fmt.Errorf("undo answer: %w", err)
	}
	return &view, nil
}

// undo commits the undo of last, or recognises it committed by an earlier try.
func (h *UndoAnswerHandler) undo(ctx context.Context, sess *domain.StudySession, last domain.AnswerRecord) error {
	day, _, err := h.learner.context(ctx, sess.UserID, sess.DeckID)
	if err != nil {
		return err
	}
	id := undoID(last.ReviewID)
	_, err = h.progress.UndoReview(ctx, sess.UserID, last.CardID, last.ReviewID,
		func(p *domain.Progress, undone *domain.Review) (*domain.Review, error) {
			r, err := p.Undo(*undone, h.clock.Now(), day)
			if err != nil {
				return nil, err
			}
			r.ID, r.StudySessionID = id, sess.ID
			return &r, nil
		})
	if !errors.Is(err, domain.ErrConflict) {
		return err
	}
	switch _, lookupErr := h.reviews.Get(ctx, sess.UserID, id); {
	case lookupErr == nil:
		return nil // this undo was committed by an earlier try
	case errors.Is(lookupErr, domain.ErrNotFound):
		return err // a later answer of the card stands
	default:
		return errors.Join(err, lookupErr)
	}
}

// undoID names the undo of answer reviewID: each answer is undone at most once, so a
// retried undo carries the id its first try was recorded under.
func undoID(reviewID string) string {
	return derivedID("studytool/undo/v1", reviewID)
}
