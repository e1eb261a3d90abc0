package contract

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// sessionCreateCompletesExpiry checks that Create completes the expiry fields and that
// Get returns every field.
func sessionCreateCompletesExpiry(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionCreateKeepsEarlierAbsolute checks that Create keeps an absolute expiry earlier
// than the policy's and stores a session without permissions.
func sessionCreateKeepsEarlierAbsolute(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionCreateRefusesIncomplete checks that Create refuses a session without id, user
// or creation time, and that the refusal is not an outage.
func sessionCreateRefusesIncomplete(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionUnknownIsInvalid checks that an unknown session is invalid to every read and
// that deleting it, or an unknown user's sessions, is a no-op.
func sessionUnknownIsInvalid(t *testing.T, newStore SessionStoreFactory) {
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
}
