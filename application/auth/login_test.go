package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

const dummyHash = "$argon2id$dummy"

type loginDeps struct {
	users    *mocks.UserRepo
	orgs     *mocks.OrganizationRepo
	sessions *mocks.SessionStore
	limiter  *mocks.RateLimiter
	hasher   *mocks.PasswordHasher
}

func newLogin(t *testing.T) (*auth.LogInHandler, loginDeps) {
	t.Helper()
	d := loginDeps{
		users: mocks.NewUserRepo(t), orgs: mocks.NewOrganizationRepo(t), sessions: mocks.NewSessionStore(t),
		limiter: mocks.NewRateLimiter(t), hasher: mocks.NewPasswordHasher(t),
	}
	d.hasher.EXPECT().Hash(mock.Anything).Return(dummyHash, nil).Once()
	h, err := auth.NewLogInHandler(d.users, d.orgs, d.sessions, d.limiter, d.hasher, clock.NewFake(epoch), auth.LoginPolicy{PerMinute: 10})
	require.NoError(t, err)
	return h, d
}

func allow(d loginDeps) {
	d.limiter.EXPECT().Allow(mock.Anything, mock.Anything, ports.PerMinute(10)).Return(ports.RateResult{Allowed: true}, nil)
}

func TestLogInUnknownEmailAndWrongPasswordDoTheSameWork(t *testing.T) {
	t.Parallel()
	user := &domain.User{ID: "u1", Email: "ada@example.com", PasswordHash: "$argon2id$real", OrganizationID: domain.DefaultOrganizationID}

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		allow(d)
		d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(user, nil)
		d.hasher.EXPECT().Verify("wrong password!", "$argon2id$real").Return(false, nil).Once()
		_, err := h.Handle(context.Background(), auth.LogIn{Email: "Ada@example.com", Password: "wrong password!", IPAddress: "192.0.2.1"})
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
	t.Run("unknown email verifies against the dummy hash", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		allow(d)
		d.users.EXPECT().GetByEmail(mock.Anything, "nobody@example.com").Return(nil, domain.ErrNotFound)
		d.hasher.EXPECT().Verify("wrong password!", dummyHash).Return(true, nil).Once() // even a "match" fails
		_, err := h.Handle(context.Background(), auth.LogIn{Email: "nobody@example.com", Password: "wrong password!", IPAddress: "192.0.2.1"})
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
	t.Run("malformed email verifies against the dummy hash without a lookup", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		d.limiter.EXPECT().Allow(mock.Anything, "login-ip:192.0.2.1", mock.Anything).Return(ports.RateResult{Allowed: true}, nil)
		d.hasher.EXPECT().Verify("wrong password!", dummyHash).Return(false, nil).Once()
		_, err := h.Handle(context.Background(), auth.LogIn{Email: "not an email", Password: "wrong password!", IPAddress: "192.0.2.1"})
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
}

func TestLogInRateLimitedBeforeAnyWork(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	d.limiter.EXPECT().Allow(mock.Anything, "login-ip:192.0.2.1", ports.PerMinute(10)).
		Return(ports.RateResult{Allowed: false, RetryAfter: 7 * time.Second}, nil)
	// No user lookup, no hashing, no session: the mocks fail the test if called.
	_, err := h.Handle(context.Background(), auth.LogIn{Email: "ada@example.com", Password: "whatever pw", IPAddress: "192.0.2.1"})
	var limited *domain.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Equal(t, 7*time.Second, limited.RetryAfter)
}

func TestLogInCreatesASessionKeyedByTheTokenHash(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	allow(d)
	user := &domain.User{ID: "u1", Email: "ada@example.com", PasswordHash: "$argon2id$real", OrganizationID: "org1", Permissions: []string{"admin:cache"}}
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(user, nil)
	d.hasher.EXPECT().Verify("right password", "$argon2id$real").Return(true, nil)
	d.orgs.EXPECT().Get(mock.Anything, "org1").Return(&domain.Organization{ID: "org1", Type: domain.OrgCU}, nil)
	var stored *domain.Session
	d.sessions.EXPECT().Create(mock.Anything, mock.Anything).RunAndReturn(func(_ context.Context, s *domain.Session) ([]string, error) {
		stored = s
		return nil, nil
	})

	out, err := h.Handle(context.Background(), auth.LogIn{Email: "ada@example.com", Password: "right password", IPAddress: "192.0.2.1", UserAgent: "test"})
	require.NoError(t, err)
	require.NotNil(t, stored)
	assert.Equal(t, auth.SessionID(out.Token), stored.ID, "the store sees the hash, never the token")
	assert.NotEqual(t, out.Token, stored.ID)
	assert.Len(t, out.Token, 43, "32 random bytes, base64url without padding")
	assert.Equal(t, domain.OrgCU, stored.OrganizationType)
	assert.Equal(t, []string{"admin:cache"}, stored.Permissions)
	assert.Equal(t, epoch, stored.CreatedAt)
}

func TestLogInStoreFailureIsNotACredentialError(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	d.limiter.EXPECT().Allow(mock.Anything, mock.Anything, mock.Anything).Return(ports.RateResult{}, down)
	_, err := h.Handle(context.Background(), auth.LogIn{Email: "ada@example.com", Password: "x", IPAddress: "192.0.2.1"})
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	assert.NotErrorIs(t, err, domain.ErrInvalidCredentials)
}
