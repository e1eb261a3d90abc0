package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/ports"
)

// GetPermissionsHandler reads a user's current permissions from their profile, so a
// permission check follows a change at once instead of trusting the copy a session took
// at login.
type GetPermissionsHandler struct {
	profiles ports.ProfileRepo
}

// NewGetPermissionsHandler builds the handler.
func NewGetPermissionsHandler(profiles ports.ProfileRepo) *GetPermissionsHandler {
	return &GetPermissionsHandler{profiles: profiles}
}

// Handle returns userID's permissions (never nil).
func (h *GetPermissionsHandler) Handle(ctx context.Context, userID string) ([]string, error) {
	p, err := h.profiles.GetProfile(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("get permissions: %w", err)
	}
	if p.Permissions == nil {
		return []string{}, nil
	}
	return p.Permissions, nil
}
