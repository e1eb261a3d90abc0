package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RegisterUser is the command to create an account. IPAddress is the client's, for the
// registration rate limit.
type RegisterUser struct {
	Email       string
	Password    string
	DisplayName string
	IPAddress   string
}

// RegisterPolicy configures RegisterUserHandler.
type RegisterPolicy struct {
	// PerHour bounds registrations per client IP each hour.
	PerHour int
}

// scopeRegisterIP is the rate-limit scope of registrations.
const scopeRegisterIP = "register-ip"

// RegisterUserHandler creates accounts. Every account joins the default organization
// with no permissions: administrators are made by operators (`studytool users grant`),
// never by anything a client sends.
type RegisterUserHandler struct {
	users     ports.UserRepo
	orgs      ports.OrganizationRepo
	hasher    ports.PasswordHasher
	emails    ports.EmailCanonicalizer
	blocklist ports.PasswordBlocklist
	limiter   ports.RateLimiter
	clock     ports.Clock
	policy    RegisterPolicy
}

// RegisterUserDeps are the ports RegisterUserHandler works with.
type RegisterUserDeps struct {
	Users     ports.UserRepo
	Orgs      ports.OrganizationRepo
	Hasher    ports.PasswordHasher
	Emails    ports.EmailCanonicalizer
	Blocklist ports.PasswordBlocklist
	Limiter   ports.RateLimiter
	Clock     ports.Clock
}

// NewRegisterUserHandler builds the handler.
func NewRegisterUserHandler(deps RegisterUserDeps, policy RegisterPolicy) *RegisterUserHandler {
	return &RegisterUserHandler{
		users: deps.Users, orgs: deps.Orgs, hasher: deps.Hasher, emails: deps.Emails,
		blocklist: deps.Blocklist, limiter: deps.Limiter, clock: deps.Clock, policy: policy,
	}
}

// Registered is the new account and the organization it belongs to.
type Registered struct {
	User         *domain.User
	Organization *domain.Organization
}

// Handle validates cmd, checks the client's registration allowance, hashes the password
// and stores the user. Invalid input and a spent allowance cost no hash.
func (h *RegisterUserHandler) Handle(ctx context.Context, cmd RegisterUser) (*Registered, error) {
	email, name, err := h.validate(cmd)
	if err != nil {
		return nil, err
	}
	if err := h.allow(ctx, cmd.IPAddress); err != nil {
		return nil, err
	}
	org, err := h.orgs.Get(ctx, domain.DefaultOrganizationID)
	if err != nil {
		h.refund(ctx, cmd.IPAddress)
		return nil, fmt.Errorf("register: organization: %w", err)
	}
	hash, err := h.hasher.Hash(ctx, cmd.Password)
	if err != nil {
		h.refund(ctx, cmd.IPAddress) // busy or gone: the client may try again
		return nil, fmt.Errorf("register: %w", err)
	}
	now := h.clock.Now()
	user := &domain.User{
		ID:             application.NewID(h.clock),
		Email:          email,
		PasswordHash:   hash,
		DisplayName:    name,
		OrganizationID: org.ID,
		Permissions:    []string{},
		TimeZone:       domain.DefaultTimeZone,
		DayStartHour:   domain.DefaultDayStartHour,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := h.users.Create(ctx, user); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return &Registered{User: user, Organization: org}, nil
}

// validate returns the canonical email and display name of cmd, or the first
// ValidationError.
// validate checks email, password and display name, naming every bad one at once.
func (h *RegisterUserHandler) validate(cmd RegisterUser) (email, name string, err error) {
	email, emailErr := h.emails.Canonical(cmd.Email)
	passwordErr := checkNewPassword("password", cmd.Password, h.blocklist)
	name, nameErr := domain.NormalizeDisplayName(cmd.DisplayName)
	if err := errors.Join(emailErr, passwordErr, nameErr); err != nil {
		return "", "", err
	}
	return email, name, nil
}

func (h *RegisterUserHandler) limit() ports.RateLimit {
	return ports.RateLimit{Rate: h.policy.PerHour, Burst: h.policy.PerHour, Period: time.Hour}
}

func (h *RegisterUserHandler) allow(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	res, err := h.limiter.Allow(ctx, scopeRegisterIP+":"+ip, h.limit())
	if err != nil {
		return fmt.Errorf("register: rate limit: %w", err)
	}
	if !res.Allowed {
		return &domain.RateLimitedError{RetryAfter: res.RetryAfter}
	}
	return nil
}

// refund gives back the registration event of ip when the registration did not happen
// for the service's own reason (hashing busy, a store down), best effort.
func (h *RegisterUserHandler) refund(ctx context.Context, ip string) {
	if ip != "" {
		_ = h.limiter.Refund(ctx, scopeRegisterIP+":"+ip, h.limit())
	}
}

// checkNewPassword applies the password policy and the common-password list to a new
// password sent as field.
func checkNewPassword(field, password string, blocklist ports.PasswordBlocklist) error {
	if err := domain.ValidatePassword(password); err != nil {
		var v *domain.ValidationError
		if errors.As(err, &v) {
			return domain.NewValidationError(field, v.Reason)
		}
		return err
	}
	if blocklist.Contains(password) {
		return domain.NewValidationError(field, "is one of the most commonly used passwords; choose another")
	}
	return nil
}
