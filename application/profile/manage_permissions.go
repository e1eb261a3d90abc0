package profile

import (
	"context"
	"fmt"
	"slices"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// SetPermissions is the operator's command to grant and revoke permissions of the
// account with Email. A permission in both lists ends up revoked.
type SetPermissions struct {
	Email  string
	Grant  []string
	Revoke []string
}

// ManagePermissionsHandler finds accounts and changes their permissions: the operator's
// `studytool users` commands. The user repository drops the cached profile once a change
// is committed, so the user's live sessions follow it on their next request.
type ManagePermissionsHandler struct {
	users  ports.UserRepo
	emails ports.EmailCanonicalizer
	clock  ports.Clock
}

// NewManagePermissionsHandler builds the handler.
func NewManagePermissionsHandler(users ports.UserRepo, emails ports.EmailCanonicalizer, clock ports.Clock) *ManagePermissionsHandler {
	return &ManagePermissionsHandler{users: users, emails: emails, clock: clock}
}

// Find returns the account with email, or domain.ErrNotFound.
func (h *ManagePermissionsHandler) Find(ctx context.Context, email string) (*domain.User, error) {
	canonical, err := h.emails.Canonical(email)
	if err != nil {
		return nil, err
	}
	u, err := h.users.GetByEmail(ctx, canonical)
	if err != nil {
		return nil, fmt.Errorf("find user %s: %w", canonical, err)
	}
	return u, nil
}

// Handle applies cmd and returns the account as stored afterwards. An unknown
// permission is a ValidationError for "permission" and changes nothing.
func (h *ManagePermissionsHandler) Handle(ctx context.Context, cmd SetPermissions) (*domain.User, error) {
	for _, p := range slices.Concat(cmd.Grant, cmd.Revoke) {
		if !domain.IsPermission(p) {
			return nil, domain.NewValidationError("permission", fmt.Sprintf("%q is not a permission (admin:cache, admin:sessions)", p))
		}
	}
	found, err := h.Find(ctx, cmd.Email)
	if err != nil {
		return nil, err
	}
	user, err := h.users.Update(ctx, found.ID, func(u *domain.User) error {
		perms := slices.Concat(u.Permissions, cmd.Grant)
		perms = slices.DeleteFunc(perms, func(p string) bool { return slices.Contains(cmd.Revoke, p) })
		slices.Sort(perms)
		u.Permissions = slices.Compact(perms)
		u.UpdatedAt = h.clock.Now()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("set permissions of %s: %w", found.Email, err)
	}
	return user, nil
}
