package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ChangePassword is the command to replace the caller's password. SessionID is the
// caller's session, the one that stays.
type ChangePassword struct {
	UserID          string
	SessionID       string
	CurrentPassword string
	NewPassword     string
}

// ChangePasswordHandler replaces a user's password and ends every other session of the
// user, so whoever knew the old password is logged out everywhere.
type ChangePasswordHandler struct {
	users     ports.UserRepo
	sessions  ports.SessionStore
	hasher    ports.PasswordHasher
	blocklist ports.PasswordBlocklist
	limiter   ports.RateLimiter
	clock     ports.Clock
	limit     ports.RateLimit
}

// ChangePasswordDeps are the ports ChangePasswordHandler works with.
type ChangePasswordDeps struct {
	Users     ports.UserRepo
	Sessions  ports.SessionStore
	Hasher    ports.PasswordHasher
	Blocklist ports.PasswordBlocklist
	Limiter   ports.RateLimiter
	Clock     ports.Clock
}

// NewChangePasswordHandler builds the handler; wrong current passwords are limited per
// user like an account's failed logins (policy.AccountFailures per FailureWindow).
func NewChangePasswordHandler(deps ChangePasswordDeps, policy LoginPolicy) *ChangePasswordHandler {
	return &ChangePasswordHandler{
		users: deps.Users, sessions: deps.Sessions, hasher: deps.Hasher, blocklist: deps.Blocklist,
		limiter: deps.Limiter, clock: deps.Clock,
		limit: ports.RateLimit{Rate: policy.AccountFailures, Burst: policy.AccountFailures, Period: policy.FailureWindow},
	}
}

// Handle checks the current password, stores the hash of the new one and revokes every
// session of the user but cmd.SessionID. A wrong current password is a ValidationError
// for "currentPassword"; a weak new one for "newPassword".
func (h *ChangePasswordHandler) Handle(ctx context.Context, cmd ChangePassword) error {
	if err := checkNewPassword("newPassword", cmd.NewPassword, h.blocklist); err != nil {
		return err
	}
	user, err := h.users.GetByID(ctx, cmd.UserID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if err := h.checkCurrent(ctx, user, cmd.CurrentPassword); err != nil {
		return err
	}
	hash, err := h.hasher.Hash(ctx, cmd.NewPassword)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	_, err = h.users.Update(ctx, user.ID, func(u *domain.User) error {
		if u.PasswordHash != user.PasswordHash {
			return domain.ErrConflict // changed by another request since it was checked
		}
		u.PasswordHash, u.UpdatedAt = hash, h.clock.Now()
		return nil
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return h.revokeOthers(ctx, user.ID, cmd.SessionID)
}

// checkCurrent verifies the caller's current password.
func (h *ChangePasswordHandler) checkCurrent(ctx context.Context, user *domain.User, password string) error {
	if err := (passwordCheck{hasher: h.hasher, limiter: h.limiter, limit: h.limit}).verify(ctx, user, "currentPassword", password); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}

// revokeOthers ends every session of userID except keep.
func (h *ChangePasswordHandler) revokeOthers(ctx context.Context, userID, keep string) error {
	sessions, err := h.sessions.List(ctx, userID)
	if err != nil {
		return fmt.Errorf("change password: password changed, other sessions not revoked: %w", err)
	}
	var errs []error
	for _, s := range sessions {
		if s.ID == keep {
			continue
		}
		if err := h.sessions.Delete(ctx, s.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("change password: password changed, other sessions not revoked: %w", err)
	}
	return nil
}
