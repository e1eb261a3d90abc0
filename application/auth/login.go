package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// LogIn is the command to open a session. DeviceToken is the device token the client
// presents (from an earlier successful login), if any.
type LogIn struct {
	Email       string
	Password    string
	IPAddress   string
	UserAgent   string
	DeviceToken string
}

// LoggedIn is the result of a successful login. Token is shown to the client once and
// never stored; DeviceToken is the device token the client should keep (see
// DeviceTokens).
type LoggedIn struct {
	Token       string
	DeviceToken string
	Session     *domain.Session
	User        *domain.User
}

// LoginPolicy configures LogInHandler's limits. Attempts are counted per client IP; for
// accounts only failures count, so the owner's correct password is never refused because
// someone else guessed wrong — except from the guessing client itself.
type LoginPolicy struct {
	// PerMinute bounds login attempts per client IP, whatever their outcome.
	PerMinute int
	// FailureWindow is the period over which the failure limits refill.
	FailureWindow time.Duration
	// AccountIPFailures bounds failed logins per account and client IP: the hard limit.
	AccountIPFailures int
	// AccountFailures bounds failed logins per account from clients that present no
	// device token of the account.
	AccountFailures int
	// DeviceFailures bounds failed logins per device token.
	DeviceFailures int
}

// Rate-limit scopes of login attempts and failures.
const (
	scopeLoginIP         = "login-ip"
	scopeFailedAccountIP = "login-failed-account-ip"
	scopeFailedAccount   = "login-failed-account"
	scopeFailedDevice    = "login-failed-device"
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
	emails   ports.EmailCanonicalizer
	devices  *DeviceTokens
	clock    ports.Clock
	policy   LoginPolicy
	// dummyHash is verified against when the email is unknown, so that answer costs what
	// a wrong password costs. Made once, up front: a lazy first computation would itself
	// make the first unknown-email login slower.
	dummyHash string
}

// LogInDeps are the ports LogInHandler works with.
type LogInDeps struct {
	Users    ports.UserRepo
	Orgs     ports.OrganizationRepo
	Sessions ports.SessionStore
	Limiter  ports.RateLimiter
	Hasher   ports.PasswordHasher
	Emails   ports.EmailCanonicalizer
	Clock    ports.Clock
}

// NewLogInHandler builds the handler; it hashes a dummy password with the hasher's
// parameters once.
func NewLogInHandler(deps LogInDeps, devices *DeviceTokens, policy LoginPolicy) (*LogInHandler, error) {
	dummy, err := deps.Hasher.Hash(context.Background(), "not-a-password-of-anyone")
	if err != nil {
		return nil, fmt.Errorf("login: dummy hash: %w", err)
	}
	return &LogInHandler{
		users: deps.Users, orgs: deps.Orgs, sessions: deps.Sessions, limiter: deps.Limiter,
		hasher: deps.Hasher, emails: deps.Emails, devices: devices, clock: deps.Clock,
		policy: policy, dummyHash: dummy,
	}, nil
}

// Handle checks the limits, verifies the password (doing the same hashing work for an
// unknown email as for a wrong password) and creates a session. Each failure limit holds
// an event while the attempt runs, so racing attempts cannot pass it together; a
// successful login gives its events back.
func (h *LogInHandler) Handle(ctx context.Context, cmd LogIn) (*LoggedIn, error) {
	email, emailErr := h.emails.Canonical(cmd.Email)
	if emailErr != nil {
		email = ""
	}
	deviceID, trusted := "", false
	if email != "" {
		deviceID, trusted = h.devices.Verify(cmd.DeviceToken, email)
	}
	held, err := h.reserve(ctx, cmd.IPAddress, h.failureLimits(cmd.IPAddress, email, deviceID))
	if err != nil {
		return nil, err
	}
	user, err := h.verify(ctx, email, cmd.Password)
	if err != nil {
		if !errors.Is(err, domain.ErrInvalidCredentials) {
			h.refund(ctx, held) // not a failure of the password: busy, or a store is down
		}
		return nil, err
	}
	if err := h.refundAll(ctx, held); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	loggedIn, err := h.open(ctx, user, cmd)
	if err != nil {
		return nil, err
	}
	if err := h.confirmPassword(ctx, user, loggedIn.Session.ID); err != nil {
		return nil, err
	}
	if trusted {
		loggedIn.DeviceToken = cmd.DeviceToken
	} else if loggedIn.DeviceToken, err = h.devices.Issue(email); err != nil {
		return nil, err
	}
	return loggedIn, nil
}

