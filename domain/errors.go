package domain

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors shared by every layer. Adapters translate driver errors into these at
// their boundary; the HTTP adapter maps them to problem+json in one place.
var (
	// ErrNotFound reports that a record does not exist or is not visible to the caller.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a uniqueness or optimistic-version conflict.
	ErrConflict = errors.New("conflict")
	// ErrEmailTaken reports a registration with an email that already has an account.
	ErrEmailTaken = fmt.Errorf("email taken: %w", ErrConflict)
	// ErrInvalidCredentials is the single answer for an unknown email or a wrong password.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrSessionInvalid reports a missing, unknown, expired, revoked or mismatched session.
	ErrSessionInvalid = errors.New("session invalid")
	// ErrForbidden reports an authenticated caller without the required permission.
	ErrForbidden = errors.New("forbidden")
	// ErrStoreUnavailable reports that a backing store (Redis, database) cannot be reached.
	ErrStoreUnavailable = errors.New("store unavailable")
	// ErrCacheMiss reports that a cache key holds no value.
	ErrCacheMiss = errors.New("cache miss")
	// ErrPreconditionFailed reports a write whose precondition (the client's If-Match)
	// does not hold for the resource as stored: someone changed it since the client read
	// it.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrNothingToUndo reports an undo in a study session that has no answer to take back.
	ErrNothingToUndo = errors.New("nothing to undo")
)

// ValidationError reports input that is well-formed but unacceptable. Field names the
// offending input (camelCase, as clients send it).
type ValidationError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "validation failed: " + e.Reason
	}
	return fmt.Sprintf("validation failed: %s: %s", e.Field, e.Reason)
}

// NewValidationError builds a ValidationError for field.
func NewValidationError(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}

// RateLimitedError reports that an operation was refused by a rate limit; RetryAfter says
// when the caller may try again.
type RateLimitedError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// UnavailableError wraps ErrStoreUnavailable with the store's name and a retry hint.
type UnavailableError struct {
	Store      string
	RetryAfter time.Duration
	Err        error
}

// Error implements error.
func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s unavailable: %v", e.Store, e.Err)
}

// Unwrap lets errors.Is match both ErrStoreUnavailable and the underlying cause.
func (e *UnavailableError) Unwrap() []error { return []error{ErrStoreUnavailable, e.Err} }

// BusyError reports work refused because the service is at its capacity for it (every
// password-hashing slot stayed taken for the longest a request may wait); RetryAfter
// says when to try again. It protects the process, not a store, so it is not an
// UnavailableError.
type BusyError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *BusyError) Error() string {
	return fmt.Sprintf("busy: retry after %s", e.RetryAfter)
}
