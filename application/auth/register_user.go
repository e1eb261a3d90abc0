package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RegisterUser is the command to create an account.
type RegisterUser struct {
	Email          string
	Password       string
	DisplayName    string
	OrganizationID string
}

// RegisterUserHandler creates accounts. Emails listed as bootstrap administrators get the
// admin permissions at registration.
type RegisterUserHandler struct {
	users       ports.UserRepo
	orgs        ports.OrganizationRepo
	hasher      ports.PasswordHasher
	clock       ports.Clock
	adminEmails []string
}

// NewRegisterUserHandler builds the handler; adminEmails must be normalized addresses.
func NewRegisterUserHandler(users ports.UserRepo, orgs ports.OrganizationRepo, hasher ports.PasswordHasher, clock ports.Clock, adminEmails []string) *RegisterUserHandler {
	return &RegisterUserHandler{users: users, orgs: orgs, hasher: hasher, clock: clock, adminEmails: adminEmails}
}

// Registered is the new account and the organization it belongs to.
type Registered struct {
	User         *domain.User
	Organization *domain.Organization
}

// Handle validates cmd, hashes the password and stores the user.
func (h *RegisterUserHandler) Handle(ctx context.Context, cmd RegisterUser) (*Registered, error) {
	email, err := domain.NormalizeEmail(cmd.Email)
	if err != nil {
		return nil, err
	}
	if err := domain.ValidatePassword(cmd.Password); err != nil {
		return nil, err
	}
	name, err := domain.NormalizeDisplayName(cmd.DisplayName)
	if err != nil {
		return nil, err
	}
	orgID := cmd.OrganizationID
	if orgID == "" {
		orgID = domain.DefaultOrganizationID
	}
	org, err := h.orgs.Get(ctx, orgID)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return nil, domain.NewValidationError("organizationId", "no such organization")
		}
		return nil, fmt.Errorf("register: organization: %w", err)
	}
	hash, err := h.hasher.Hash(cmd.Password)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	now := h.clock.Now()
	user := &domain.User{
		ID:             application.NewID(),
		Email:          email,
		PasswordHash:   hash,
		DisplayName:    name,
		OrganizationID: orgID,
		Permissions:    []string{},
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if slices.Contains(h.adminEmails, email) {
		user.Permissions = []string{domain.PermAdminCache, domain.PermAdminSessions}
	}
	if err := h.users.Create(ctx, user); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return &Registered{User: user, Organization: org}, nil
}
