package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// LogIn is the command to open a session.
type LogIn struct {
	Email     string
	Password  string
	IPAddress string
	UserAgent string
}

// LoggedIn is the result of a successful login. Token is shown to the client once and
// never stored.
type LoggedIn struct {
	Token   string
	Session *domain.Session
	User    *domain.User
}

// LoginPolicy configures LogInHandler.
type LoginPolicy struct {
	// PerMinute bounds login attempts per client IP and per account.
	PerMinute int
}

// Rate-limit scopes of login attempts.
const (
	scopeLoginIP      = "login-ip"
	scopeLoginAccount = "login-account"
)

// maxUserAgentLength bounds the user agent kept with a session.
const maxUserAgentLength = 512

// LogInHandler verifies credentials and opens sessions.
type LogInHandler struct {
	users    ports.UserRepo
	orgs     ports.OrganizationRepo
	sessions ports.SessionStore
	limiter  ports.RateLimiter
	hasher   ports.PasswordHasher
	clock    ports.Clock
	policy   LoginPolicy
	// dummyHash is verified against when the email is unknown, so that answer costs what
	// a wrong password costs. Made once, up front: a lazy first computation would itself
	// make the first unknown-email login slower.
	dummyHash string
}

// NewLogInHandler builds the handler; it hashes a dummy password with hasher's
// parameters once.
func NewLogInHandler(users ports.UserRepo, orgs ports.OrganizationRepo, sessions ports.SessionStore, limiter ports.RateLimiter, hasher ports.PasswordHasher, clock ports.Clock, policy LoginPolicy) (*LogInHandler, error) {
	dummy, err := hasher.Hash("not-a-password-of-anyone")
	if err != nil {
		return nil, fmt.Errorf("login: dummy hash: %w", err)
	}
	return &LogInHandler{users: users, orgs: orgs, sessions: sessions, limiter: limiter, hasher: hasher, clock: clock, policy: policy, dummyHash: dummy}, nil
}

// Handle checks the rate limits, verifies the password (doing the same hashing work for
// an unknown email as for a wrong password) and creates a session.
func (h *LogInHandler) Handle(ctx context.Context, cmd LogIn) (*LoggedIn, error) {
	email, emailErr := domain.NormalizeEmail(cmd.Email)
	if err := h.checkLimits(ctx, cmd.IPAddress, email); err != nil {
		return nil, err
	}
	user, err := h.verify(ctx, email, emailErr, cmd.Password)
	if err != nil {
		return nil, err
	}
	org, err := h.orgs.Get(ctx, user.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("login: organization: %w", err)
	}
	token, id, err := newToken()
	if err != nil {
		return nil, err
	}
	now := h.clock.Now()
	session := &domain.Session{
		ID:               id,
		UserID:           user.ID,
		OrganizationID:   org.ID,
		OrganizationType: org.Type,
		Permissions:      user.Permissions,
		CreatedAt:        now,
		IPAddress:        cmd.IPAddress,
		UserAgent:        truncateRunes(cmd.UserAgent, maxUserAgentLength),
	}
	// The store completes the expiry fields with the session policy it applies.
	if _, err := h.sessions.Create(ctx, session); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	return &LoggedIn{Token: token, Session: session, User: user}, nil
}

func (h *LogInHandler) checkLimits(ctx context.Context, ip, email string) error {
	limit := ports.PerMinute(h.policy.PerMinute)
	checks := []struct{ scope, subject string }{{scopeLoginIP, ip}, {scopeLoginAccount, email}}
	for _, c := range checks {
		if c.subject == "" {
			continue
		}
		res, err := h.limiter.Allow(ctx, c.scope+":"+c.subject, limit)
		if err != nil {
			return fmt.Errorf("login: rate limit: %w", err)
		}
		if !res.Allowed {
			return &domain.RateLimitedError{RetryAfter: res.RetryAfter}
		}
	}
	return nil
}

// verify returns the user whose password matches, or ErrInvalidCredentials. An unknown or
// malformed email is checked against a dummy hash, so both failures cost the same.
func (h *LogInHandler) verify(ctx context.Context, email string, emailErr error, password string) (*domain.User, error) {
	var user *domain.User
	encoded := ""
	if emailErr == nil {
		u, err := h.users.GetByEmail(ctx, email)
		switch {
		case err == nil:
			user, encoded = u, u.PasswordHash
		case !errors.Is(err, domain.ErrNotFound):
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	if user == nil {
		encoded = h.dummyHash
	}
	ok, err := h.hasher.Verify(password, encoded)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if !ok || user == nil {
		return nil, domain.ErrInvalidCredentials
	}
	return user, nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
