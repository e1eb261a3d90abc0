package memory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
)

// recordingObserver totals what a session store reports; the store calls it under its
// lock, so it needs none of its own.
type recordingObserver struct {
	created, evicted, expired int
}

func (o *recordingObserver) SessionCreated(evicted int) {
	o.created++
	o.evicted += evicted
}

func (o *recordingObserver) SessionsExpired(n int) { o.expired += n }

func TestMemorySessionStore_ReportsToItsObserver(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(sessionEpoch)
	observer := &recordingObserver{}
	store := memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Minute, MaxLifetime: time.Hour, ActivityResolution: time.Second, MaxPerUser: 2,
	}, clk, observer)
	create := func() *domain.Session {
		t.Helper()
		s := contract.NewSessionFixture(t, "u1", clk.Now())
		_, err := store.Create(t.Context(), s)
		require.NoError(t, err)
		clk.Advance(time.Second)
		return s
	}
	totals := func() [3]int { return [3]int{observer.created, observer.evicted, observer.expired} }

	create()
	clk.Advance(2 * time.Minute) // the first session dies idle
	create()
	assert.Equal(t, [3]int{2, 0, 1}, totals(), "the expired session is removed when the user logs in again")

	create()
	create()
	assert.Equal(t, [3]int{4, 1, 1}, totals(), "the oldest live session is evicted")

	clk.Advance(2 * time.Minute)
	_, err := store.List(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, [3]int{4, 1, 3}, totals(), "List removes both expired sessions")
}
