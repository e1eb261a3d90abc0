package contract

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// SessionHarness is one session store under test, the time it lives by, and the views
// into it that the suite needs. Every field is required: a harness that cannot show its
// index or its steps cannot certify its store.
type SessionHarness struct {
	Store ports.SessionStore
	// Now is the store's present: the suite creates sessions at it and validates at it.
	Now func() time.Time
	// Sleep lets d of the store's time pass: it advances a fake clock, or really waits
	// when the store expires by real time (Redis TTLs).
	Sleep func(d time.Duration)
	// IndexLen returns the raw size of userID's session index, dangling entries
	// included, so the suite can prove that none are left behind.
	IndexLen func(ctx context.Context, userID string) (int, error)
	// OnStep installs hook, which the store must then call at the end of each of its
	// atomic steps (a critical section, a round trip to a server, a committed
	// transaction), on the goroutine of the call and holding nothing another call may
	// wait for. The suite pauses a call there and runs another in the gap, which forces
	// the interleavings that concurrent logins hit only by luck. The suite installs the
	// hook before its first call.
	OnStep func(hook func())
	// Settle, when set, returns once the writes the store makes in the background (a
	// local tier's write-back of the rolling refresh) have landed; the suite calls it
	// before it reads what a Validate stored. Nil for a store that writes before
	// returning.
	Settle func(ctx context.Context) error
}

// settle waits for h's background writes, if it has any.
func settle(t *testing.T, h SessionHarness) {
	t.Helper()
	if h.Settle != nil {
		require.NoError(t, h.Settle(t.Context()), "settle the store's background writes")
	}
}

// SessionStoreFactory returns a fresh store that applies policy. The suite calls it once
// per property; register any teardown with t.Cleanup.
type SessionStoreFactory func(t *testing.T, policy domain.SessionPolicy) SessionHarness

// sessionPolicy is the policy of the properties that do not need their own.
var sessionPolicy = domain.SessionPolicy{
	IdleTimeout:        time.Hour,
	MaxLifetime:        24 * time.Hour,
	ActivityResolution: time.Minute,
	MaxPerUser:         5,
}

// sessionExpiryPolls bounds how long the suite waits for a store to expire a session:
// that many Sleeps of sessionExpiryStep (10 s of the store's time).
const (
	sessionExpiryPolls = 100
	sessionExpiryStep  = 100 * time.Millisecond
)

// sessionExpireSoon is how long expireSoon leaves a session to live.
const sessionExpireSoon = 200 * time.Millisecond

// sessionClockSlack is how far past a session's expiry the suite lets the store's time
// run before it counts on the session being dead: TTLs are kept to the millisecond.
const sessionClockSlack = 50 * time.Millisecond

// sessionProperties are the behaviours of a ports.SessionStore, one check each.
var sessionProperties = []property[SessionStoreFactory]{
	{"CreateCompletesExpiryFields", sessionCreateCompletesExpiry},
	{"CreateKeepsEarlierAbsoluteExpiry", sessionCreateKeepsEarlierAbsolute},
	{"CreateRefusesIncompleteSession", sessionCreateRefusesIncomplete},
	{"UnknownSessionIsInvalid", sessionUnknownIsInvalid},
	{"ValidateRefreshesIdleExpiry", sessionValidateRefreshes},
	{"ValidateRewritesOncePerResolution", sessionValidateRewritesOncePerResolution},
	{"ValidateKeepsSessionAliveForIdleTimeout", sessionValidateKeepsAlive},
	{"ValidateRefusesSessionIdlePastTimeout", sessionValidateRefusesIdle},
	{"ValidateStopsAtAbsoluteExpiry", sessionValidateStopsAtAbsolute},
	{"IdleSessionExpires", sessionIdleExpires},
	{"AbsoluteExpiryEndsSession", sessionAbsoluteExpiryEnds},
	{"DeleteDestroysOneSession", sessionDeleteDestroysOne},
	{"DeleteUserDestroysOnlyThatUser", sessionDeleteUserDestroysOnlyThatUser},
	{"DeleteUserCountsOnlyLiveSessions", sessionDeleteUserCountsLive},
	{"ListIsNewestFirst", sessionListNewestFirst},
	{"CreateEvictsOldestBeyondLimit", sessionCreateEvictsOldest},
	{"LaggingCreationIsNeverItsOwnVictim", sessionLaggingCreationSurvives},
	{"ExpiredSessionsArePruned", sessionExpiredArePruned},
	{"ConcurrentCreationsKeepTheLimit", sessionConcurrentCreations},
	{"LimitHoldsWhenCreationsInterleave", sessionLimitHoldsWhenInterleaved},
}

// SessionStore checks a ports.SessionStore, one named property per subtest: creation
// with the policy's expiry, reads, validation with its rolling and absolute expiry and
// activity resolution, deletion of one session and of a user's, newest-first listing,
// the per-user limit, pruning of expired index entries, and the limit under 100
// concurrent creations and under creations forced to interleave between any two steps
// of the store. Expiry by the passage of time is asserted as "eventually, within 10 s of
// the store's time", never as a deadline.
func SessionStore(t *testing.T, newStore SessionStoreFactory) {
	t.Helper()
	runProperties(t, completeSessionHarness(newStore), sessionProperties)
}

