package ports

import (
	"context"
	"time"

	"github.com/studytool/studytool/domain"
)

// SessionStore keeps login sessions and each user's index of them. Implementations apply
// the domain.SessionPolicy they were built with: rolling idle expiry capped by an
// absolute lifetime, and at most MaxPerUser live sessions per user (oldest evicted),
// race-free under concurrent creation.
type SessionStore interface {
	// Create stores s (s.ID is the hashed token), indexes it under s.UserID, prunes the
	// user's expired entries and evicts the oldest sessions beyond the limit, never s
	// itself. It returns the ids it evicted. s.CreatedAt must be set; the store completes
	// s's LastActivity, ExpiresAt and AbsoluteExpiresAt with domain.SessionPolicy.Start.
	Create(ctx context.Context, s *domain.Session) (evicted []string, err error)
	// Validate returns the live session id, refreshing its idle expiry as of now and
	// rewriting LastActivity when it is older than the activity resolution, in one round
	// trip. An unknown or expired id yields domain.ErrSessionInvalid.
	Validate(ctx context.Context, id string, now time.Time) (*domain.Session, error)
	// Get returns the live session id without touching it, or domain.ErrSessionInvalid.
	Get(ctx context.Context, id string) (*domain.Session, error)
	// Delete destroys session id (a no-op when it does not exist).
	Delete(ctx context.Context, id string) error
	// DeleteUser destroys every session of userID and returns how many it destroyed.
	DeleteUser(ctx context.Context, userID string) (int, error)
	// List returns userID's live sessions, newest first, removing dangling index entries.
	List(ctx context.Context, userID string) ([]domain.Session, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
}

// RateLimit is an allowance of Burst events per Period, refilled smoothly (GCRA).
type RateLimit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// PerMinute is a limit of n events per minute with a burst of n.
func PerMinute(n int) RateLimit { return RateLimit{Rate: n, Burst: n, Period: time.Minute} }

// RateResult is the outcome of one rate-limit check.
type RateResult struct {
	Allowed    bool
	Remaining  int
	RetryAfter time.Duration
}

// RateLimiter counts events per key and answers whether one more is allowed.
type RateLimiter interface {
	// Allow records one event for key under limit and reports whether it was allowed;
	// a refused event is not counted. key is `scope:subject`: a fixed scope name without
	// ':' (e.g. "login-ip") and the subject counted in it (an IP address, an email),
	// which may contain anything. A limit with a non-positive field is an error.
	Allow(ctx context.Context, key string, limit RateLimit) (RateResult, error)
	// Refund gives back one event that Allow recorded for key under limit, for an
	// attempt that turned out not to count (a login that succeeded, when only failures
	// count). Allow-then-Refund keeps the limit race-free: concurrent attempts each hold
	// their event while they run. Refund never takes the allowance beyond full; a key
	// with nothing recorded is left alone.
	Refund(ctx context.Context, key string, limit RateLimit) error
}

// SessionObserver is told what a SessionStore did, for metrics. Stores call it while
// holding their own locks (memory) or right after a script returns (Redis): its methods
// must be cheap, must not call back into the store, and must be safe for concurrent use.
type SessionObserver interface {
	// SessionCreated reports a created session and how many older sessions of its user
	// were evicted to keep within the per-user limit.
	SessionCreated(evicted int)
	// SessionsExpired reports n expired sessions found and removed.
	SessionsExpired(n int)
}
