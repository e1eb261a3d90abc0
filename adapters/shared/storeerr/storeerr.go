// Package storeerr turns a failed call to a backing store into the domain's vocabulary,
// with one rule for every adapter: a call the caller cancelled keeps its
// context.Canceled (the client went away; that is nobody's outage), every other failure
// — a refused or lost connection, a timeout, a deadline the store did not meet — is a
// *domain.UnavailableError, which callers answer with 503 and Retry-After.
package storeerr

import (
	"context"
	"errors"
	"time"

	"github.com/studytool/studytool/domain"
)

// RetryHinter is an error that knows when the store is worth trying again (an open
// circuit breaker, for instance).
type RetryHinter interface {
	error
	RetryAfterHint() time.Duration
}

// Unavailable marks err, a failed call to store, as unavailable; see the package comment
// for the rule. A RetryHinter in err's chain sets the retry hint.
func Unavailable(store string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	u := &domain.UnavailableError{Store: store, Err: err}
	if hint, ok := errors.AsType[RetryHinter](err); ok {
		u.RetryAfter = hint.RetryAfterHint()
	}
	return u
}
