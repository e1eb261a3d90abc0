package redisstore_test

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

// sessionTestPolicy is the policy of the Redis-specific session tests.
var sessionTestPolicy = domain.SessionPolicy{
	IdleTimeout:        time.Hour,
	MaxLifetime:        24 * time.Hour,
	ActivityResolution: time.Minute,
	MaxPerUser:         5,
}

// sessionPaths are the two ways the store runs: atomic scripts on a single node, and the
// Cluster path, forced here on a standalone server.
var sessionPaths = []struct {
	name     string
	newStore func(redis.UniversalClient, keyspace.Keyspace, domain.SessionPolicy, ports.SessionObserver) *redisstore.SessionStore
}{
	{"single node", redisstore.NewSessionStore},
	{"cluster-safe path", redisstore.NewSlotSafeSessionStore},
}

func TestRedisSessionStore_Contract(t *testing.T) {
	for _, path := range sessionPaths {
		t.Run(path.name, func(t *testing.T) {
			contract.SessionStore(t, func(t *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
				t.Helper()
				client, prefix := testenv.Redis(t)
				ks := keyspace.MustNew("", prefix)
				return contract.SessionHarness{
					Store:    path.newStore(client, ks, policy, nil),
					Now:      func() time.Time { return time.Now().UTC() },
					Sleep:    time.Sleep,
					IndexLen: sessionIndexLen(client, ks),
					OnStep:   onRoundTrips(client),
				}
			})
		})
	}
}

func TestMiniredisSessionStore_Contract(t *testing.T) {
	for _, path := range sessionPaths {
		t.Run(path.name, func(t *testing.T) {
			contract.SessionStore(t, func(t *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
				t.Helper()
				server := miniredis.RunT(t)
				client := redis.NewClient(&redis.Options{Addr: server.Addr()})
				t.Cleanup(func() { _ = client.Close() })
				ks := keyspace.MustNew("test", "")
				clk := clock.NewFake(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
				return contract.SessionHarness{
					Store: path.newStore(client, ks, policy, nil),
					Now:   clk.Now,
					Sleep: func(d time.Duration) {
						clk.Advance(d)
						server.FastForward(d)
					},
					IndexLen: sessionIndexLen(client, ks),
					OnStep:   onRoundTrips(client),
				}
			})
		})
	}
}

func TestRedisSessionStore_ValidateIsOneRoundTrip(t *testing.T) {
	for _, path := range sessionPaths {
		t.Run(path.name, func(t *testing.T) {
			t.Parallel()
			client, prefix := testenv.Redis(t)
			store := path.newStore(client, keyspace.MustNew("", prefix), sessionTestPolicy, nil)
			s := contract.NewSessionFixture(t, uuid.NewString(), time.Now())
			_, err := store.Create(t.Context(), s)
			require.NoError(t, err)
			// The first run may load the script into the server's cache (EVALSHA, then EVAL).
			_, err = store.Validate(t.Context(), s.ID, s.CreatedAt.Add(time.Second))
			require.NoError(t, err)

			counter := &sessionCommandCounter{}
			client.AddHook(counter)
			for _, after := range []time.Duration{2 * time.Second, 2 * time.Minute} { // touch only; touch and rewrite
				counter.reset()
				_, err := store.Validate(t.Context(), s.ID, s.CreatedAt.Add(after))
				require.NoError(t, err)
				commands, pipelines := counter.snapshot()
				assert.Equal(t, []string{"evalsha"}, commands, "validate %s after creation", after)
				assert.Zero(t, pipelines, "validate %s after creation", after)
			}
		})
	}
}

func TestRedisSessionStore_TTLsTrackExpiry(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	store := redisstore.NewSessionStore(client, ks, sessionTestPolicy, nil)
	userID := uuid.NewString()
	a := contract.NewSessionFixture(t, userID, time.Now())
	_, err := store.Create(t.Context(), a)
	require.NoError(t, err)
	sessionKey, index := sessionKeys(t, ks, a)

	requirePTTL(t, client, sessionKey, 59*time.Minute, time.Hour)
	requirePTTL(t, client, index, 59*time.Minute, time.Hour)

	// Time passes: both keys are about to expire. Validation brings both back to the
	// idle timeout.
	require.NoError(t, client.PExpire(t.Context(), sessionKey, 5*time.Second).Err())
	require.NoError(t, client.PExpire(t.Context(), index, 5*time.Second).Err())
	_, err = store.Validate(t.Context(), a.ID, time.Now())
	require.NoError(t, err)
	requirePTTL(t, client, sessionKey, 59*time.Minute, time.Hour)
	requirePTTL(t, client, index, 59*time.Minute, time.Hour)

	// The index lives as long as its longest-lived member, not its newest.
	require.NoError(t, client.PExpire(t.Context(), sessionKey, 3*time.Hour).Err())
	b := contract.NewSessionFixture(t, userID, time.Now())
	_, err = store.Create(t.Context(), b)
	require.NoError(t, err)
	requirePTTL(t, client, index, 2*time.Hour+59*time.Minute, 3*time.Hour)

	// Near the absolute expiry, the TTL is what is left of the session's life.
	_, err = store.Validate(t.Context(), a.ID, a.AbsoluteExpiresAt.Add(-10*time.Minute))
	require.NoError(t, err)
	requirePTTL(t, client, sessionKey, 9*time.Minute, 10*time.Minute)
}

func TestRedisSessionStore_ClusterSafePathKeepsIndexUntilAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	store := redisstore.NewSlotSafeSessionStore(client, ks, sessionTestPolicy, nil)
	s := contract.NewSessionFixture(t, uuid.NewString(), time.Now())
	_, err := store.Create(t.Context(), s)
	require.NoError(t, err)
	sessionKey, index := sessionKeys(t, ks, s)

	requirePTTL(t, client, sessionKey, 59*time.Minute, time.Hour)
	requirePTTL(t, client, index, 23*time.Hour+59*time.Minute, 24*time.Hour)
	// Validation stays on the session's slot: it refreshes the session, not the index.
	require.NoError(t, client.PExpire(t.Context(), sessionKey, 5*time.Second).Err())
	_, err = store.Validate(t.Context(), s.ID, time.Now())
	require.NoError(t, err)
	requirePTTL(t, client, sessionKey, 59*time.Minute, time.Hour)
	requirePTTL(t, client, index, 23*time.Hour+59*time.Minute, 24*time.Hour)
}

