package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestRegisterUser(t *testing.T) {
	t.Parallel()
	defaultOrg := &domain.Organization{ID: domain.DefaultOrganizationID, Type: domain.OrgORG}

	t.Run("normalizes the email, hashes the password, grants nothing", func(t *testing.T) {
		t.Parallel()
		users, orgs, hasher := mocks.NewUserRepo(t), mocks.NewOrganizationRepo(t), mocks.NewPasswordHasher(t)
		orgs.EXPECT().Get(mock.Anything, domain.DefaultOrganizationID).Return(defaultOrg, nil)
		hasher.EXPECT().Hash("correct horse battery").Return("$argon2id$hash", nil)
		users.EXPECT().Create(mock.Anything, mock.MatchedBy(func(u *domain.User) bool {
			return u.Email == "ada@example.com" && u.PasswordHash == "$argon2id$hash" &&
				u.DisplayName == "Ada" && len(u.Permissions) == 0 && u.CreatedAt.Equal(epoch) && u.ID != ""
		})).Return(nil)

		h := auth.NewRegisterUserHandler(users, orgs, hasher, clock.NewFake(epoch), []string{"root@example.com"})
		out, err := h.Handle(context.Background(), auth.RegisterUser{Email: "  Ada@Example.COM ", Password: "correct horse battery", DisplayName: " Ada "})
		require.NoError(t, err)
		assert.Equal(t, "ada@example.com", out.User.Email)
		assert.Equal(t, domain.OrgORG, out.Organization.Type)
	})

	t.Run("bootstrap admin gets the admin permissions", func(t *testing.T) {
		t.Parallel()
		users, orgs, hasher := mocks.NewUserRepo(t), mocks.NewOrganizationRepo(t), mocks.NewPasswordHasher(t)
		orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil)
		hasher.EXPECT().Hash(mock.Anything).Return("h", nil)
		users.EXPECT().Create(mock.Anything, mock.Anything).Return(nil)

		h := auth.NewRegisterUserHandler(users, orgs, hasher, clock.NewFake(epoch), []string{"root@example.com"})
		out, err := h.Handle(context.Background(), auth.RegisterUser{Email: "ROOT@example.com", Password: "0123456789", DisplayName: "Root"})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{domain.PermAdminCache, domain.PermAdminSessions}, out.User.Permissions)
	})

	t.Run("taken email is reported as such", func(t *testing.T) {
		t.Parallel()
		users, orgs, hasher := mocks.NewUserRepo(t), mocks.NewOrganizationRepo(t), mocks.NewPasswordHasher(t)
		orgs.EXPECT().Get(mock.Anything, mock.Anything).Return(defaultOrg, nil)
		hasher.EXPECT().Hash(mock.Anything).Return("h", nil)
		users.EXPECT().Create(mock.Anything, mock.Anything).Return(domain.ErrEmailTaken)

		h := auth.NewRegisterUserHandler(users, orgs, hasher, clock.NewFake(epoch), nil)
		_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "a@example.com", Password: "0123456789", DisplayName: "A"})
		assert.ErrorIs(t, err, domain.ErrEmailTaken)
	})

	invalid := []struct {
		name  string
		cmd   auth.RegisterUser
		field string
	}{
		{"short password", auth.RegisterUser{Email: "a@example.com", Password: "123456789", DisplayName: "A"}, "password"},
		{"bad email", auth.RegisterUser{Email: "not-an-email", Password: "0123456789", DisplayName: "A"}, "email"},
		{"display name with a name part", auth.RegisterUser{Email: "Ada <a@example.com>", Password: "0123456789", DisplayName: "A"}, "email"},
		{"empty display name", auth.RegisterUser{Email: "a@example.com", Password: "0123456789", DisplayName: "  "}, "displayName"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// No expectations: a rejected command must not reach any dependency.
			h := auth.NewRegisterUserHandler(mocks.NewUserRepo(t), mocks.NewOrganizationRepo(t), mocks.NewPasswordHasher(t), clock.NewFake(epoch), nil)
			_, err := h.Handle(context.Background(), tc.cmd)
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tc.field, verr.Field)
		})
	}

	t.Run("unknown organization is a validation error", func(t *testing.T) {
		t.Parallel()
		orgs := mocks.NewOrganizationRepo(t)
		orgs.EXPECT().Get(mock.Anything, "nope").Return(nil, domain.ErrNotFound)
		h := auth.NewRegisterUserHandler(mocks.NewUserRepo(t), orgs, mocks.NewPasswordHasher(t), clock.NewFake(epoch), nil)
		_, err := h.Handle(context.Background(), auth.RegisterUser{Email: "a@example.com", Password: "0123456789", DisplayName: "A", OrganizationID: "nope"})
		var verr *domain.ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "organizationId", verr.Field)
	})
}
