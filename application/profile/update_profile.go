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

// UpdateProfileHandler changes the caller's profile.
type UpdateProfileHandler struct {
	users ports.UserRepo
	orgs  ports.OrganizationRepo
	clock ports.Clock
}

// NewUpdateProfileHandler builds the handler.
func NewUpdateProfileHandler(users ports.UserRepo, orgs ports.OrganizationRepo, clock ports.Clock) *UpdateProfileHandler {
	return &UpdateProfileHandler{users: users, orgs: orgs, clock: clock}
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
	org, err := h.orgs.Get(ctx, user.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("update profile: organization: %w", err)
	}
	return newProfile(user, org), nil
}