// open creates the session of user.
func (h *LogInHandler) open(ctx context.Context, user *domain.User, cmd LogIn) (*LoggedIn, error) {
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

// confirmPassword makes a login that raced a password change lose: when user's password
// changed after it was verified, the session just created (which the change's revocation
// of other sessions may have missed) is destroyed and the login fails.
func (h *LogInHandler) confirmPassword(ctx context.Context, user *domain.User, sessionID string) error {
	now, err := h.users.GetByID(ctx, user.ID)
	if err == nil && now.PasswordHash == user.PasswordHash {
		return nil
	}
	if derr := h.sessions.Delete(ctx, sessionID); derr != nil {
		err = errors.Join(err, derr)
	}
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return domain.ErrInvalidCredentials
}

// limitKey is one rate-limit counter and its limit.
type limitKey struct {
	key   string
	limit ports.RateLimit
}

// failureLimits lists the failure counters an attempt on email from ip (with the device
// id of a valid device token, if any) is charged to. A malformed email names no account.
func (h *LogInHandler) failureLimits(ip, email, deviceID string) []limitKey {
	if email == "" {
		return nil
	}
	per := func(n int) ports.RateLimit {
		return ports.RateLimit{Rate: n, Burst: n, Period: h.policy.FailureWindow}
	}
	limits := []limitKey{{scopeFailedAccountIP + ":" + email + "|" + ip, per(h.policy.AccountIPFailures)}}
	if deviceID != "" {
		return append(limits, limitKey{scopeFailedDevice + ":" + deviceID, per(h.policy.DeviceFailures)})
	}
	return append(limits, limitKey{scopeFailedAccount + ":" + email, per(h.policy.AccountFailures)})
}

// reserve counts the attempt against ip's attempt limit and holds one event of each
// failure limit, refusing the attempt (and giving back what it held) when one is spent.
func (h *LogInHandler) reserve(ctx context.Context, ip string, failures []limitKey) ([]limitKey, error) {
	if ip != "" {
		if err := h.allow(ctx, limitKey{scopeLoginIP + ":" + ip, ports.PerMinute(h.policy.PerMinute)}); err != nil {
			return nil, err
		}
	}
	held := make([]limitKey, 0, len(failures))
	for _, l := range failures {
		if err := h.allow(ctx, l); err != nil {
			h.refund(ctx, held)
			return nil, err
		}
		held = append(held, l)
	}
	return held, nil
}

func (h *LogInHandler) allow(ctx context.Context, l limitKey) error {
	res, err := h.limiter.Allow(ctx, l.key, l.limit)
	if err != nil {
		return fmt.Errorf("login: rate limit: %w", err)
	}
	if !res.Allowed {
		return &domain.RateLimitedError{RetryAfter: res.RetryAfter}
	}
	return nil
}

// refund gives back held events, best effort: the attempt fails anyway, and an event
// that could not be given back only refills with time.
func (h *LogInHandler) refund(ctx context.Context, held []limitKey) {
	_ = h.refundAll(ctx, held)
}

func (h *LogInHandler) refundAll(ctx context.Context, held []limitKey) error {
	var errs []error
	for _, l := range held {
		if err := h.limiter.Refund(ctx, l.key, l.limit); err != nil {
			errs = append(errs, fmt.Errorf("rate limit refund: %w", err))
		}
	}
	return errors.Join(errs...)
}

// verify returns the user whose password matches, or ErrInvalidCredentials. An unknown or
// malformed email ("") is checked against a dummy hash, so every failure costs the same.
func (h *LogInHandler) verify(ctx context.Context, email, password string) (*domain.User, error) {
	var user *domain.User
	encoded := h.dummyHash
	if email != "" {
		u, err := h.users.GetByEmail(ctx, email)
		switch {
		case err == nil:
			user, encoded = u, u.PasswordHash
		case !errors.Is(err, domain.ErrNotFound):
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	ok, err := h.hasher.Verify(ctx, password, encoded)
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
