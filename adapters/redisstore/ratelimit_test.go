package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
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

func TestRedisRateLimiter_Contract(t *testing.T) {
	contract.RateLimiter(t, func(t *testing.T) contract.RateLimiterHarness {
		t.Helper()
		client, prefix := testenv.Redis(t)
		return contract.RateLimiterHarness{
			Limiter: redisstore.NewRateLimiter(client, keyspace.MustNew("", prefix)),
			Sleep:   time.Sleep,
		}
	})
}

func TestMiniredisRateLimiter_Contract(t *testing.T) {
	contract.RateLimiter(t, func(t *testing.T) contract.RateLimiterHarness {
		t.Helper()
		server := miniredis.RunT(t)
		clk := clock.NewFake(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
		server.SetTime(clk.Now())
		client := redis.NewClient(&redis.Options{Addr: server.Addr()})
		t.Cleanup(func() { _ = client.Close() })
		return contract.RateLimiterHarness{
			Limiter: redisstore.NewRateLimiter(client, keyspace.MustNew("test", "")),
			Sleep: func(d time.Duration) {
				clk.Advance(d)
				server.SetTime(clk.Now())
				server.FastForward(d)
			},
		}
	})
}

func TestRedisRateLimiter_CountsUnderTheKeySchema(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	ks := keyspace.MustNew("", prefix)
	limiter := redisstore.NewRateLimiter(client, ks)
	_, err := limiter.Allow(t.Context(), "login-ip:203.0.113.9", ports.PerMinute(10))
	require.NoError(t, err)

	want, err := ks.RateLimit("login-ip", "203.0.113.9")
	require.NoError(t, err)
	ttl, err := client.PTTL(t.Context(), want).Result()
	require.NoError(t, err)
	assert.Positive(t, ttl, "the counter exists at the keyspace key and expires")
	n, err := client.Exists(t.Context(), "rate:"+want).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "no key under redis_rate's own prefix")
}

func TestRedisRateLimiter_FailsClosedWhenUnreachable(t *testing.T) {
	client := redis.NewClient(&redis.Options{
		Addr:          fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		DialTimeout:   200 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	limiter := redisstore.NewRateLimiter(client, keyspace.MustNew("test", ""))
	res, err := limiter.Allow(t.Context(), "login-ip:203.0.113.9", ports.PerMinute(10))
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	assert.False(t, res.Allowed)
}
