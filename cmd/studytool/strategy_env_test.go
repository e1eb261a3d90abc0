package main_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/testenv"
)

// strategyEnvironment is the example environment of the caching strategy, verbatim:
// durations as bare seconds, an empty password, the prefix pyramid:dev:.
const strategyEnvironment = `REDIS_HOST=localhost
REDIS_PORT=6379
REDIS_PASSWORD=
REDIS_DB=0
REDIS_CACHE_TTL=300
REDIS_KEY_PREFIX=pyramid:dev:
SESSION_TIMEOUT=3600`

// strategyPrefix is the REDIS_KEY_PREFIX of strategyEnvironment.
const strategyPrefix = "pyramid:dev:"

// TestServeWithTheStrategyEnvironment_Postgres_Redis starts `studytool serve` with the
// strategy's example environment pasted unchanged, registers and logs in over HTTP,
// reads the profile (a cached read), and checks with a client of its own what the
// service wrote to Redis: the session and the cached profile under pyramid:dev:, the
// session's TTL the 3600 s of SESSION_TIMEOUT and the profile's the 300 s of
// REDIS_CACHE_TTL within the cache's ±10 % jitter. APP_ENV is test (the block names
// none), whose defaults are 5m and 1m: the TTLs show the bare seconds were read. Were
// bare seconds refused again, the service would not start and the test would fail.
func TestServeWithTheStrategyEnvironment_Postgres_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	environ := map[string]string{}
	for _, line := range strings.Split(strategyEnvironment, "\n") {
		name, value, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		environ[name] = value
	}
	// Where the block names the local server, the test points at the test Redis: its host
	// and port, and its database number instead of REDIS_DB=0, which tests never write.
	opts := testenv.RedisOptions(t)
	host, port, ok := strings.Cut(opts.Addr, ":")
	require.True(t, ok, opts.Addr)
	environ["REDIS_HOST"], environ["REDIS_PORT"], environ["REDIS_DB"] = host, port, strconv.Itoa(opts.DB)
	environ["DATABASE_URL"] = testenv.Postgres(t)

	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		t.Skipf("Redis at %s: %v", opts.Addr, err) // testenv.Postgres already required the backends
	}
	// The prefix is the block's, not one of the test's own: start and end without its keys.
	testenv.DeletePrefix(t, client, strategyPrefix)
	t.Cleanup(func() {
		testenv.DeletePrefix(t, client, strategyPrefix)
		_ = client.Close()
	})

	server := apptest.StartProcess(t, bin, environ)
	user := server.Client(t)
	user.Register("pyramid@example.com")
	login := user.Login("pyramid@example.com")
	user.Token = login.Token
	require.Equal(t, http.StatusOK, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)

	mine := prefixKeys(t, client, strategyPrefix+"*")
	require.NotEmpty(t, mine, "the service wrote under %s", strategyPrefix)
	sessions := prefixKeys(t, client, strategyPrefix+"session:*")
	require.Len(t, sessions, 1, "one login, one session key: %v", mine)
	ttl, err := client.TTL(t.Context(), sessions[0]).Result()
	require.NoError(t, err)
	assert.InDelta(t, 3600, ttl.Seconds(), 10, "%s: TTL %s is SESSION_TIMEOUT=3600", sessions[0], ttl)

	profiles := prefixKeys(t, client, strategyPrefix+"cache:user:profile:*")
	require.NotEmpty(t, profiles, "the profile read filled the cache: %v", mine)
	for _, key := range profiles {
		ttl, err := client.TTL(t.Context(), key).Result()
		require.NoError(t, err)
		// CACHE_TTL_JITTER (default 0.1, not in the block) scales each entry's TTL by a
		// random factor within ±10 %: REDIS_CACHE_TTL=300 gives 270 s to 330 s, far from
		// the test environment's default of 1m.
		assert.InDelta(t, 300, ttl.Seconds(), 30+1, "%s: TTL %s is REDIS_CACHE_TTL=300 ±10 %%", key, ttl)
	}
	server.Stop(t)
}
