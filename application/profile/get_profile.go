package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// GetProfileHandler reads the caller's profile.
type GetProfileHandler struct {
	users ports.UserRepo
	orgs  ports.OrganizationRepo
}

// NewGetProfileHandler builds the handler.
func NewGetProfileHandler(users ports.UserRepo, orgs ports.OrganizationRepo) *GetProfileHandler {
	return &GetProfileHandler{users: users, orgs: orgs}
}

// Handle returns userID's profile.
func (h *GetProfileHandler) Handle(ctx context.Context, userID string) (*Profile, error) {
	user, err := h.users.GetByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("get profile: %w", err)
	}
	org, err := h.orgs.Get(ctx, user.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("get profile: organization: %w", err)
	}
	return newProfile(user, org), nil
}
