package contract

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// sessionTimedIdle is the idle timeout of the properties that watch a session live by
// the store's time: long enough that a slow round trip does not decide their outcome,
// short enough to wait for.
const sessionTimedIdle = 2 * time.Second

// sessionTimedAttempts is how many times such a property starts over when the machine
// stalled long enough to leave its outcome open.
const sessionTimedAttempts = 3

// sessionValidateRefreshes checks that Validate refreshes the idle expiry, returns the
// session and stores what it returned.
func sessionValidateRefreshes(t *testing.T, newStore SessionStoreFactory) {
	h := newStore(t, sessionPolicy)
	s := createSession(t, h, uuid.NewString(), h.Now())
	now := s.CreatedAt.Add(10 * time.Minute)

	got, err := h.Store.Validate(t.Context(), s.ID, now)
	require.NoError(t, err)
	want := *s
	want.LastActivity, want.ExpiresAt = now, now.Add(time.Hour)
	requireSameSession(t, &want, got)

	settle(t, h)
	stored, err := h.Store.Get(t.Context(), s.ID)
	require.NoError(t, err)
	requireSameSession(t, &want, stored)
}

// sessionValidateRewritesOncePerResolution checks that Validate rewrites lastActivity
// and the stored expiry at most once per activity resolution, while always returning
// the refreshed expiry.
func sessionValidateRewritesOncePerResolution(t *testing.T, newStore SessionStoreFactory) {
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

		settle(t, h)
		stored, err := h.Store.Get(t.Context(), s.ID)
		require.NoError(t, err)
		assertSameTime(t, base.Add(step.lastActivity), stored.LastActivity, "stored lastActivity after %s", step.after)
		assertSameTime(t, base.Add(step.storedExpiry), stored.ExpiresAt, "stored expiry after %s", step.after)
	}
}

// sessionValidateKeepsAlive checks that every successful Validate keeps the session
// alive for the idle timeout of store time from the call: also a Validate within the
// activity resolution, which rewrites nothing.
func sessionValidateKeepsAlive(t *testing.T, newStore SessionStoreFactory) {
	tests := []struct {
		name       string
		resolution time.Duration
	}{
		{"within the activity resolution", time.Hour},
		{"past the activity resolution", time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			policy := sessionPolicy
			policy.IdleTimeout, policy.ActivityResolution = sessionTimedIdle, tt.resolution
			h := newStore(t, policy)
			for range sessionTimedAttempts {
				if sessionAliveAfterValidate(t, h) {
					return
				}
			}
			t.Fatalf("the store's time ran too unevenly in %d attempts to tell whether Validate keeps a session alive",
				sessionTimedAttempts)
		})
	}
}

// sessionAliveAfterValidate creates a session, validates it once 60 % of the idle
// timeout has passed, and checks that it is alive once another 60 % has: past the expiry
// its creation set, within the one the Validate set. It reports false when the store's
// time ran so unevenly (a stalled machine) that the outcome proves nothing.
func sessionAliveAfterValidate(t *testing.T, h SessionHarness) bool {
	t.Helper()
	created := h.Now()
	s := createSession(t, h, uuid.NewString(), created)
	h.Sleep(sessionTimedIdle * 6 / 10)
	validated := h.Now()
	_, err := h.Store.Validate(t.Context(), s.ID, validated)
	if !h.Now().Before(created.Add(sessionTimedIdle)) {
		return false // the session may have died idle before the Validate reached the store
	}
	require.NoError(t, err, "validate %s after creation", validated.Sub(created))
	settle(t, h)

	h.Sleep(sessionTimedIdle * 6 / 10)
	_, err = h.Store.Get(t.Context(), s.ID)
	if !h.Now().Before(validated.Add(sessionTimedIdle)) {
		return false // the idle timeout the Validate set may have run out
	}
	require.NoError(t, err, "the session died before the idle timeout (%s) after a successful Validate", sessionTimedIdle)
	return true
}

// sessionValidateRefusesIdle checks that Validate refuses a session whose idle timeout
// has passed even when nothing has removed it yet: no call touches the session between
// its creation and the Validate.
func sessionValidateRefusesIdle(t *testing.T, newStore SessionStoreFactory) {
	policy := sessionPolicy
	policy.IdleTimeout = time.Second
	h := newStore(t, policy)
	s := createSession(t, h, uuid.NewString(), h.Now())
	sleepUntil(h, h.Now().Add(policy.IdleTimeout+sessionClockSlack))

	_, err := h.Store.Validate(t.Context(), s.ID, h.Now())
	require.ErrorIs(t, err, domain.ErrSessionInvalid, "a session idle past its timeout is invalid, removed yet or not")
	_, err = h.Store.Get(t.Context(), s.ID)
	require.ErrorIs(t, err, domain.ErrSessionInvalid, "the refused Validate revived the session")
	requireListed(t, h, s.UserID)
}

// sessionValidateStopsAtAbsolute checks that Validate never extends a session past its
// absolute expiry, refuses it from then on and destroys it.
func sessionValidateStopsAtAbsolute(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionIdleExpires checks that a session nobody uses expires after its idle timeout
// and leaves its user's list.
func sessionIdleExpires(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionAbsoluteExpiryEnds checks that the absolute expiry ends a session without any
// further call.
func sessionAbsoluteExpiryEnds(t *testing.T, newStore SessionStoreFactory) {
	h := newStore(t, sessionPolicy)
	s := createSession(t, h, uuid.NewString(), h.Now())
	got, err := h.Store.Validate(t.Context(), s.ID, s.AbsoluteExpiresAt.Add(-300*time.Millisecond))
	require.NoError(t, err)
	assertSameTime(t, s.AbsoluteExpiresAt, got.ExpiresAt, "ExpiresAt")
	requireExpires(t, h, s.ID)
}