func TestRedisSessionStore_KeysFollowTheSchema(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	policy := sessionTestPolicy
	policy.MaxPerUser = 2
	store := redisstore.NewSessionStore(client, ks, policy, nil)
	for range 2 {
		userID := uuid.NewString()
		for range 3 {
			_, err := store.Create(t.Context(), contract.NewSessionFixture(t, userID, time.Now()))
			require.NoError(t, err)
		}
	}
	limiter := redisstore.NewRateLimiter(client, ks)
	for _, key := range []string{"login-ip:203.0.113.9", "login-account:someone@example.com"} {
		// One event an hour: the counter's TTL (an emission interval) outlives a slow run.
		_, err := limiter.Allow(t.Context(), key, ports.RateLimit{Rate: 1, Burst: 1, Period: time.Hour})
		require.NoError(t, err)
	}

	schema := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) +
		`(session:[0-9a-f]{64}|user:sessions:[0-9a-f-]{36}|ratelimit:login-(ip|account):[0-9a-f]{32})$`)
	var keys []string
	iter := client.Scan(t.Context(), 0, prefix+"*", 100).Iterator()
	for iter.Next(t.Context()) {
		keys = append(keys, iter.Val())
	}
	require.NoError(t, iter.Err())
	assert.Len(t, keys, 2*2+2+2, "2 users × 2 sessions, 2 indexes, 2 counters")
	for _, key := range keys {
		assert.Regexp(t, schema, key)
		assert.NotContains(t, key, "203.0.113.9")
		assert.NotContains(t, key, "someone@example.com")
	}
}

