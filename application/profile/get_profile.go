package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/ports"
)

// GetProfileHandler reads the caller's profile through the cache (`user:profile`).
type GetProfileHandler struct {
	users ports.UserRepo
	orgs  ports.OrganizationRepo
	cache *cache.Cache
}

// NewGetProfileHandler builds the handler.
func NewGetProfileHandler(users ports.UserRepo, orgs ports.OrganizationRepo, c *cache.Cache) *GetProfileHandler {
	return &GetProfileHandler{users: users, orgs: orgs, cache: c}
}

// Handle returns userID's profile.
func (h *GetProfileHandler) Handle(ctx context.Context, userID string) (*Profile, error) {
	p, err := cache.GetOrLoad(ctx, h.cache, profileKey(userID), func(ctx context.Context) (*Profile, error) {
		return h.load(ctx, userID)
	})
	if err != nil {
		return nil, fmt.Errorf("get profile: %w", err)
	}
	return p, nil
}

func (h *GetProfileHandler) load(ctx context.Context, userID string) (*Profile, error) {
	user, err := h.users.GetByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	org, err := h.orgs.Get(ctx, user.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("organization: %w", err)
	}
	return newProfile(user, org), nil
}
