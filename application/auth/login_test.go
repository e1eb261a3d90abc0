package auth_test

import (
	"context"
	"errors"
	"strings"
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
	"github.com/studytool/studytool/ports"
)

const dummyHash = "$argon2id$dummy"

var policy = auth.LoginPolicy{
	PerMinute: 10, FailureWindow: time.Hour, AccountIPFailures: 3, AccountFailures: 5, DeviceFailures: 2,
}

type loginDeps struct {
	users    *mocks.UserRepo
	orgs     *mocks.OrganizationRepo
	sessions *mocks.SessionStore
	limiter  ports.RateLimiter
	hasher   *mocks.PasswordHasher
	devices  *auth.DeviceTokens
}

// newLogin builds the handler over mocks, with the in-memory rate limiter (a full
// implementation) so that the limits are exercised as they count.
func newLogin(t *testing.T) (*auth.LogInHandler, loginDeps) {
	t.Helper()
	devices, err := auth.NewDeviceTokens([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	d := loginDeps{
		users: mocks.NewUserRepo(t), orgs: mocks.NewOrganizationRepo(t), sessions: mocks.NewSessionStore(t),
		limiter: memory.NewRateLimiter(clock.NewFake(epoch)), hasher: mocks.NewPasswordHasher(t), devices: devices,
	}
	d.hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return(dummyHash, nil).Once()
	h, err := auth.NewLogInHandler(auth.LogInDeps{
		Users: d.users, Orgs: d.orgs, Sessions: d.sessions, Limiter: d.limiter, Hasher: d.hasher,
		Emails: lowerCaseEmails(t), Clock: clock.NewFake(epoch),
	}, devices, policy)
	require.NoError(t, err)
	return h, d
}

// lowerCaseEmails is an EmailCanonicalizer that trims and lower-cases, and refuses an
// address without '@'.
func lowerCaseEmails(t *testing.T) *mocks.EmailCanonicalizer {
	t.Helper()
	e := mocks.NewEmailCanonicalizer(t)
	e.EXPECT().Canonical(mock.Anything).RunAndReturn(func(raw string) (string, error) {
		if !strings.Contains(raw, "@") {
			return "", domain.NewValidationError("email", "must be an address")
		}
		return strings.ToLower(strings.TrimSpace(raw)), nil
	}).Maybe()
	return e
}

var ada = &domain.User{ID: "u1", Email: "ada@example.com", PasswordHash: "$argon2id$real", OrganizationID: "org1"}

// succeed prepares d for one successful login of ada.
func succeed(d loginDeps) {
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(ada, nil).Once()
	d.hasher.EXPECT().Verify(mock.Anything, "right password", ada.PasswordHash).Return(true, nil).Once()
	d.orgs.EXPECT().Get(mock.Anything, "org1").Return(&domain.Organization{ID: "org1", Type: domain.OrgCU}, nil).Once()
	d.sessions.EXPECT().Create(mock.Anything, mock.Anything).Return(nil, nil).Once()
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(ada, nil).Once()
}

// fail prepares d for one login of ada with a wrong password.
func fail(d loginDeps) {
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(ada, nil).Once()
	d.hasher.EXPECT().Verify(mock.Anything, "wrong password", ada.PasswordHash).Return(false, nil).Once()
}

func logIn(h *auth.LogInHandler, ip, password, device string) (*auth.LoggedIn, error) {
	return h.Handle(context.Background(), auth.LogIn{
		Email: "Ada@example.com", Password: password, IPAddress: ip, UserAgent: "test", DeviceToken: device,
	})
}

func TestLogInUnknownEmailAndWrongPasswordDoTheSameWork(t *testing.T) {
	t.Parallel()
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		fail(d)
		_, err := logIn(h, "192.0.2.1", "wrong password", "")
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
	t.Run("unknown email verifies against the dummy hash", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		d.users.EXPECT().GetByEmail(mock.Anything, "nobody@example.com").Return(nil, domain.ErrNotFound)
		d.hasher.EXPECT().Verify(mock.Anything, "wrong password", dummyHash).Return(true, nil).Once() // even a "match" fails
		_, err := h.Handle(context.Background(), auth.LogIn{Email: "nobody@example.com", Password: "wrong password", IPAddress: "192.0.2.1"})
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
	t.Run("malformed email verifies against the dummy hash without a lookup", func(t *testing.T) {
		t.Parallel()
		h, d := newLogin(t)
		d.hasher.EXPECT().Verify(mock.Anything, "wrong password", dummyHash).Return(false, nil).Once()
		_, err := h.Handle(context.Background(), auth.LogIn{Email: "not an email", Password: "wrong password", IPAddress: "192.0.2.1"})
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	})
}

func TestLogInAttemptsPerClientIPAreLimitedBeforeAnyWork(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	for range policy.PerMinute {
		succeed(d)
		_, err := logIn(h, "192.0.2.1", "right password", "")
		require.NoError(t, err)
	}
	// No user lookup, no hashing, no session: the mocks fail the test if called.
	_, err := logIn(h, "192.0.2.1", "right password", "")
	var limited *domain.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Positive(t, limited.RetryAfter)
}

func TestLogInCountsFailuresNotSuccesses(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	// Far more successes than the failure limits allow: successes give their events back.
	for range 2 * policy.AccountFailures {
		succeed(d)
		_, err := logIn(h, "192.0.2.1", "right password", "")
		require.NoError(t, err)
	}
	for range policy.AccountIPFailures {
		fail(d)
		_, err := logIn(h, "192.0.2.2", "wrong password", "")
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	// The (account, IP) hard limit now refuses that client, the right password included,
	// without looking anything up.
	_, err := logIn(h, "192.0.2.2", "right password", "")
	var limited *domain.RateLimitedError
	require.ErrorAs(t, err, &limited)
	// Another client is not affected by that client's failures.
	succeed(d)
	_, err = logIn(h, "192.0.2.3", "right password", "")
	require.NoError(t, err)
}

func TestLogInAccountLockoutSparesTheOwnersDevice(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	succeed(d)
	owner, err := logIn(h, "198.51.100.7", "right password", "")
	require.NoError(t, err)
	require.NotEmpty(t, owner.DeviceToken, "a successful login hands out a device token")

	// A failure storm from many addresses spends the account-wide allowance.
	for i := range policy.AccountFailures {
		fail(d)
		_, err := logIn(h, "203.0.113."+string(rune('1'+i)), "wrong password", "")
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	_, err = logIn(h, "203.0.113.99", "right password", "")
	var limited *domain.RateLimitedError
	require.ErrorAs(t, err, &limited, "without a device token the account is locked")

	// The owner's device token exempts it from the account-wide limit.
	succeed(d)
	again, err := logIn(h, "198.51.100.8", "right password", owner.DeviceToken)
	require.NoError(t, err)
	assert.Equal(t, owner.DeviceToken, again.DeviceToken, "a valid device token is kept")

	// The device has a failure limit of its own.
	for range policy.DeviceFailures {
		fail(d)
		_, err := logIn(h, "198.51.100.9", "wrong password", owner.DeviceToken)
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	_, err = logIn(h, "198.51.100.10", "right password", owner.DeviceToken)
	require.ErrorAs(t, err, &limited)
}

func TestLogInDeviceTokenOfAnotherAccountGivesNoExemption(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	other, err := d.devices.Issue("mallory@example.com")
	require.NoError(t, err)
	for i := range policy.AccountFailures {
		fail(d)
		_, err := logIn(h, "203.0.113."+string(rune('1'+i)), "wrong password", other)
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	_, err = logIn(h, "203.0.113.99", "right password", other)
	var limited *domain.RateLimitedError
	require.ErrorAs(t, err, &limited)
}

func TestLogInRacingFailuresCannotExceedTheLimit(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	// Verification blocks until every attempt has been admitted or refused: all of them
	// are in flight at once, and only AccountIPFailures may hold an event.
	const attempts = 12
	release := make(chan struct{})
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "wrong password", ada.PasswordHash).RunAndReturn(
		func(context.Context, string, string) (bool, error) { <-release; return false, nil })
	results := make(chan error, attempts)
	for range attempts {
		go func() {
			_, err := logIn(h, "192.0.2.50", "wrong password", "")
			results <- err
		}()
	}
	var refused, failed int
	for range attempts - policy.AccountIPFailures {
		err := <-results
		require.ErrorAs(t, err, new(*domain.RateLimitedError))
		refused++
	}
	close(release)
	for range policy.AccountIPFailures {
		require.ErrorIs(t, <-results, domain.ErrInvalidCredentials)
		failed++
	}
	assert.Equal(t, attempts-policy.AccountIPFailures, refused)
	assert.Equal(t, policy.AccountIPFailures, failed)
}

func TestLogInBusyHasherDoesNotCountAsAFailure(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	busy := &domain.BusyError{RetryAfter: 2 * time.Second}
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "right password", ada.PasswordHash).Return(false, busy).Times(2 * policy.AccountIPFailures)
	for range 2 * policy.AccountIPFailures {
		_, err := logIn(h, "192.0.2.1", "right password", "")
		require.ErrorAs(t, err, &busy)
	}
}

func TestLogInCreatesASessionKeyedByTheTokenHash(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	user := &domain.User{ID: "u1", Email: "ada@example.com", PasswordHash: "$argon2id$real", OrganizationID: "org1", Permissions: []string{"admin:cache"}}
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(user, nil)
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(user, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "right password", "$argon2id$real").Return(true, nil)
	d.orgs.EXPECT().Get(mock.Anything, "org1").Return(&domain.Organization{ID: "org1", Type: domain.OrgCU}, nil)
	var stored *domain.Session
	d.sessions.EXPECT().Create(mock.Anything, mock.Anything).RunAndReturn(func(_ context.Context, s *domain.Session) ([]string, error) {
		stored = s
		return nil, nil
	})

	out, err := logIn(h, "192.0.2.1", "right password", "")
	require.NoError(t, err)
	require.NotNil(t, stored)
	assert.Equal(t, auth.SessionID(out.Token), stored.ID, "the store sees the hash, never the token")
	assert.NotEqual(t, out.Token, stored.ID)
	assert.Len(t, out.Token, 43, "32 random bytes, base64url without padding")
	assert.Equal(t, domain.OrgCU, stored.OrganizationType)
	assert.Equal(t, []string{"admin:cache"}, stored.Permissions)
	assert.Equal(t, epoch, stored.CreatedAt)
	_, ok := d.devices.Verify(out.DeviceToken, "ada@example.com")
	assert.True(t, ok, "the device token is bound to the account")
}

func TestLogInThatRacedAPasswordChangeDoesNotSurviveIt(t *testing.T) {
	t.Parallel()
	h, d := newLogin(t)
	d.users.EXPECT().GetByEmail(mock.Anything, "ada@example.com").Return(ada, nil)
	d.hasher.EXPECT().Verify(mock.Anything, "right password", ada.PasswordHash).Return(true, nil)
	d.orgs.EXPECT().Get(mock.Anything, "org1").Return(&domain.Organization{ID: "org1"}, nil)
	var created string
	d.sessions.EXPECT().Create(mock.Anything, mock.Anything).RunAndReturn(func(_ context.Context, s *domain.Session) ([]string, error) {
		created = s.ID
		return nil, nil
	})
	changed := *ada
	changed.PasswordHash = "$argon2id$new"
	d.users.EXPECT().GetByID(mock.Anything, "u1").Return(&changed, nil)
	d.sessions.EXPECT().Delete(mock.Anything, mock.Anything).RunAndReturn(func(_ context.Context, id string) error {
		assert.Equal(t, created, id, "the session just created is destroyed")
		return nil
	})
	_, err := logIn(h, "192.0.2.1", "right password", "")
	assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
}

func TestLogInStoreFailureIsNotACredentialError(t *testing.T) {
	t.Parallel()
	devices, err := auth.NewDeviceTokens([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	limiter, hasher := mocks.NewRateLimiter(t), mocks.NewPasswordHasher(t)
	hasher.EXPECT().Hash(mock.Anything, mock.Anything).Return(dummyHash, nil)
	down := &domain.UnavailableError{Store: "redis", Err: errors.New("connection refused")}
	limiter.EXPECT().Allow(mock.Anything, mock.Anything, mock.Anything).Return(ports.RateResult{}, down)
	h, err := auth.NewLogInHandler(auth.LogInDeps{
		Users: mocks.NewUserRepo(t), Orgs: mocks.NewOrganizationRepo(t), Sessions: mocks.NewSessionStore(t),
		Limiter: limiter, Hasher: hasher, Emails: lowerCaseEmails(t), Clock: clock.NewFake(epoch),
	}, devices, policy)
	require.NoError(t, err)
	_, err = logIn(h, "192.0.2.1", "x", "")
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	assert.NotErrorIs(t, err, domain.ErrInvalidCredentials)
}