// completeSessionHarness wraps newStore so that every property fails on a harness that
// leaves out a required field.
func completeSessionHarness(newStore SessionStoreFactory) SessionStoreFactory {
	return func(t *testing.T, policy domain.SessionPolicy) SessionHarness {
		t.Helper()
		h := newStore(t, policy)
		requireComplete(t, "SessionHarness", map[string]bool{
			"Store":    h.Store != nil,
			"Now":      h.Now != nil,
			"Sleep":    h.Sleep != nil,
			"IndexLen": h.IndexLen != nil,
			"OnStep":   h.OnStep != nil,
		})
		return h
	}
}

// NewSessionID returns the id of a fresh session as the application makes one: the hex
// SHA-256 of a token of 32 bytes from crypto/rand, base64url-encoded.
func NewSessionID(t testing.TB) string {
	t.Helper()
	raw := make([]byte, 32)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(base64.RawURLEncoding.EncodeToString(raw)))
	return hex.EncodeToString(sum[:])
}

// NewSessionFixture returns an unsaved session of userID created at createdAt, with
// every field the store keeps set.
func NewSessionFixture(t testing.TB, userID string, createdAt time.Time) *domain.Session {
	t.Helper()
	return &domain.Session{
		ID:               NewSessionID(t),
		UserID:           userID,
		OrganizationID:   domain.DefaultOrganizationID,
		OrganizationType: domain.OrgORG,
		Permissions:      []string{domain.PermAdminCache, domain.PermAdminSessions},
		CreatedAt:        createdAt,
		IPAddress:        "2001:db8::7",
		UserAgent:        "contract-suite/1.0 (ünïcode; \"quoted\")",
	}
}

// createSession stores a fixture session of userID created at createdAt.
func createSession(t *testing.T, h SessionHarness, userID string, createdAt time.Time) *domain.Session {
	t.Helper()
	s := NewSessionFixture(t, userID, createdAt)
	_, err := h.Store.Create(t.Context(), s)
	require.NoError(t, err)
	return s
}

// expireSoon makes s expire sessionExpireSoon of store time from now, by validating it
// that long before its absolute expiry.
func expireSoon(t *testing.T, h SessionHarness, s *domain.Session) {
	t.Helper()
	_, err := h.Store.Validate(t.Context(), s.ID, s.AbsoluteExpiresAt.Add(-sessionExpireSoon))
	require.NoError(t, err)
}

// requireExpires waits, by the store's time, until session id is gone.
func requireExpires(t *testing.T, h SessionHarness, id string) {
	t.Helper()
	for range sessionExpiryPolls {
		_, err := h.Store.Get(t.Context(), id)
		if errors.Is(err, domain.ErrSessionInvalid) {
			return
		}
		require.NoError(t, err)
		h.Sleep(sessionExpiryStep)
	}
	t.Fatalf("session %s still valid after %s of store time", id, sessionExpiryPolls*sessionExpiryStep)
}

// sleepUntil lets the store's time pass until it reaches at, without calling the store.
func sleepUntil(h SessionHarness, at time.Time) {
	for now := h.Now(); now.Before(at); now = h.Now() {
		h.Sleep(min(sessionExpiryStep, at.Sub(now)))
	}
}

// requireListed checks that List returns exactly ids, in that order.
func requireListed(t *testing.T, h SessionHarness, userID string, ids ...string) {
	t.Helper()
	list, err := h.Store.List(t.Context(), userID)
	require.NoError(t, err)
	got := make([]string, len(list))
	for i := range list {
		got[i] = list[i].ID
	}
	if len(ids) == 0 {
		ids = []string{}
	}
	require.Equal(t, ids, got)
}

// requireIndexLen checks the raw size of userID's index.
func requireIndexLen(t *testing.T, h SessionHarness, userID string, want int) {
	t.Helper()
	n, err := h.IndexLen(t.Context(), userID)
	require.NoError(t, err)
	require.Equal(t, want, n, "entries in the index of user %s", userID)
}

// requireSameSession compares two sessions field by field, times by instant.
func requireSameSession(t *testing.T, want, got *domain.Session) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, want.UserID, got.UserID)
	assert.Equal(t, want.OrganizationID, got.OrganizationID)
	assert.Equal(t, want.OrganizationType, got.OrganizationType)
	if len(want.Permissions) == 0 {
		assert.Empty(t, got.Permissions)
	} else {
		assert.Equal(t, want.Permissions, got.Permissions)
	}
	assertSameTime(t, want.CreatedAt, got.CreatedAt, "CreatedAt")
	assertSameTime(t, want.LastActivity, got.LastActivity, "LastActivity")
	assertSameTime(t, want.ExpiresAt, got.ExpiresAt, "ExpiresAt")
	assertSameTime(t, want.AbsoluteExpiresAt, got.AbsoluteExpiresAt, "AbsoluteExpiresAt")
	assert.Equal(t, want.IPAddress, got.IPAddress)
	assert.Equal(t, want.UserAgent, got.UserAgent)
}

// assertSameTime checks that got is the instant want, whatever its location.
func assertSameTime(t *testing.T, want, got time.Time, msgAndArgs ...any) {
	t.Helper()
	assert.WithinDuration(t, want, got, 0, msgAndArgs...)
}
