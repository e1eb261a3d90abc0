package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

// deleteDeps are the mocks behind a DeleteAccountHandler.
type deleteDeps struct {
	users       *mocks.UserRepo
	progress    *mocks.ProgressRepo
	copies      *mocks.ProgressCache
	sessions    *mocks.SessionStore
	study       *mocks.StudySessionStore
	idempotency *mocks.IdempotencyStore
	hasher      *mocks.PasswordHasher
}

func newDeleteAccount(t *testing.T) (*auth.DeleteAccountHandler, deleteDeps) {
	t.Helper()
	d := deleteDeps{
		users: mocks.NewUserRepo(t), progress: mocks.NewProgressRepo(t), copies: mocks.NewProgressCache(t),
		sessions: mocks.NewSessionStore(t), study: mocks.NewStudySessionStore(t), idempotency: mocks.NewIdempotencyStore(t),
		hasher: mocks.NewPasswordHasher(t),
	}
	h := auth.NewDeleteAccountHandler(auth.DeleteAccountDeps{
		Users: d.users, Profiles: mocks.NewProfileRepo(t), Progress: d.progress, Copies: d.copies, Sessions: d.sessions,
		StudySessions: d.study, Idempotency: d.idempotency, Hasher: d.hasher,
		Limiter: memory.NewRateLimiter(clock.NewFake(epoch)),
	}, policy)
	return h, d
}

// expectDeletion expects the account's erasure up to the database commit.
func (d deleteDeps) expectDeletion() {
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "right password", ada.PasswordHash).Return(true, nil)
	d.progress.EXPECT().StudiedCards(mock.Anything, "u1").Return([]string{"c1"}, nil)
	d.sessions.EXPECT().DeleteUser(mock.Anything, "u1").Return(2, nil)
	d.users.EXPECT().Delete(mock.Anything, "u1").Return(nil)
}

func TestDeleteAccountErasesTheUsersRedisState(t *testing.T) {
	t.Parallel()
	h, d := newDeleteAccount(t)
	d.expectDeletion()
	d.copies.EXPECT().DeleteMany(mock.Anything, "u1", []string{"c1"}).Return(nil)
	d.study.EXPECT().DeleteUser(mock.Anything, "u1").Return(nil)
	d.idempotency.EXPECT().DeleteUser(mock.Anything, "u1").Return(nil)

	require.NoError(t, h.Handle(context.Background(), auth.DeleteAccount{UserID: "u1", Password: "right password"}))
}

func TestDeleteAccountReportsIdempotencyRecordsLeftBehind(t *testing.T) {
	t.Parallel()
	h, d := newDeleteAccount(t)
	d.expectDeletion()
	d.copies.EXPECT().DeleteMany(mock.Anything, "u1", []string{"c1"}).Return(nil)
	d.study.EXPECT().DeleteUser(mock.Anything, "u1").Return(nil)
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	d.idempotency.EXPECT().DeleteUser(mock.Anything, "u1").Return(down)

	err := h.Handle(context.Background(), auth.DeleteAccount{UserID: "u1", Password: "right password"})
	require.ErrorIs(t, err, down, "the caller hears that some data expires later")
}
