package observability_test

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/test/testenv"
)

// slowLine is one slow-operation log record.
type slowLine struct {
	Level      string `json:"level"`
	Msg        string `json:"msg"`
	Role       string `json:"role"`
	Command    string `json:"command"`
	KeyPattern string `json:"keyPattern"`
	Duration   int64  `json:"duration"`
	Commands   int    `json:"commands"`
}

// hookedClient returns a real Redis client whose commands pass through a hook of role
// state with the given slow threshold, the keyspace of its test prefix, the registry
// and the log the hook writes.
func hookedClient(t *testing.T, threshold time.Duration) (*redis.Client, keyspace.Keyspace, *observability.Metrics, *logBuffer) {
	t.Helper()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	m := newMetrics(t)
	logs := &logBuffer{}
	client.AddHook(observability.NewRedisHook(m, observability.RedisHookConfig{
		Role:          observability.RoleState,
		Keyspace:      ks,
		SlowThreshold: threshold,
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
	}))
	return client, ks, m, logs
}

func decodeSlowLines(t *testing.T, logs *logBuffer) []slowLine {
	t.Helper()
	var out []slowLine
	for _, raw := range logs.lines() {
		var l slowLine
		require.NoError(t, json.Unmarshal([]byte(raw), &l), raw)
		out = append(out, l)
	}
	return out
}

func TestSlowOperationLogNamesTheKeyPatternNeverTheKey_Redis(t *testing.T) {
	t.Parallel()
	client, ks, _, logs := hookedClient(t, time.Nanosecond)
	const (
		sessionID = "5e55101d0000000000000000000000000000000000000000000000000000abcd"
		userID    = "user-4711"
		secret    = "bearer-token-value"
	)
	sessionKey, err := ks.Session(sessionID)
	require.NoError(t, err)
	indexKey, err := ks.UserSessions(userID)
	require.NoError(t, err)
	ctx := t.Context()

	require.NoError(t, client.HSet(ctx, sessionKey, "token", secret).Err())
	_, err = client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, indexKey, redis.Z{Score: 1, Member: sessionID})
		p.PExpire(ctx, sessionKey, time.Minute)
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, redis.NewScript(`return redis.call('EXISTS', KEYS[1])`).Run(ctx, client, []string{sessionKey}, secret).Err())
	require.NoError(t, client.Ping(ctx).Err())

	// Opening a connection runs commands of its own (HELLO, an initialisation pipeline):
	// they are timed and logged too, so the assertions pick the lines of this test's
	// commands.
	lines := decodeSlowLines(t, logs)
	for _, l := range lines {
		assert.Equal(t, "WARN", l.Level)
		assert.Equal(t, "slow redis operation", l.Msg)
		assert.Equal(t, "state", l.Role)
		assert.Positive(t, l.Duration)
	}
	sessions, index := ks.Prefix()+"session:*", ks.Prefix()+"user:sessions:*"
	assert.Contains(t, picked(lines), slowLine{Command: "hset", KeyPattern: sessions})
	assert.Contains(t, picked(lines), slowLine{Command: "pipeline", KeyPattern: index + "," + sessions, Commands: 2})
	assert.Contains(t, picked(lines), slowLine{Command: "evalsha", KeyPattern: sessions}, "a script's key comes after its key count")
	assert.Contains(t, picked(lines), slowLine{Command: "ping"}, "a keyless command has no pattern")

	out := logs.String()
	for _, leak := range []string{sessionID, userID, secret} {
		assert.NotContains(t, out, leak, "the slow-operation log must not reveal ids, tokens or values")
	}
}

// picked keeps the fields of lines that do not depend on timing.
func picked(lines []slowLine) []slowLine {
	out := make([]slowLine, len(lines))
	for i, l := range lines {
		out[i] = slowLine{Command: l.Command, KeyPattern: l.KeyPattern, Commands: l.Commands}
	}
	return out
}

func TestSlowOperationLogStaysQuietBelowTheThreshold_Redis(t *testing.T) {
	t.Parallel()
	for name, threshold := range map[string]time.Duration{"far above any command": time.Hour, "disabled": 0} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, ks, m, logs := hookedClient(t, threshold)
			key, err := ks.Progress("u1", "c1")
			require.NoError(t, err)
			require.NoError(t, client.Set(t.Context(), key, "1", time.Minute).Err())

			assert.Empty(t, logs.String())
			families := gather(t, m)
			assert.NotContains(t, families, "studytool_redis_slow_commands_total")
			set := series(families, "studytool_redis_command_duration_seconds", map[string]string{"role": "state", "command": "set"})
			require.NotNil(t, set, "every command is timed whatever the threshold")
			assert.Equal(t, uint64(1), set.GetHistogram().GetSampleCount())
		})
	}
}

func TestRedisHookTimesTransactionsAsMulti_Redis(t *testing.T) {
	t.Parallel()
	client, ks, m, _ := hookedClient(t, 0)
	key, err := ks.Session("abc")
	require.NoError(t, err)
	_, err = client.TxPipelined(t.Context(), func(p redis.Pipeliner) error {
		p.Set(t.Context(), key, "1", time.Minute)
		p.Get(t.Context(), key)
		return nil
	})
	require.NoError(t, err)

	families := gather(t, m)
	multi := series(families, "studytool_redis_command_duration_seconds", map[string]string{"role": "state", "command": "multi"})
	require.NotNil(t, multi)
	assert.Equal(t, uint64(1), multi.GetHistogram().GetSampleCount(), "a transaction is one operation")
	assert.Nil(t, series(families, "studytool_redis_command_duration_seconds", map[string]string{"command": "set"}),
		"commands inside a transaction are not timed one by one")
}
