package profile

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/ports"
)

// GetPermissionsHandler reads a user's current permissions through the cache
// (`user:permissions`), so a permission check follows a change at once instead of
// trusting the copy a session took at login.
type GetPermissionsHandler struct {
	users ports.UserRepo
	cache *cache.Cache
}

// NewGetPermissionsHandler builds the handler.
func NewGetPermissionsHandler(users ports.UserRepo, c *cache.Cache) *GetPermissionsHandler {
	return &GetPermissionsHandler{users: users, cache: c}
}

// Handle returns userID's permissions (never nil).
func (h *GetPermissionsHandler) Handle(ctx context.Context, userID string) ([]string, error) {
	perms, err := cache.GetOrLoad(ctx, h.cache, permissionsKey(userID), func(ctx context.Context) ([]string, error) {
		u, err := h.users.GetByID(ctx, userID)
		if err != nil {
			return nil, err
		}
		if u.Permissions == nil {
			return []string{}, nil
		}
		return u.Permissions, nil
	})
	if err != nil {
		return nil, fmt.Errorf("get permissions: %w", err)
	}
	return perms, nil
}
