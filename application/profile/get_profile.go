package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// GetProfileHandler reads the caller's profile.
type GetProfileHandler struct {
	profiles ports.ProfileRepo
}

// NewGetProfileHandler builds the handler.
func NewGetProfileHandler(profiles ports.ProfileRepo) *GetProfileHandler {
	return &GetProfileHandler{profiles: profiles}
}

// Handle returns userID's profile.
func (h *GetProfileHandler) Handle(ctx context.Context, userID string) (*domain.Profile, error) {
	p, err := h.profiles.GetProfile(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("get profile: %w", err)
	}
	return p, nil
}
