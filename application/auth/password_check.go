package auth

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// scopeFailedPasswordChange counts wrong passwords given by a signed-in user (to change
// the password or to delete the account), per user, so a stolen session cannot be used
// to guess the password.
const scopeFailedPasswordChange = "password-change-failed"

// passwordCheck verifies a signed-in user's password under the user's failure limit.
type passwordCheck struct {
	hasher  ports.PasswordHasher
	limiter ports.RateLimiter
	limit   ports.RateLimit
}

// verify checks password against user's hash, holding one event of the user's failure
// limit while it runs and keeping it only when the password is wrong. A wrong password
// is a ValidationError for field; a spent limit a RateLimitedError.
func (c passwordCheck) verify(ctx context.Context, user *domain.User, field, password string) error {
	key := scopeFailedPasswordChange + ":" + user.ID
	res, err := c.limiter.Allow(ctx, key, c.limit)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !res.Allowed {
		return &domain.RateLimitedError{RetryAfter: res.RetryAfter}
	}
	ok, err := c.hasher.Verify(ctx, password, user.PasswordHash)
	switch {
	case err != nil:
		_ = c.limiter.Refund(ctx, key, c.limit) // best effort: not a wrong password
		return err
	case !ok:
		return domain.NewValidationError(field, "is incorrect")
	}
	return c.limiter.Refund(ctx, key, c.limit)
}
