package argon2_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/domain"
)

func TestHasherRoundTripsWithPinnedParameters(t *testing.T) {
	t.Parallel()
	h, err := argon2.New(argon2.Config{Concurrency: 1, Wait: time.Minute})
	require.NoError(t, err)
	encoded, err := h.Hash(t.Context(), "correct horse battery")
	require.NoError(t, err)
	assert.Contains(t, encoded, "$m=65536,t=1,p=2$", "64 MiB, one pass, two lanes, whatever the host")

	ok, err := h.Verify(t.Context(), "correct horse battery", encoded)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = h.Verify(t.Context(), "wrong horse battery", encoded)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestHasherRefusesAHashBeyondItsBudget(t *testing.T) {
	t.Parallel()
	h, err := argon2.New(argon2.Config{Concurrency: 1, Wait: time.Minute})
	require.NoError(t, err)
	// A stored hash asking for 1 GiB would take sixteen slots' worth of memory.
	_, err = h.Verify(t.Context(), "x", "$argon2id$v=19$m=1048576,t=1,p=2$c29tZXNhbHQ$c29tZWtleQ")
	require.Error(t, err)
	assert.Zero(t, h.Stats().Completed, "refused before hashing")
}

func TestHasherRunsAtMostConcurrencyHashesAndRefusesPastTheWait(t *testing.T) {
	t.Parallel()
	const slots, callers = 2, 12
	h, err := argon2.New(argon2.Config{Concurrency: slots, Wait: 50 * time.Millisecond})
	require.NoError(t, err)

	var wg sync.WaitGroup
	results := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(t.Context(), "correct horse battery")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	var done, busy int
	for err := range results {
		var b *domain.BusyError
		switch {
		case err == nil:
			done++
		case errors.As(err, &b):
			busy++
			assert.Equal(t, 50*time.Millisecond, b.RetryAfter)
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	stats := h.Stats()
	assert.LessOrEqual(t, stats.Peak, int64(slots), "never more hashes than slots")
	assert.Positive(t, done)
	assert.Equal(t, uint64(done), stats.Completed)
	assert.Equal(t, uint64(busy), stats.Busy)
	assert.Equal(t, callers, done+busy)
	assert.Zero(t, stats.InFlight)
	assert.Zero(t, stats.Waiting)
}

func TestHasherWaitEndsWithTheCallersContext(t *testing.T) {
	t.Parallel()
	h, err := argon2.New(argon2.Config{Concurrency: 1, Wait: time.Minute})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = h.Hash(ctx, "correct horse battery")
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, h.Stats().Busy, "a caller that left is not a busy answer")
}

func TestNewRefusesNonPositiveBounds(t *testing.T) {
	t.Parallel()
	for _, cfg := range []argon2.Config{{Concurrency: 0, Wait: time.Second}, {Concurrency: 1}} {
		_, err := argon2.New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}
