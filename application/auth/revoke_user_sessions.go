package auth

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// RevokeUserSessionsHandler destroys every session of a user at once: the user's own
// logout-all, and the administrator's revoke.
type RevokeUserSessionsHandler struct {
	sessions ports.SessionStore
}

// NewRevokeUserSessionsHandler builds the handler.
func NewRevokeUserSessionsHandler(sessions ports.SessionStore) *RevokeUserSessionsHandler {
	return &RevokeUserSessionsHandler{sessions: sessions}
}

// Handle destroys all of userID's sessions and reports how many there were.
func (h *RevokeUserSessionsHandler) Handle(ctx context.Context, userID string) (int, error) {
	n, err := h.sessions.DeleteUser(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user: %w", err)
	}
	return n, nil
}
