package contract

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

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

		stored, err := h.Store.Get(t.Context(), s.ID)
		require.NoError(t, err)
		assertSameTime(t, base.Add(step.lastActivity), stored.LastActivity, "stored lastActivity after %s", step.after)
		assertSameTime(t, base.Add(step.storedExpiry), stored.ExpiresAt, "stored expiry after %s", step.after)
	}
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
