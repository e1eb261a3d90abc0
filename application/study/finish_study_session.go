package study

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/ports"
)

// FinishStudySession is the command to end UserID's study session ID.
type FinishStudySession struct {
	UserID string
	ID     string
}

// Summary sums up a finished study session.
type Summary struct {
	// Reviewed counts the answers given, drills included; Correct those graded at least
	// domain.CorrectGrade.
	Reviewed int
	Correct  int
	// Duration runs from the session's start to its finish.
	Duration time.Duration
}

// FinishStudySessionHandler ends study sessions.
type FinishStudySessionHandler struct {
	sessions ports.StudySessionStore
	clock    ports.Clock
}

// NewFinishStudySessionHandler builds the handler.
func NewFinishStudySessionHandler(sessions ports.StudySessionStore, clock ports.Clock) *FinishStudySessionHandler {
	return &FinishStudySessionHandler{sessions: sessions, clock: clock}
}

// Handle summarizes the session and deletes it; every answer already given stays
// recorded. An unknown, expired, finished or other user's session is
// domain.ErrNotFound.
func (h *FinishStudySessionHandler) Handle(ctx context.Context, cmd FinishStudySession) (*Summary, error) {
	sess, err := h.sessions.Get(ctx, cmd.UserID, cmd.ID)
	if err != nil {
		return nil, fmt.Errorf("finish study session: %w", err)
	}
	if err := h.sessions.Delete(ctx, cmd.UserID, cmd.ID); err != nil {
		return nil, fmt.Errorf("finish study session: %w", err)
	}
	return &Summary{
		Reviewed: sess.Reviewed,
		Correct:  sess.Correct,
		Duration: max(h.clock.Now().Sub(sess.StartedAt), 0),
	}, nil
}
