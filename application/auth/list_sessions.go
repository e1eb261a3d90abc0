package auth

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListSessionsHandler lists a user's live sessions, newest first.
type ListSessionsHandler struct {
	sessions ports.SessionStore
}

// NewListSessionsHandler builds the handler.
func NewListSessionsHandler(sessions ports.SessionStore) *ListSessionsHandler {
	return &ListSessionsHandler{sessions: sessions}
}

// Handle returns userID's live sessions.
func (h *ListSessionsHandler) Handle(ctx context.Context, userID string) ([]domain.Session, error) {
	list, err := h.sessions.List(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return list, nil
}
