package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type registerDeps struct {
	users     *mocks.UserRepo
	orgs      *mocks.OrganizationRepo
	hasher    *mocks.PasswordHasher
	blocklist *mocks.PasswordBlocklist
}

// newRegister builds the handler over mocks (a common-password list that knows
// "password123") and the in-memory rate limiter, allowing perHour registrations per IP.
func newRegister(t *testing.T, perHour int) (*auth.RegisterUserHandler, registerDeps) {
	t.Helper()
	d := registerDeps{
		users: mocks.NewUserRepo(t), orgs: mocks.NewOrganizationRepo(t), hasher: mocks.NewPasswordHasher(t),
		blocklist: mocks.NewPasswordBlocklist(t),
	}
	d.blocklist.EXPECT().Contains(mock.Anything).RunAndReturn(func(pw string) bool { return pw == "password123" }).Maybe()
	h := auth.NewRegisterUserHandler(auth.RegisterUserDeps{
		Users: d.users, Orgs: d.orgs, Hasher: d.hasher, Emails: lowerCaseEmails(t), Blocklist: d.blocklist,
		Limiter: memory.NewRateLimiter(clock.NewFake(epoch)), Clock: clock.NewFake(epoch),
	}, auth.RegisterPolicy{PerHour: perHour})
	return h, d
}

var defaultOrg = &domain.Organization{ID: domain.DefaultOrganizationID, Type: domain.OrgORG}

func TestRegisterUser(t *testing.T) {
	t.Parallel()

	t.Run("canonical email, hashed password, default organization, no permissions", func(t *testing.T) {
		t.Parallel()
		h, d := newRegister(t, 10)
		d.orgs.EXPECT().Get(mock.Anything, domain.DefaultOrganizationID).Return(defaultOrg, nil)
		d.hasher.EXPECT().Hash(mock.Anything, "correct horse battery").Return("$argon2id$hash", nil)
		d.users.EXPECT().Create(mock.Anything, mock.MatchedBy(func(u *domain.User) bool {
			return u.Email == "ada@example.com" && u.PasswordHash == "$argon2id$hash" &&
				u.DisplayName == "Ada" && len(u.Permissions) == 0 && u.CreatedAt.Equal(epoch) && u.ID != "" &&
				u.OrganizationID == domain.DefaultOrganizationID
		})).Return(nil)

		out, err := h.Handle(context.Background(), auth.RegisterUser{Email: "  Ada@Example.COM ", Password: "correct horse battery", DisplayName: " Ada ", IPAddress: "192.0.2.1"})
		require.NoError(t, err)
		assert.Equal(t, "ada@example.com", out.User.Email)
		assert.Empty(t, out.User.Permissions)
		assert.Equal(t, domain.OrgORG, out.Organization.Type)
	})

	t.Run("taken email is reported as such", func(t *testing.T) {
		t.Parallel()
		h, d := newRegister(t, 10)
		d.orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil)
		d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return("h", nil)
		d.users.EXPECT().Create(mock.Anything, mock.Anything).Return(domain.ErrEmailTaken)
		_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "a@example.com", Password: "0123456789a", DisplayName: "A"})
		assert.ErrorIs(t, err, domain.ErrEmailTaken)
	})

	t.Run("a busy hasher is reported as such", func(t *testing.T) {
		t.Parallel()
		h, d := newRegister(t, 10)
		d.orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil)
		d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return("", &domain.BusyError{RetryAfter: time.Second})
		_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "a@example.com", Password: "0123456789a", DisplayName: "A"})
		var busy *domain.BusyError
		assert.ErrorAs(t, err, &busy)
	})

	invalid := []struct {
		name  string
		cmd   auth.RegisterUser
		field string
	}{
		{"short password", auth.RegisterUser{Email: "a@example.com", Password: "123456789", DisplayName: "A"}, "password"},
		{"common password", auth.RegisterUser{Email: "a@example.com", Password: "password123", DisplayName: "A"}, "password"},
		{"bad email", auth.RegisterUser{Email: "not-an-email", Password: "0123456789a", DisplayName: "A"}, "email"},
		{"empty display name", auth.RegisterUser{Email: "a@example.com", Password: "0123456789a", DisplayName: "  "}, "displayName"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// No expectations: a rejected command must not reach any dependency.
			h, _ := newRegister(t, 10)
			_, err := h.Handle(context.Background(), tc.cmd)
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tc.field, verr.Field)
		})
	}
}

func TestRegisterUserNamesEveryBadField(t *testing.T) {
	t.Parallel()
	h, _ := newRegister(t, 10)
	_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "not-an-email", Password: "short", DisplayName: " "})
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "joined validation errors: %v", err)
	var fields []string
	for _, inner := range joined.Unwrap() {
		var verr *domain.ValidationError
		require.ErrorAs(t, inner, &verr)
		fields = append(fields, verr.Field)
	}
	assert.Equal(t, []string{"email", "password", "displayName"}, fields)
}

func TestRegisterUserIsRateLimitedPerClientIPBeforeHashing(t *testing.T) {
	t.Parallel()
	h, d := newRegister(t, 2)
	d.orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil).Times(3)
	d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return("h", nil).Times(3)
	d.users.EXPECT().Create(mock.Anything, mock.Anything).Return(nil).Times(3)
	register := func(ip string) error {
		_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "a@example.com", Password: "0123456789a", DisplayName: "A", IPAddress: ip})
		return err
	}
	require.NoError(t, register("192.0.2.1"))
	require.NoError(t, register("192.0.2.1"))
	// The third from that IP costs no hash (Times(3) counts the others).
	var limited *domain.RateLimitedError
	require.ErrorAs(t, register("192.0.2.1"), &limited)
	assert.Positive(t, limited.RetryAfter)
	require.NoError(t, register("192.0.2.2"), "another client has its own allowance")
}

func TestRegisterUserBusyHashingDoesNotSpendTheAllowance(t *testing.T) {
	t.Parallel()
	h, d := newRegister(t, 1)
	d.orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil)
	d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return("", &domain.BusyError{RetryAfter: time.Second}).Times(3)
	d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return("h", nil).Once()
	d.users.EXPECT().Create(mock.Anything, mock.Anything).Return(nil).Once()
	cmd := auth.RegisterUser{Email: "a@example.com", Password: "0123456789a", DisplayName: "A", IPAddress: "192.0.2.1"}
	for range 3 {
		_, err := h.Handle(context.Background(), cmd)
		var busy *domain.BusyError
		require.ErrorAs(t, err, &busy)
	}
	_, err := h.Handle(context.Background(), cmd)
	require.NoError(t, err, "three busy answers left the one registration of the hour")
}
