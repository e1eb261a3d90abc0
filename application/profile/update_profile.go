package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// UpdateProfile is the command to change the caller's profile.
type UpdateProfile struct {
	UserID      string
	DisplayName string
}

// UpdateProfileHandler changes the caller's profile. The user repository drops the
// cached profile once the change is committed, so the next read shows it.
type UpdateProfileHandler struct {
	users    ports.UserRepo
	profiles ports.ProfileRepo
	clock    ports.Clock
}

// NewUpdateProfileHandler builds the handler.
func NewUpdateProfileHandler(users ports.UserRepo, profiles ports.ProfileRepo, clock ports.Clock) *UpdateProfileHandler {
	return &UpdateProfileHandler{users: users, profiles: profiles, clock: clock}
}

// Handle validates and stores the change and returns the updated profile.
func (h *UpdateProfileHandler) Handle(ctx context.Context, cmd UpdateProfile) (*domain.Profile, error) {
	name, err := domain.NormalizeDisplayName(cmd.DisplayName)
	if err != nil {
		return nil, err
	}
	if _, err := h.users.Update(ctx, cmd.UserID, func(u *domain.User) error {
		u.DisplayName = name
		u.UpdatedAt = h.clock.Now()
		return nil
	}); err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	p, err := h.profiles.GetProfile(ctx, cmd.UserID)
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return p, nil
}
