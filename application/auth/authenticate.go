package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Authenticate is the command to resolve a bearer token into a session.
type Authenticate struct {
	Token     string
	IPAddress string
	UserAgent string
}

// Binding selects which client attributes a session is bound to.
type Binding struct {
	IP        bool
	UserAgent bool
}

// AuthenticateHandler validates tokens: one store round trip that also refreshes the
// session's idle expiry. A store that cannot answer is an error, never a pass.
type AuthenticateHandler struct {
	sessions ports.SessionStore
	clock    ports.Clock
	binding  Binding
}

// NewAuthenticateHandler builds the handler.
func NewAuthenticateHandler(sessions ports.SessionStore, clock ports.Clock, binding Binding) *AuthenticateHandler {
	return &AuthenticateHandler{sessions: sessions, clock: clock, binding: binding}
}

// Handle returns the live session of cmd.Token, or domain.ErrSessionInvalid. With
// binding enabled, a session presented from another IP or user agent is destroyed.
func (h *AuthenticateHandler) Handle(ctx context.Context, cmd Authenticate) (*domain.Session, error) {
	if !wellFormedToken(cmd.Token) {
		return nil, domain.ErrSessionInvalid
	}
	session, err := h.sessions.Validate(ctx, SessionID(cmd.Token), h.clock.Now())
	if err != nil {
		if errors.Is(err, domain.ErrSessionInvalid) {
			return nil, err
		}
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if h.mismatch(session, cmd) {
		if err := h.sessions.Delete(ctx, session.ID); err != nil {
			return nil, fmt.Errorf("authenticate: destroy mismatched session: %w", err)
		}
		return nil, domain.ErrSessionInvalid
	}
	return session, nil
}

func (h *AuthenticateHandler) mismatch(s *domain.Session, cmd Authenticate) bool {
	return (h.binding.IP && s.IPAddress != cmd.IPAddress) ||
		(h.binding.UserAgent && s.UserAgent != truncateRunes(cmd.UserAgent, maxUserAgentLength))
}
