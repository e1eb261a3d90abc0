package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RevokeSession is the command to end one of the caller's own sessions.
type RevokeSession struct {
	UserID    string
	SessionID string
}

// RevokeSessionHandler ends one session, but only the caller's own.
type RevokeSessionHandler struct {
	sessions ports.SessionStore
}

// NewRevokeSessionHandler builds the handler.
func NewRevokeSessionHandler(sessions ports.SessionStore) *RevokeSessionHandler {
	return &RevokeSessionHandler{sessions: sessions}
}

// Handle destroys the session, or answers domain.ErrNotFound when it is not a live
// session of cmd.UserID (whether it belongs to someone else or does not exist).
func (h *RevokeSessionHandler) Handle(ctx context.Context, cmd RevokeSession) error {
	if !wellFormedSessionID(cmd.SessionID) {
		return domain.ErrNotFound
	}
	s, err := h.sessions.Get(ctx, cmd.SessionID)
	if errors.Is(err, domain.ErrSessionInvalid) || (err == nil && s.UserID != cmd.UserID) {
		return domain.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if err := h.sessions.Delete(ctx, s.ID); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
