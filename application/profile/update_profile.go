package profile

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// UpdateProfile is the command to change the caller's profile.
type UpdateProfile struct {
	UserID      string
	DisplayName string
}

// UpdateProfileHandler changes the caller's profile and invalidates its cached copies
// (`user:profile`, `user:permissions`), so the next read shows the change.
type UpdateProfileHandler struct {
	users  ports.UserRepo
	orgs   ports.OrganizationRepo
	clock  ports.Clock
	cache  *cache.Cache
	logger *slog.Logger
}

// NewUpdateProfileHandler builds the handler.
func NewUpdateProfileHandler(users ports.UserRepo, orgs ports.OrganizationRepo, clock ports.Clock, c *cache.Cache, logger *slog.Logger) *UpdateProfileHandler {
	return &UpdateProfileHandler{users: users, orgs: orgs, clock: clock, cache: c, logger: logger}
}

// Handle validates and stores the change and returns the updated profile.
func (h *UpdateProfileHandler) Handle(ctx context.Context, cmd UpdateProfile) (*Profile, error) {
	name, err := domain.NormalizeDisplayName(cmd.DisplayName)
	if err != nil {
		return nil, err
	}
	user, err := h.users.Update(ctx, cmd.UserID, func(u *domain.User) error {
		u.DisplayName = name
		u.UpdatedAt = h.clock.Now()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	// The change is committed: a failed invalidation must not turn it into an error, but
	// the stale copy would live until its TTL, so it is logged loudly.
	if err := h.cache.Invalidate(ctx, profileKey(user.ID), permissionsKey(user.ID)); err != nil {
		h.logger.ErrorContext(ctx, "profile cache not invalidated; stale until TTL", slog.String("user", user.ID), slog.Any("error", err))
	}
	org, err := h.orgs.Get(ctx, user.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("update profile: organization: %w", err)
	}
	return newProfile(user, org), nil
}
