package bootstrap_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/test/testenv"
)

// TestSessionSweepRunsOnSchedule: with SESSION_SWEEP_INTERVAL set, the running service
// prunes the entries of expired sessions from the users' indexes and counts them; it
// stops with the application (TestMain checks no goroutine is left).
func TestSessionSweepRunsOnSchedule(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	index, err := ks.UserSessions("u1")
	require.NoError(t, err)
	live, err := ks.Session("live")
	require.NoError(t, err)
	require.NoError(t, client.Set(t.Context(), live, "x", time.Hour).Err())
	require.NoError(t, client.ZAdd(t.Context(), index, redis.Z{Score: 1, Member: "live"}, redis.Z{Score: 2, Member: "expired"}).Err())

	opts := client.Options()
	app, stop := startObservedApp(t, map[string]string{
		"REDIS_URL":              "redis://" + opts.Addr + "/" + strconv.Itoa(opts.DB),
		"REDIS_KEY_PREFIX":       prefix,
		"SESSION_SWEEP_INTERVAL": "1s",
	})
	require.Eventually(t, func() bool {
		return client.ZCard(t.Context(), index).Val() == 1
	}, 10*time.Second, 50*time.Millisecond, "the expired entry is pruned")
	assert.Equal(t, []string{"live"}, client.ZRange(t.Context(), index, 0, -1).Val())
	exposition := app.scrape(t)
	assert.InDelta(t, 1, sample(t, exposition, `studytool_session_index_pruned_total{index="user_sessions"}`), 0)
	assert.GreaterOrEqual(t, sample(t, exposition, `studytool_session_index_sweeps_total{outcome="swept"}`), 1.0)
	stop()
}
