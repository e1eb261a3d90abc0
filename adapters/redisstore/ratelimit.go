package redisstore

import (
	"context"
	_ "embed" // the refund script is embedded from lua/
	"fmt"
	"strings"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/ports"
)

// ratelimitLibraryPrefix is what redis_rate puts in front of every key it is given.
const ratelimitLibraryPrefix = "rate:"

// RateLimiter is the Redis ports.RateLimiter: go-redis/redis_rate's GCRA (one Lua
// script, one key per scope and subject, timed by the Redis server's clock). Counters
// live at keyspace.RateLimit(scope, subject) — `{prefix}ratelimit:{scope}:{hash}` — and
// expire once their allowance has refilled. Each counter is one key, so it works on
// Redis Cluster unchanged.
type RateLimiter struct {
	limiter *redis_rate.Limiter
	client  redis.UniversalClient
	ks      keyspace.Keyspace
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a limiter that keeps its counters on client.
func NewRateLimiter(client redis.UniversalClient, ks keyspace.Keyspace) *RateLimiter {
	return &RateLimiter{limiter: redis_rate.NewLimiter(ratelimitKeys{client}), client: client, ks: ks}
}

//go:embed lua/ratelimit_refund.lua
var refundSource string

// refundScript gives back one event recorded by redis_rate's GCRA script.
var refundScript = redis.NewScript(refundSource)

// Allow records one event for key (`scope:subject`) under limit unless that would
// exceed it. The subject is hashed into the key, so no IP address or email is stored.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit ports.RateLimit) (ports.RateResult, error) {
	counter, err := l.counter(key, limit)
	if err != nil {
		return ports.RateResult{}, err
	}
	res, err := l.limiter.Allow(ctx, counter, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period})
	if err != nil {
		return ports.RateResult{}, fmt.Errorf("rate limiter: %w", storeerr.Unavailable("redis", err))
	}
	out := ports.RateResult{Allowed: res.Allowed > 0, Remaining: res.Remaining}
	if !out.Allowed {
		out.RetryAfter = res.RetryAfter
	}
	return out, nil
}

// Refund gives back one event recorded for key under limit.
func (l *RateLimiter) Refund(ctx context.Context, key string, limit ports.RateLimit) error {
	counter, err := l.counter(key, limit)
	if err != nil {
		return err
	}
	if err := refundScript.Run(ctx, l.client, []string{counter}, limit.Rate, limit.Period.Seconds()).Err(); err != nil {
		return fmt.Errorf("rate limiter: refund: %w", storeerr.Unavailable("redis", err))
	}
	return nil
}

// counter checks key and limit and returns the Redis key of key's counter.
func (l *RateLimiter) counter(key string, limit ports.RateLimit) (string, error) {
	scope, subject, ok := strings.Cut(key, ":")
	if !ok {
		return "", fmt.Errorf("rate limiter: key %q is not scope:subject", key)
	}
	if err := keyspace.ValidateSegment(scope); err != nil {
		return "", fmt.Errorf("rate limiter: scope: %w", err)
	}
	if limit.Rate <= 0 || limit.Burst <= 0 || limit.Period <= 0 {
		return "", fmt.Errorf("rate limiter: limit %+v: rate, burst and period must be positive", limit)
	}
	counter, err := l.ks.RateLimit(scope, subject)
	if err != nil {
		return "", fmt.Errorf("rate limiter: %w", err)
	}
	return counter, nil
}

// ratelimitKeys is the client redis_rate is given. The library prefixes every key with
// "rate:", which would put counters outside the key schema (and outside REDIS_KEY_PREFIX,
// so a shared server could not tell deployments apart); ratelimitKeys strips it again,
// so the keys the library receives are the keys Redis stores.
type ratelimitKeys struct {
	redis.UniversalClient
}

// Eval runs script on the unprefixed keys.
func (c ratelimitKeys) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.Eval(ctx, script, ratelimitUnprefix(keys), args...)
}

// EvalSha runs a cached script on the unprefixed keys.
func (c ratelimitKeys) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalSha(ctx, sha1, ratelimitUnprefix(keys), args...)
}

// EvalRO runs a read-only script on the unprefixed keys.
func (c ratelimitKeys) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalRO(ctx, script, ratelimitUnprefix(keys), args...)
}

// EvalShaRO runs a cached read-only script on the unprefixed keys.
func (c ratelimitKeys) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalShaRO(ctx, sha1, ratelimitUnprefix(keys), args...)
}

// Del deletes the unprefixed keys (redis_rate's Reset).
func (c ratelimitKeys) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return c.UniversalClient.Del(ctx, ratelimitUnprefix(keys)...)
}

func ratelimitUnprefix(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, ratelimitLibraryPrefix)
	}
	return out
}
