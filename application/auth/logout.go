package auth

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// LogOutHandler ends sessions: the caller's own, or all of the caller's.
type LogOutHandler struct {
	sessions ports.SessionStore
}

// NewLogOutHandler builds the handler.
func NewLogOutHandler(sessions ports.SessionStore) *LogOutHandler {
	return &LogOutHandler{sessions: sessions}
}

// Handle destroys session sessionID at once.
func (h *LogOutHandler) Handle(ctx context.Context, sessionID string) error {
	if err := h.sessions.Delete(ctx, sessionID); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
