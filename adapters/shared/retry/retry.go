// Package retry paces the retries of optimistic transactions that lost a race: a pause
// growing with each attempt, jittered so that the losers of one round spread out, and a
// sleep that ends with the caller's context.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is a pause whose ceiling grows linearly by Base per attempt up to Max; a
// random half to all of the ceiling is taken.
type Backoff struct {
	Base, Max time.Duration
}

// Pause returns the pause before attempt+1 (attempt counts from 1).
func (b Backoff) Pause(attempt int) time.Duration {
	ceiling := min(b.Base*time.Duration(max(attempt, 1)), b.Max)
	return ceiling/2 + rand.N(ceiling/2+1) //nolint:gosec // jitter, not a secret
}

// Sleep waits for d or until ctx is done, whichever comes first, and returns ctx's error
// in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
