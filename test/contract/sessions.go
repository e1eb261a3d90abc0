package contract

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// SessionHarness is one session store under test and the time it lives by.
type SessionHarness struct {
	Store ports.SessionStore
	// Now is the store's present: the suite creates sessions at it and validates at it.
	Now func() time.Time
	// Sleep lets d of the store's time pass: it advances a fake clock, or really waits
	// when the store expires by real time (Redis TTLs).
	Sleep func(d time.Duration)
	// IndexLen, when set, returns the raw size of userID's session index, dangling
	// entries included, so the suite can prove that none are left behind.
	IndexLen func(ctx context.Context, userID string) (int, error)
}

// SessionStoreFactory returns a fresh store that applies policy. The suite calls it once
// per subtest; register any teardown with t.Cleanup.
type SessionStoreFactory func(t *testing.T, policy domain.SessionPolicy) SessionHarness

// sessionPolicy is the policy of the subtests that do not need their own.
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

// SessionStore checks a ports.SessionStore: creation with the policy's expiry, reads,
// validation with its rolling and absolute expiry and activity resolution, deletion of
// one session and of a user's, newest-first listing, the per-user limit, pruning of
// expired index entries, and the limit under 100 concurrent creations. Expiry by the
// passage of time is asserted as "eventually, within 10 s of the store's time", never
// as a deadline.
func SessionStore(t *testing.T, newStore SessionStoreFactory) {
	t.Run("Create completes the expiry fields and Get returns every field", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		s := NewSessionFixture(t, uuid.NewString(), h.Now())
		evicted, err := h.Store.Create(t.Context(), s)
		require.NoError(t, err)
		assert.Empty(t, evicted)
		assertSameTime(t, s.CreatedAt, s.LastActivity, "LastActivity")
		assertSameTime(t, s.CreatedAt.Add(time.Hour), s.ExpiresAt, "ExpiresAt")
		assertSameTime(t, s.CreatedAt.Add(24*time.Hour), s.AbsoluteExpiresAt, "AbsoluteExpiresAt")

		got, err := h.Store.Get(t.Context(), s.ID)
		require.NoError(t, err)
		requireSameSession(t, s, got)
	})

	t.Run("Create keeps an earlier absolute expiry and stores a session without permissions", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		s := NewSessionFixture(t, uuid.NewString(), h.Now())
		s.Permissions = nil
		s.IPAddress, s.UserAgent = "", ""
		s.AbsoluteExpiresAt = s.CreatedAt.Add(30 * time.Minute)
		_, err := h.Store.Create(t.Context(), s)
		require.NoError(t, err)
		assertSameTime(t, s.CreatedAt.Add(30*time.Minute), s.AbsoluteExpiresAt, "AbsoluteExpiresAt")
		assertSameTime(t, s.AbsoluteExpiresAt, s.ExpiresAt, "ExpiresAt")

		got, err := h.Store.Get(t.Context(), s.ID)
		require.NoError(t, err)
		requireSameSession(t, s, got)
	})

	t.Run("Create refuses a session without id, user or creation time", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		tests := []struct {
			name  string
			spoil func(*domain.Session)
		}{
			{"no id", func(s *domain.Session) { s.ID = "" }},
			{"no user id", func(s *domain.Session) { s.UserID = "" }},
			{"no creation time", func(s *domain.Session) { s.CreatedAt = time.Time{} }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := NewSessionFixture(t, uuid.NewString(), h.Now())
				tt.spoil(s)
				_, err := h.Store.Create(t.Context(), s)
				require.Error(t, err)
				require.NotErrorIs(t, err, domain.ErrStoreUnavailable)
			})
		}
	})

	t.Run("an unknown session is invalid and deleting it is a no-op", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		id, userID := NewSessionID(t), uuid.NewString()
		_, err := h.Store.Get(t.Context(), id)
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		_, err = h.Store.Validate(t.Context(), id, h.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		require.NoError(t, h.Store.Delete(t.Context(), id))
		n, err := h.Store.DeleteUser(t.Context(), userID)
		require.NoError(t, err)
		assert.Zero(t, n)
		list, err := h.Store.List(t.Context(), userID)
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	t.Run("Validate refreshes the idle expiry and returns the session", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		s := createSession(t, h, uuid.NewString(), h.Now())
		now := s.CreatedAt.Add(10 * time.Minute)

		got, err := h.Store.Validate(t.Context(), s.ID, now)
		require.NoError(t, err)
		want := *s
		want.LastActivity, want.ExpiresAt = now, now.Add(time.Hour)
		requireSameSession(t, &want, got)

		stored, err := h.Store.Get(t.Context(), s.ID)
		require.NoError(t, err)
		requireSameSession(t, &want, stored)
	})

	t.Run("Validate rewrites lastActivity at most once per activity resolution", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		s := createSession(t, h, uuid.NewString(), h.Now())
		base := s.CreatedAt
		steps := []struct {
			after        time.Duration
			lastActivity time.Duration
			storedExpiry time.Duration
		}{
			{after: 30 * time.Second, lastActivity: 0, storedExpiry: time.Hour},
			{after: 61 * time.Second, lastActivity: 61 * time.Second, storedExpiry: 61*time.Second + time.Hour},
			{after: 90 * time.Second, lastActivity: 61 * time.Second, storedExpiry: 61*time.Second + time.Hour},
			{after: 121 * time.Second, lastActivity: 121 * time.Second, storedExpiry: 121*time.Second + time.Hour},
		}
		for _, step := range steps {
			now := base.Add(step.after)
			got, err := h.Store.Validate(t.Context(), s.ID, now)
			require.NoError(t, err, "validate after %s", step.after)
			assertSameTime(t, base.Add(step.lastActivity), got.LastActivity, "lastActivity after %s", step.after)
			assertSameTime(t, now.Add(time.Hour), got.ExpiresAt, "returned expiry after %s", step.after)

			stored, err := h.Store.Get(t.Context(), s.ID)
			require.NoError(t, err)
			assertSameTime(t, base.Add(step.lastActivity), stored.LastActivity, "stored lastActivity after %s", step.after)
			assertSameTime(t, base.Add(step.storedExpiry), stored.ExpiresAt, "stored expiry after %s", step.after)
		}
	})

	t.Run("Validate never extends past the absolute expiry and refuses after it", func(t *testing.T) {
		t.Parallel()
		policy := sessionPolicy
		policy.MaxLifetime = 2 * time.Hour
		h := newStore(t, policy)
		s := createSession(t, h, uuid.NewString(), h.Now())

		got, err := h.Store.Validate(t.Context(), s.ID, s.CreatedAt.Add(90*time.Minute))
		require.NoError(t, err)
		assertSameTime(t, s.AbsoluteExpiresAt, got.ExpiresAt, "ExpiresAt")

		_, err = h.Store.Validate(t.Context(), s.ID, s.AbsoluteExpiresAt)
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		_, err = h.Store.Get(t.Context(), s.ID)
		require.ErrorIs(t, err, domain.ErrSessionInvalid, "a session found past its absolute expiry is destroyed")
		requireListed(t, h, s.UserID)
	})

	t.Run("an idle session expires", func(t *testing.T) {
		t.Parallel()
		policy := sessionPolicy
		policy.IdleTimeout = time.Second
		h := newStore(t, policy)
		s := createSession(t, h, uuid.NewString(), h.Now())
		_, err := h.Store.Get(t.Context(), s.ID)
		if elapsed := h.Now().Sub(s.CreatedAt); elapsed < policy.IdleTimeout {
			require.NoError(t, err, "the session died %s after creation, before its idle timeout", elapsed)
		}
		requireExpires(t, h, s.ID)
		requireListed(t, h, s.UserID)
	})

	t.Run("the absolute expiry ends a session without any further call", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		s := createSession(t, h, uuid.NewString(), h.Now())
		got, err := h.Store.Validate(t.Context(), s.ID, s.AbsoluteExpiresAt.Add(-300*time.Millisecond))
		require.NoError(t, err)
		assertSameTime(t, s.AbsoluteExpiresAt, got.ExpiresAt, "ExpiresAt")
		requireExpires(t, h, s.ID)
	})

	t.Run("Delete destroys one session and its index entry", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		userID := uuid.NewString()
		a := createSession(t, h, userID, h.Now())
		b := createSession(t, h, userID, a.CreatedAt.Add(time.Second))

		require.NoError(t, h.Store.Delete(t.Context(), a.ID))
		_, err := h.Store.Validate(t.Context(), a.ID, h.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		requireIndexLen(t, h, userID, 1)
		requireListed(t, h, userID, b.ID)
		require.NoError(t, h.Store.Delete(t.Context(), a.ID), "deleting twice")
	})

	t.Run("DeleteUser destroys all and only that user's sessions", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		userID, otherID := uuid.NewString(), uuid.NewString()
		var ids []string
		for i := range 3 {
			ids = append(ids, createSession(t, h, userID, h.Now().Add(time.Duration(i)*time.Second)).ID)
		}
		other := createSession(t, h, otherID, h.Now())

		n, err := h.Store.DeleteUser(t.Context(), userID)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		for _, id := range ids {
			_, err := h.Store.Validate(t.Context(), id, h.Now())
			require.ErrorIs(t, err, domain.ErrSessionInvalid)
		}
		requireIndexLen(t, h, userID, 0)
		requireListed(t, h, userID)
		requireListed(t, h, otherID, other.ID)

		n, err = h.Store.DeleteUser(t.Context(), userID)
		require.NoError(t, err)
		assert.Zero(t, n, "deleting twice")
	})

	t.Run("List returns the live sessions newest first", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		userID := uuid.NewString()
		base := h.Now()
		var created []*domain.Session
		for _, offset := range []time.Duration{time.Second, 0, 2 * time.Second} {
			created = append(created, createSession(t, h, userID, base.Add(offset)))
		}
		list, err := h.Store.List(t.Context(), userID)
		require.NoError(t, err)
		require.Len(t, list, 3)
		for i, want := range []*domain.Session{created[2], created[0], created[1]} {
			requireSameSession(t, want, &list[i])
		}
	})

	t.Run("Create evicts the oldest sessions beyond the limit", func(t *testing.T) {
		t.Parallel()
		policy := sessionPolicy
		policy.MaxPerUser = 2
		h := newStore(t, policy)
		userID := uuid.NewString()
		base := h.Now()
		a := createSession(t, h, userID, base)
		b := createSession(t, h, userID, base.Add(time.Second))

		c := NewSessionFixture(t, userID, base.Add(2*time.Second))
		evicted, err := h.Store.Create(t.Context(), c)
		require.NoError(t, err)
		assert.Equal(t, []string{a.ID}, evicted)
		_, err = h.Store.Validate(t.Context(), a.ID, h.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
		requireIndexLen(t, h, userID, 2)
		requireListed(t, h, userID, c.ID, b.ID)
	})

	t.Run("a session created with a lagging clock is never its own victim", func(t *testing.T) {
		t.Parallel()
		policy := sessionPolicy
		policy.MaxPerUser = 2
		h := newStore(t, policy)
		userID := uuid.NewString()
		base := h.Now()
		a := createSession(t, h, userID, base)
		b := createSession(t, h, userID, base.Add(time.Second))

		late := NewSessionFixture(t, userID, base.Add(-time.Second))
		evicted, err := h.Store.Create(t.Context(), late)
		require.NoError(t, err)
		assert.Equal(t, []string{a.ID}, evicted)
		requireListed(t, h, userID, b.ID, late.ID)
	})

	t.Run("expired sessions are pruned from the index, not counted against the limit", func(t *testing.T) {
		t.Parallel()
		policy := sessionPolicy
		policy.MaxPerUser = 2
		h := newStore(t, policy)
		userID := uuid.NewString()
		base := h.Now()
		a := createSession(t, h, userID, base)
		b := createSession(t, h, userID, base.Add(time.Second))
		expireSoon(t, h, a)
		requireExpires(t, h, a.ID)

		c := NewSessionFixture(t, userID, base.Add(2*time.Second))
		evicted, err := h.Store.Create(t.Context(), c)
		require.NoError(t, err)
		assert.Empty(t, evicted, "the expired session makes room; no live one is evicted")
		requireIndexLen(t, h, userID, 2)

		expireSoon(t, h, b)
		requireExpires(t, h, b.ID)
		requireListed(t, h, userID, c.ID)
		requireIndexLen(t, h, userID, 1)
	})

	t.Run("100 concurrent creations for one user leave exactly the limit alive", func(t *testing.T) {
		t.Parallel()
		h := newStore(t, sessionPolicy)
		userID := uuid.NewString()
		const logins = 100
		fixtures := make([]*domain.Session, logins)
		ids := make([]string, logins)
		for i := range fixtures {
			fixtures[i] = NewSessionFixture(t, userID, time.Time{})
			ids[i] = fixtures[i].ID
		}
		evictedBy := make([][]string, logins)
		errs := make([]error, logins)
		var wg sync.WaitGroup
		for i, s := range fixtures {
			wg.Go(func() {
				s.CreatedAt = h.Now()
				evictedBy[i], errs[i] = h.Store.Create(t.Context(), s)
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}

		evicted := make(map[string]bool)
		for _, list := range evictedBy {
			for _, id := range list {
				evicted[id] = true
			}
		}
		var live []string
		for _, id := range ids {
			_, err := h.Store.Validate(t.Context(), id, h.Now())
			switch {
			case err == nil:
				live = append(live, id)
				assert.False(t, evicted[id], "session %s was reported evicted but is valid", id)
			case errors.Is(err, domain.ErrSessionInvalid):
				assert.True(t, evicted[id], "session %s is invalid but no Create reported evicting it", id)
			default:
				require.NoError(t, err)
			}
		}
		assert.Len(t, live, sessionPolicy.MaxPerUser)
		assert.Len(t, evicted, logins-sessionPolicy.MaxPerUser)
		requireIndexLen(t, h, userID, sessionPolicy.MaxPerUser)

		list, err := h.Store.List(t.Context(), userID)
		require.NoError(t, err)
		listed := make([]string, len(list))
		for i := range list {
			listed[i] = list[i].ID
		}
		assert.ElementsMatch(t, live, listed)
		assert.True(t, slices.IsSortedFunc(list, func(a, b domain.Session) int { return b.CreatedAt.Compare(a.CreatedAt) }),
			"List is newest first")
	})
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

// expireSoon makes s expire 200 ms of store time from now, by validating it just before
// its absolute expiry.
func expireSoon(t *testing.T, h SessionHarness, s *domain.Session) {
	t.Helper()
	_, err := h.Store.Validate(t.Context(), s.ID, s.AbsoluteExpiresAt.Add(-200*time.Millisecond))
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

// requireIndexLen checks the raw size of userID's index when the harness can see it.
func requireIndexLen(t *testing.T, h SessionHarness, userID string, want int) {
	t.Helper()
	if h.IndexLen == nil {
		return
	}
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
