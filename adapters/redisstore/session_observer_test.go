package redisstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

// recordingObserver totals what a session store reports.
type recordingObserver struct {
	mu                        sync.Mutex
	created, evicted, expired int
}

func (o *recordingObserver) SessionCreated(evicted int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.created++
	o.evicted += evicted
}

func (o *recordingObserver) SessionsExpired(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.expired += n
}

func (o *recordingObserver) totals() [3]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return [3]int{o.created, o.evicted, o.expired}
}

func TestRedisSessionStore_ReportsToItsObserver(t *testing.T) {
	for _, path := range sessionPaths {
		t.Run(path.name, func(t *testing.T) {
			t.Parallel()
			client, prefix := testenv.Redis(t)
			ks := keyspace.MustNew("", prefix)
			policy := sessionTestPolicy
			policy.MaxPerUser = 2
			observer := &recordingObserver{}
			store := path.newStore(client, ks, policy, observer)

			userID := uuid.NewString()
			start := time.Now()
			create := func(offset time.Duration) *domain.Session {
				t.Helper()
				s := contract.NewSessionFixture(t, userID, start.Add(offset))
				_, err := store.Create(t.Context(), s)
				require.NoError(t, err)
				return s
			}
			// expire makes s vanish as an expired session does, leaving its index entry.
			expire := func(s *domain.Session) {
				t.Helper()
				key, err := ks.Session(s.ID)
				require.NoError(t, err)
				require.NoError(t, client.Del(t.Context(), key).Err())
			}

			a := create(0)
			create(time.Millisecond)
			assert.Equal(t, [3]int{2, 0, 0}, observer.totals(), "two sessions created")

			expire(a)
			c := create(2 * time.Millisecond)
			assert.Equal(t, [3]int{3, 0, 1}, observer.totals(), "the expired session is pruned, making room")

			create(3 * time.Millisecond)
			assert.Equal(t, [3]int{4, 1, 1}, observer.totals(), "the oldest live session is evicted")

			expire(c)
			_, err := store.List(t.Context(), userID)
			require.NoError(t, err)
			assert.Equal(t, [3]int{4, 1, 2}, observer.totals(), "List prunes the expired session")
		})
	}
}
