package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListSessions is the query for a page of UserID's live sessions.
type ListSessions struct {
	UserID string
	Page   domain.Page
}

// ListSessionsHandler lists a user's live sessions, newest first.
type ListSessionsHandler struct {
	sessions ports.SessionStore
}

// NewListSessionsHandler builds the handler.
func NewListSessionsHandler(sessions ports.SessionStore) *ListSessionsHandler {
	return &ListSessionsHandler{sessions: sessions}
}

// Handle returns a page of the user's live sessions, newest first, and the position of
// the next page ("" after the last).
func (h *ListSessionsHandler) Handle(ctx context.Context, q ListSessions) ([]domain.Session, string, error) {
	list, err := h.sessions.List(ctx, q.UserID)
	if err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", err)
	}
	return application.PageNewestFirst(list, q.Page, func(s domain.Session) (time.Time, string) { return s.CreatedAt, s.ID })
}
