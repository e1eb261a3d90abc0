package profile_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func ada(perms ...string) *domain.Profile {
	return &domain.Profile{ID: "u1", Email: "ada@example.com", DisplayName: "Ada", Permissions: perms}
}

func TestGetProfile(t *testing.T) {
	t.Parallel()
	profiles := mocks.NewProfileRepo(t)
	profiles.EXPECT().GetProfile(mock.Anything, "u1").Return(ada(), nil).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "u2").Return(nil, domain.ErrNotFound).Once()
	h := profile.NewGetProfileHandler(profiles)

	p, err := h.Handle(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, "Ada", p.DisplayName)
	_, err = h.Handle(t.Context(), "u2")
	assert.ErrorIs(t, err, domain.ErrNotFound)
}

func TestGetPermissionsReadsTheCurrentProfile(t *testing.T) {
	t.Parallel()
	profiles := mocks.NewProfileRepo(t)
	profiles.EXPECT().GetProfile(mock.Anything, "u1").Return(ada(domain.PermAdminCache), nil).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "u1").Return(ada(), nil).Once()
	h := profile.NewGetPermissionsHandler(profiles)

	perms, err := h.Handle(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, []string{domain.PermAdminCache}, perms)
	perms, err = h.Handle(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, []string{}, perms, "no permissions is an empty list, never nil")
}

func TestUpdateProfileStoresTheNameAndAnswersTheFreshProfile(t *testing.T) {
	t.Parallel()
	users, profiles := mocks.NewUserRepo(t), mocks.NewProfileRepo(t)
	var stored domain.User
	users.EXPECT().Update(mock.Anything, "u1", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func(*domain.User) error) (*domain.User, error) {
			stored = domain.User{ID: "u1", DisplayName: "Ada"}
			require.NoError(t, fn(&stored))
			return &stored, nil
		}).Once()
	renamed := ada()
	renamed.DisplayName = "Countess"
	profiles.EXPECT().GetProfile(mock.Anything, "u1").Return(renamed, nil).Once()

	p, err := profile.NewUpdateProfileHandler(users, profiles, clock.NewFake(epoch)).
		Handle(t.Context(), profile.UpdateProfile{UserID: "u1", DisplayName: ptr("  Countess ")})
	require.NoError(t, err)
	assert.Equal(t, "Countess", stored.DisplayName, "trimmed")
	assert.Equal(t, epoch, stored.UpdatedAt)
	assert.Equal(t, "Countess", p.DisplayName)
}

func TestUpdateProfileChangesOnlyWhatIsSent(t *testing.T) {
	t.Parallel()
	users, profiles := mocks.NewUserRepo(t), mocks.NewProfileRepo(t)
	stored := domain.User{ID: "u1", DisplayName: "Ada", TimeZone: "UTC", DayStartHour: 4}
	users.EXPECT().Update(mock.Anything, "u1", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func(*domain.User) error) (*domain.User, error) {
			require.NoError(t, fn(&stored))
			return &stored, nil
		}).Once()
	profiles.EXPECT().GetProfile(mock.Anything, "u1").Return(ada(), nil).Once()

	_, err := profile.NewUpdateProfileHandler(users, profiles, clock.NewFake(epoch)).
		Handle(t.Context(), profile.UpdateProfile{UserID: "u1", TimeZone: ptr("Asia/Tokyo"), DayStartHour: ptr(0)})
	require.NoError(t, err)
	assert.Equal(t, domain.User{ID: "u1", DisplayName: "Ada", TimeZone: "Asia/Tokyo", DayStartHour: 0, UpdatedAt: epoch}, stored)
}

func TestUpdateProfileRefusesEveryBadFieldBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	h := profile.NewUpdateProfileHandler(mocks.NewUserRepo(t), mocks.NewProfileRepo(t), clock.NewFake(epoch))
	_, err := h.Handle(t.Context(), profile.UpdateProfile{
		UserID: "u1", DisplayName: ptr("Ada\u202e"), TimeZone: ptr("Mars/Olympus_Mons"), DayStartHour: ptr(24),
	})
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "the errors are joined: %v", err)
	var fields []string
	for _, e := range joined.Unwrap() {
		var verr *domain.ValidationError
		require.ErrorAs(t, e, &verr)
		fields = append(fields, verr.Field)
	}
	assert.Equal(t, []string{"displayName", "timeZone", "dayStartHour"}, fields)
}

func ptr[T any](v T) *T { return &v }

// identityEmails is an EmailCanonicalizer that lower-cases.
func identityEmails(t *testing.T) *mocks.EmailCanonicalizer {
	t.Helper()
	e := mocks.NewEmailCanonicalizer(t)
	e.EXPECT().Canonical(mock.Anything).Return("ada@example.com", nil).Maybe()
	return e
}

func TestManagePermissionsGrantsAndRevokes(t *testing.T) {
	t.Parallel()
	users := mocks.NewUserRepo(t)
	stored := &domain.User{ID: "u1", Email: "ada@example.com", Permissions: []string{domain.PermAdminSessions}}
	users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(stored, nil)
	users.EXPECT().Update(mock.Anything, "u1", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func(*domain.User) error) (*domain.User, error) {
			require.NoError(t, fn(stored))
			return stored, nil
		})
	h := profile.NewManagePermissionsHandler(users, identityEmails(t), clock.NewFake(epoch))

	u, err := h.Handle(t.Context(), profile.SetPermissions{Email: "Ada@example.com", Grant: []string{domain.PermAdminCache, domain.PermAdminCache}})
	require.NoError(t, err)
	assert.Equal(t, []string{domain.PermAdminCache, domain.PermAdminSessions}, u.Permissions, "sorted, without duplicates")
	u, err = h.Handle(t.Context(), profile.SetPermissions{Email: "ada@example.com", Revoke: []string{domain.PermAdminSessions}})
	require.NoError(t, err)
	assert.Equal(t, []string{domain.PermAdminCache}, u.Permissions)
	assert.Equal(t, epoch, u.UpdatedAt)
}

func TestManagePermissionsRefusesAnUnknownPermissionBeforeAnyWork(t *testing.T) {
	t.Parallel()
	h := profile.NewManagePermissionsHandler(mocks.NewUserRepo(t), mocks.NewEmailCanonicalizer(t), clock.NewFake(epoch))
	_, err := h.Handle(t.Context(), profile.SetPermissions{Email: "ada@example.com", Grant: []string{domain.PermAdminCache, "admin:everything"}})
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "permission", verr.Field)
}

func TestManagePermissionsOfAnUnknownAccount(t *testing.T) {
	t.Parallel()
	users := mocks.NewUserRepo(t)
	users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(nil, domain.ErrNotFound)
	h := profile.NewManagePermissionsHandler(users, identityEmails(t), clock.NewFake(epoch))
	_, err := h.Handle(t.Context(), profile.SetPermissions{Email: "ada@example.com", Grant: []string{domain.PermAdminCache}})
	assert.ErrorIs(t, err, domain.ErrNotFound)
}
