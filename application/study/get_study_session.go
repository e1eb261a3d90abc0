package study

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// GetStudySession is the query for UserID's study session ID.
type GetStudySession struct {
	UserID string
	ID     string
}

// GetStudySessionHandler reads study sessions.
type GetStudySessionHandler struct {
	sessions ports.StudySessionStore
	decks    ports.DeckRepo
}

// NewGetStudySessionHandler builds the handler.
func NewGetStudySessionHandler(sessions ports.StudySessionStore, decks ports.DeckRepo) *GetStudySessionHandler {
	return &GetStudySessionHandler{sessions: sessions, decks: decks}
}

// Handle returns the session with its next card; an unknown, expired, finished or other
// user's session is domain.ErrNotFound.
func (h *GetStudySessionHandler) Handle(ctx context.Context, q GetStudySession) (*View, error) {
	sess, err := h.sessions.Get(ctx, q.UserID, q.ID)
	if err != nil {
		return nil, fmt.Errorf("get study session: %w", err)
	}
	view, err := newView(ctx, h.decks, h.sessions, sess, nil)
	if err != nil {
		return nil, fmt.Errorf("get study session: %w", err)
	}
	return &view, nil
}
