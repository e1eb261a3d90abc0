package redisstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// onStandalone connects to the test Redis under a private prefix.
func TestIndexSweeper_PrunesDeadMembers(t *testing.T)         { runIndexSweep(t, onStandalone) }
func TestCluster_IndexSweeper_PrunesDeadMembers(t *testing.T) { runIndexSweep(t, onCluster) }

// plantedIndexes are index entries planted for users u1 and u2: live members have their
// session key, dead ones do not.
type plantedIndexes struct {
	userIndex, studyIndex string
	liveSession, studyKey string
}

// plantIndexes writes, for two users, a session index holding one live and one dead
// session and a study-session index holding one live and two dead study sessions.
func plantIndexes(t *testing.T, client redis.UniversalClient, ks keyspace.Keyspace) plantedIndexes {
	t.Helper()
	ctx := t.Context()
	var p plantedIndexes
	for _, user := range []string{"u1", "u2"} {
		p.userIndex = must(ks.UserSessions(user))
		p.studyIndex = must(ks.StudySessionIndex(user))
		p.liveSession = must(ks.Session("live-" + user))
		p.studyKey = must(ks.StudySession(user, "s-live"))
		require.NoError(t, client.Set(ctx, p.liveSession, "x", time.Hour).Err())
		require.NoError(t, client.Set(ctx, p.studyKey, "x", time.Hour).Err())
		require.NoError(t, client.ZAdd(ctx, p.userIndex, redis.Z{Score: 1, Member: "live-" + user}, redis.Z{Score: 2, Member: "dead-" + user}).Err())
		require.NoError(t, client.ZAdd(ctx, p.studyIndex,
			redis.Z{Score: 1, Member: "s-live"}, redis.Z{Score: 2, Member: "s-dead1"}, redis.Z{Score: 3, Member: "s-dead2"}).Err())
	}
	return p
}

func must(key string, err error) string {
	if err != nil {
		panic(err)
	}
	return key
}

func runIndexSweep(t *testing.T, connect connectFunc) {
	t.Helper()
	t.Parallel()
	client, ks := connect(t)
	p := plantIndexes(t, client, ks)
	sweeper := redisstore.NewIndexSweeper(client, ks, time.Minute)

	report, err := sweeper.Sweep(t.Context())
	require.NoError(t, err)
	assert.Equal(t, redisstore.SweepReport{UserSessions: 2, StudySessions: 4}, report)
	assert.Equal(t, []string{"live-u2"}, client.ZRange(t.Context(), p.userIndex, 0, -1).Val())
	assert.Equal(t, []string{"s-live"}, client.ZRange(t.Context(), p.studyIndex, 0, -1).Val())
	assert.Equal(t, int64(1), client.Exists(t.Context(), p.studyKey).Val(), "study session keys are not indexes")

	_, err = redisstore.NewIndexSweeper(client, ks, time.Minute).Sweep(t.Context())
	require.ErrorIs(t, err, redisstore.ErrSweepLocked, "one sweep per lease")
	lockTTL := client.PTTL(t.Context(), must(ks.Lock("session-sweep"))).Val()
	assert.InDelta(t, time.Minute.Seconds(), lockTTL.Seconds(), 5, "the lock is kept for its lease")
}

func TestIndexSweeper_ConcurrentSweepersRunOnce(t *testing.T) {
	t.Parallel()
	client, ks := onStandalone(t)
	plantIndexes(t, client, ks)
	const sweepers = 4
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		ran    int
		locked int
		pruned int
	)
	for range sweepers {
		wg.Go(func() {
			report, err := redisstore.NewIndexSweeper(client, ks, time.Minute).Sweep(t.Context())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ran++
				pruned += report.UserSessions + report.StudySessions
			case assert.ErrorIs(t, err, redisstore.ErrSweepLocked):
				locked++
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, ran, "one sweeper runs")
	assert.Equal(t, sweepers-1, locked, "the others find the lock held")
	assert.Equal(t, 6, pruned)
}
