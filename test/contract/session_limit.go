package contract

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// sessionConcurrentLogins is how many creations for one user run at once.
const sessionConcurrentLogins = 100

// sessionCreateEvictsOldest checks that Create evicts the oldest sessions beyond the
// limit, reports them and removes them from the index.
func sessionCreateEvictsOldest(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionLaggingCreationSurvives checks that a session created with a lagging clock,
// older than every other, is never its own victim.
func sessionLaggingCreationSurvives(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionExpiredArePruned checks that expired sessions are pruned from the index and not
// counted against the limit.
func sessionExpiredArePruned(t *testing.T, newStore SessionStoreFactory) {
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
}

// sessionConcurrentCreations checks that 100 concurrent creations for one user leave
// exactly the limit alive, each of the others reported evicted by some Create.
func sessionConcurrentCreations(t *testing.T, newStore SessionStoreFactory) {
	h := newStore(t, sessionPolicy)
	userID := uuid.NewString()
	fixtures := make([]*domain.Session, sessionConcurrentLogins)
	ids := make([]string, sessionConcurrentLogins)
	for i := range fixtures {
		fixtures[i] = NewSessionFixture(t, userID, time.Time{})
		ids[i] = fixtures[i].ID
	}
	evictedBy := make([][]string, sessionConcurrentLogins)
	errs := make([]error, sessionConcurrentLogins)
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
	requireLimitHeld(t, h, userID, ids, evictedBy, sessionPolicy.MaxPerUser)
}

// sessionLimitHoldsWhenInterleaved checks that the limit holds when one Create runs whole
// between any two steps of another: however the store splits deciding what to evict from
// storing the new session, the two newest sessions survive a race for a user at the limit
// of two, and each evicted one is reported.
func sessionLimitHoldsWhenInterleaved(t *testing.T, newStore SessionStoreFactory) {
	policy := sessionPolicy
	policy.MaxPerUser = 2
	h := newStore(t, policy)
	forceInterleavings(t, h.OnStep, func() race {
		userID := uuid.NewString()
		base := h.Now()
		older := []*domain.Session{createSession(t, h, userID, base), createSession(t, h, userID, base.Add(time.Second))}
		first := NewSessionFixture(t, userID, base.Add(2*time.Second))
		second := NewSessionFixture(t, userID, base.Add(3*time.Second))
		evictedBy := make([][]string, 2)
		errs := make([]error, 2)
		return race{
			first:  func() { evictedBy[0], errs[0] = h.Store.Create(t.Context(), first) },
			second: func() { evictedBy[1], errs[1] = h.Store.Create(t.Context(), second) },
			check: func() {
				require.NoError(t, errors.Join(errs...))
				ids := []string{older[0].ID, older[1].ID, first.ID, second.ID}
				requireLimitHeld(t, h, userID, ids, evictedBy, policy.MaxPerUser)
				requireListed(t, h, userID, second.ID, first.ID)
			},
		}
	})
}

// requireLimitHeld checks what creations of userID's sessions ids left behind: exactly
// limit of them alive, every other one invalid and reported evicted by some Create (and
// none reported evicted alive), an index of exactly the live ones, and List returning
// them newest first.
func requireLimitHeld(t *testing.T, h SessionHarness, userID string, ids []string, evictedBy [][]string, limit int) {
	t.Helper()
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
	assert.Len(t, live, limit)
	assert.Len(t, evicted, len(ids)-limit)
	requireIndexLen(t, h, userID, limit)

	list, err := h.Store.List(t.Context(), userID)
	require.NoError(t, err)
	listed := make([]string, len(list))
	for i := range list {
		listed[i] = list[i].ID
	}
	assert.ElementsMatch(t, live, listed)
	assert.True(t, slices.IsSortedFunc(list, func(a, b domain.Session) int { return b.CreatedAt.Compare(a.CreatedAt) }),
		"List is newest first")
}
