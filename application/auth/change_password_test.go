package auth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

type changeDeps struct {
	users    *mocks.UserRepo
	sessions *mocks.SessionStore
	hasher   *mocks.PasswordHasher
}

func newChangePassword(t *testing.T) (*auth.ChangePasswordHandler, changeDeps) {
	t.Helper()
	d := changeDeps{users: mocks.NewUserRepo(t), sessions: mocks.NewSessionStore(t), hasher: mocks.NewPasswordHasher(t)}
	blocklist := mocks.NewPasswordBlocklist(t)
	blocklist.EXPECT().Contains(mock.Anything).RunAndReturn(func(pw string) bool { return pw == "password123" }).Maybe()
	h := auth.NewChangePasswordHandler(auth.ChangePasswordDeps{
		Users: d.users, Sessions: d.sessions, Hasher: d.hasher, Blocklist: blocklist,
		Limiter: memory.NewRateLimiter(clock.NewFake(epoch)), Clock: clock.NewFake(epoch),
	}, policy)
	return h, d
}

func change(h *auth.ChangePasswordHandler, current, next string) error {
	return h.Handle(context.Background(), auth.ChangePassword{UserID: "u1", SessionID: "s-current", CurrentPassword: current, NewPassword: next})
}

func TestChangePasswordStoresTheNewHashAndRevokesEveryOtherSession(t *testing.T) {
	t.Parallel()
	h, d := newChangePassword(t)
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "right password", ada.PasswordHash).Return(true, nil)
	d.hasher.EXPECT().Hash(mock.Anything, "a brand new passphrase").Return("$argon2id$new", nil)
	var stored domain.User
	d.users.EXPECT().Update(mock.Anything, "u1", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func(*domain.User) error) (*domain.User, error) {
			stored = *ada
			require.NoError(t, fn(&stored))
			return &stored, nil
		})
	d.sessions.EXPECT().List(mock.Anything, "u1").Return([]domain.Session{{ID: "s-current"}, {ID: "s-other"}, {ID: "s-third"}}, nil)
	d.sessions.EXPECT().Delete(mock.Anything, "s-other").Return(nil)
	d.sessions.EXPECT().Delete(mock.Anything, "s-third").Return(nil)

	require.NoError(t, change(h, "right password", "a brand new passphrase"))
	assert.Equal(t, "$argon2id$new", stored.PasswordHash)
	assert.Equal(t, epoch, stored.UpdatedAt)
}

func TestChangePasswordRefusesAWrongCurrentPasswordAndLimitsGuessing(t *testing.T) {
	t.Parallel()
	h, d := newChangePassword(t)
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "wrong password", ada.PasswordHash).Return(false, nil).Times(policy.AccountFailures)
	for range policy.AccountFailures {
		var verr *domain.ValidationError
		require.ErrorAs(t, change(h, "wrong password", "a brand new passphrase"), &verr)
		assert.Equal(t, "currentPassword", verr.Field)
	}
	var limited *domain.RateLimitedError
	require.ErrorAs(t, change(h, "right password", "a brand new passphrase"), &limited, "guessing is limited like failed logins")
}

func TestChangePasswordRefusesAWeakNewPasswordBeforeAnyWork(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"short", "password123"} {
		h, _ := newChangePassword(t)
		var verr *domain.ValidationError
		require.ErrorAs(t, change(h, "right password", pw), &verr)
		assert.Equal(t, "newPassword", verr.Field)
	}
}
