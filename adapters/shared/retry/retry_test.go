package retry_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/retry"
)

func TestBackoffPauseGrowsWithinItsBounds(t *testing.T) {
	t.Parallel()
	b := retry.Backoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}
	for attempt := range 8 {
		ceiling := min(b.Base*time.Duration(max(attempt, 1)), b.Max)
		for range 100 {
			d := b.Pause(attempt)
			require.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
		}
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, retry.Sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, retry.Sleep(t.Context(), time.Millisecond))
}
