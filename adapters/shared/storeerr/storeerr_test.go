package storeerr_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
)

type hinted struct{}

func (hinted) Error() string                 { return "breaker open" }
func (hinted) RetryAfterHint() time.Duration { return 3 * time.Second }

func TestUnavailable(t *testing.T) {
	t.Parallel()
	refused := errors.New("connection refused")

	err := storeerr.Unavailable("redis", refused)
	var u *domain.UnavailableError
	require.ErrorAs(t, err, &u)
	assert.Equal(t, "redis", u.Store)
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	require.ErrorIs(t, err, refused)

	deadline := fmt.Errorf("read: %w", context.DeadlineExceeded)
	require.ErrorIs(t, storeerr.Unavailable("database", deadline), domain.ErrStoreUnavailable,
		"a deadline the store did not meet is an outage")

	canceled := fmt.Errorf("read: %w", context.Canceled)
	err = storeerr.Unavailable("database", canceled)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, domain.ErrStoreUnavailable, "a caller that left is not an outage")

	require.ErrorAs(t, storeerr.Unavailable("cache", fmt.Errorf("get: %w", hinted{})), &u)
	assert.Equal(t, 3*time.Second, u.RetryAfter)
}