func TestRedisSessionStore_FailsClosedWhenUnreachable(t *testing.T) {
	client := redis.NewClient(&redis.Options{
		Addr:          fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		DialTimeout:   200 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	ks := keyspace.MustNew("test", "")
	for _, path := range sessionPaths {
		store := path.newStore(client, ks, sessionTestPolicy, nil)
		id, userID := contract.NewSessionID(t), uuid.NewString()
		calls := []struct {
			name string
			call func(context.Context) error
		}{
			{"Create", func(ctx context.Context) error {
				_, err := store.Create(ctx, contract.NewSessionFixture(t, userID, time.Now()))
				return err
			}},
			{"Validate", func(ctx context.Context) error { _, err := store.Validate(ctx, id, time.Now()); return err }},
			{"Get", func(ctx context.Context) error { _, err := store.Get(ctx, id); return err }},
			{"Delete", func(ctx context.Context) error { return store.Delete(ctx, id) }},
			{"DeleteUser", func(ctx context.Context) error { _, err := store.DeleteUser(ctx, userID); return err }},
			{"List", func(ctx context.Context) error { _, err := store.List(ctx, userID); return err }},
			{"Ping", store.Ping},
		}
		for _, c := range calls {
			t.Run(path.name+"/"+c.name, func(t *testing.T) {
				err := c.call(t.Context())
				require.ErrorIs(t, err, domain.ErrStoreUnavailable)
				require.NotErrorIs(t, err, domain.ErrSessionInvalid)
				var unavailable *domain.UnavailableError
				assert.ErrorAs(t, err, &unavailable)
			})
		}
	}
}

func BenchmarkRedisSessionCreate(b *testing.B) {
	for _, path := range sessionPaths {
		b.Run(path.name, func(b *testing.B) {
			client, prefix := testenv.Redis(b)
			store := path.newStore(client, keyspace.MustNew("", prefix), sessionTestPolicy, nil)
			userID := uuid.NewString()
			ctx := context.Background()
			for b.Loop() {
				// Steady state of a user at the limit: each login prunes and evicts one.
				if _, err := store.Create(ctx, contract.NewSessionFixture(b, userID, time.Now())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRedisSessionValidate(b *testing.B) {
	for _, path := range sessionPaths {
		b.Run(path.name, func(b *testing.B) {
			client, prefix := testenv.Redis(b)
			store := path.newStore(client, keyspace.MustNew("", prefix), sessionTestPolicy, nil)
			ctx := context.Background()
			s := contract.NewSessionFixture(b, uuid.NewString(), time.Now())
			if _, err := store.Create(ctx, s); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := store.Validate(ctx, s.ID, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sessionKeys returns the session key of s and the key of its user's index.
func sessionKeys(t *testing.T, ks keyspace.Keyspace, s *domain.Session) (sessionKey, index string) {
	t.Helper()
	sessionKey, err := ks.Session(s.ID)
	require.NoError(t, err)
	index, err = ks.UserSessions(s.UserID)
	require.NoError(t, err)
	return sessionKey, index
}

// requirePTTL checks that key's remaining TTL lies in (low, high].
func requirePTTL(t *testing.T, client redis.UniversalClient, key string, low, high time.Duration) {
	t.Helper()
	ttl, err := client.PTTL(t.Context(), key).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, low, "TTL of %s", key)
	assert.LessOrEqual(t, ttl, high, "TTL of %s", key)
}

// sessionCommandCounter is a go-redis hook that records the commands a client sends.
type sessionCommandCounter struct {
	mu        sync.Mutex
	commands  []string
	pipelines int
}

func (c *sessionCommandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *sessionCommandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.mu.Lock()
		c.commands = append(c.commands, cmd.Name())
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (c *sessionCommandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.mu.Lock()
		c.pipelines++
		c.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (c *sessionCommandCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commands, c.pipelines = nil, 0
}

func (c *sessionCommandCounter) snapshot() ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.commands...), c.pipelines
}
