package ports

import (
	"context"
	"time"
)

// IdempotencyPolicy is how long an IdempotencyStore keeps what it holds.
type IdempotencyPolicy struct {
	// LockTTL bounds a claim: a request that neither completes nor releases its claim
	// within it (the process died) frees the key for a retry.
	LockTTL time.Duration
	// Retention is how long a completed response is replayed after it was kept.
	Retention time.Duration
}

// IdempotentResponse is the response to a request sent with an Idempotency-Key, kept to
// be replayed to its retries.
type IdempotentResponse struct {
	Status int
	// Header holds the response headers worth replaying (Content-Type, Location, ETag),
	// one value each.
	Header map[string]string
	Body   []byte
}

// IdempotencyState is what Claim found for a key.
type IdempotencyState int

const (
	// IdempotencyClaimed means the key was free and now belongs to the caller, who runs
	// the request and then completes or releases the claim.
	IdempotencyClaimed IdempotencyState = iota + 1
	// IdempotencyInProgress means another request claimed the key and is still running.
	IdempotencyInProgress
	// IdempotencyCompleted means a request with the key finished; its response is kept.
	IdempotencyCompleted
)

// IdempotencyClaim is the outcome of IdempotencyStore.Claim.
type IdempotencyClaim struct {
	State IdempotencyState
	// Fingerprint is that of the request that holds or held the key: the caller's own
	// when State is IdempotencyClaimed. Callers compare it with theirs.
	Fingerprint string
	// Token proves the claim to Complete and Release; set when State is
	// IdempotencyClaimed.
	Token string
	// Response is the kept response; set when State is IdempotencyCompleted.
	Response *IdempotentResponse
}

// IdempotencyStore keeps, per user and Idempotency-Key, the claim of the request that is
// running with the key and then its response, so that retries are answered without
// running twice. Keys are scoped by user: another user's identical key is another
// record. Implementations apply the IdempotencyPolicy they were built with.
type IdempotencyStore interface {
	// Claim takes userID's key for a request with fingerprint when no request holds or
	// held it, for the policy's LockTTL, and says so (IdempotencyClaimed, with a fresh
	// token). Otherwise it reports what it found, the holder's fingerprint included, and
	// changes nothing. Of concurrent claims of one key, exactly one succeeds.
	Claim(ctx context.Context, userID, key, fingerprint string) (IdempotencyClaim, error)
	// Complete replaces the claim that token holds with resp, kept for the policy's
	// Retention. A claim that expired, was released or was taken by another request
	// since is left alone and reported as domain.ErrConflict.
	Complete(ctx context.Context, userID, key, token string, resp IdempotentResponse) error
	// Release frees the key that token's claim holds, so that a retry runs again; it is
	// a no-op when the claim is no longer token's.
	Release(ctx context.Context, userID, key, token string) error
	// DeleteUser erases every claim and response of userID.
	DeleteUser(ctx context.Context, userID string) error
}
