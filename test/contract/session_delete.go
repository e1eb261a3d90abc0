package contract

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// sessionDeleteDestroysOne checks that Delete destroys one session and its index entry,
// and that deleting it again is a no-op.
func sessionDeleteDestroysOne(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionDeleteUserDestroysOnlyThatUser checks that DeleteUser destroys all and only
// that user's sessions, with their index, and counts them.
func sessionDeleteUserDestroysOnlyThatUser(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionDeleteUserCountsLive checks that DeleteUser counts the live sessions it
// destroyed and not a session that expired while still in the user's index: no call
// touches the expired session between its expiry and the DeleteUser.
func sessionDeleteUserCountsLive(t *testing.T, newStore SessionStoreFactory) {
	h := newStore(t, sessionPolicy)
	userID := uuid.NewString()
	base := h.Now()
	expired := createSession(t, h, userID, base)
	live := []*domain.Session{
		createSession(t, h, userID, base.Add(time.Second)),
		createSession(t, h, userID, base.Add(2*time.Second)),
	}
	expireSoon(t, h, expired)
	sleepUntil(h, h.Now().Add(sessionExpireSoon+sessionClockSlack))

	n, err := h.Store.DeleteUser(t.Context(), userID)
	require.NoError(t, err)
	assert.Equal(t, len(live), n, "only live sessions count, not an expired one left in the index")
	for _, s := range live {
		_, err := h.Store.Validate(t.Context(), s.ID, h.Now())
		require.ErrorIs(t, err, domain.ErrSessionInvalid)
	}
	requireIndexLen(t, h, userID, 0)
	requireListed(t, h, userID)
}

// sessionListNewestFirst checks that List returns the live sessions newest first,
// whatever the order they were created in.
func sessionListNewestFirst(t *testing.T, newStore SessionStoreFactory) {
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
}
