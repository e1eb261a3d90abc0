package contract

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/ports"
)

// RateLimiterHarness is one rate limiter under test and the time it lives by.
type RateLimiterHarness struct {
	Limiter ports.RateLimiter
	// Sleep lets d of the limiter's time pass: it advances a fake clock, or really waits.
	Sleep func(d time.Duration)
}

// RateLimiterFactory returns a fresh rate limiter. The suite calls it once per property;
// register any teardown with t.Cleanup.
type RateLimiterFactory func(t *testing.T) RateLimiterHarness

// rateLimiterProperties are the behaviours of the RateLimiter contract, one check each.
var rateLimiterProperties = []property[RateLimiterFactory]{
	{"BurstAllowedThenRefused", rateBurstThenRefused},
	{"RefusedEventsAreNotCounted", rateRefusedNotCounted},
	{"KeysHaveTheirOwnAllowance", rateKeysIndependent},
	{"ConcurrentEventsKeepTheLimit", rateConcurrentEvents},
	{"RefundGivesBackOneEvent", rateRefund},
	{"MalformedKeysAndLimitsAreErrors", rateMalformed},
}

// RateLimiter checks a ports.RateLimiter: the burst is allowed and the next event refused
// with a retry hint, refused events are not counted, the allowance refills with time,
// keys are independent, the limit holds under 50 concurrent events, a refund gives back
// exactly one event and never more than the burst, and malformed keys and limits are
// errors. Refilling is asserted as "eventually, within 10 s of the
// limiter's time", never as a deadline.
func RateLimiter(t *testing.T, newLimiter RateLimiterFactory) {
	t.Helper()
	runProperties(t, newLimiter, rateLimiterProperties)
}

// rateBurstThenRefused checks that the burst is allowed, then events are refused with a
// retry hint.
func rateBurstThenRefused(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	key := rateKey("login-ip")
	limit := ports.PerMinute(5)
	for i := range limit.Burst {
		res, err := h.Limiter.Allow(t.Context(), key, limit)
		require.NoError(t, err)
		require.True(t, res.Allowed, "event %d of the burst", i+1)
		assert.Equal(t, limit.Burst-1-i, res.Remaining, "remaining after event %d", i+1)
	}
	res, err := h.Limiter.Allow(t.Context(), key, limit)
	require.NoError(t, err)
	assert.False(t, res.Allowed)
	assert.Zero(t, res.Remaining)
	assert.Positive(t, res.RetryAfter)
	assert.LessOrEqual(t, res.RetryAfter, limit.Period/time.Duration(limit.Rate), "one event refills in period/rate")
}

// rateRefusedNotCounted checks that refused events are not counted and the allowance
// refills.
func rateRefusedNotCounted(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	key := rateKey("login-account")
	limit := ports.RateLimit{Rate: 2, Burst: 2, Period: time.Second}
	for range limit.Burst {
		res, err := h.Limiter.Allow(t.Context(), key, limit)
		require.NoError(t, err)
		require.True(t, res.Allowed)
	}
	// Polling faster than the limit refills: were refused events counted, the key
	// would never refill.
	for range 100 {
		res, err := h.Limiter.Allow(t.Context(), key, limit)
		require.NoError(t, err)
		if res.Allowed {
			return
		}
		require.Positive(t, res.RetryAfter)
		h.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no event allowed again within 10 s of limiter time")
}

// rateKeysIndependent checks that each scope and subject has its own allowance.
func rateKeysIndependent(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	limit := ports.PerMinute(1)
	subject := uuid.NewString() + ":2001:db8::1"
	steps := []struct {
		key     string
		allowed bool
	}{
		{"login-ip:" + subject, true},
		{"login-ip:" + subject, false},
		{"login-ip:" + subject + "0", true},
		{"login-account:" + subject, true},
		{"login-account:" + subject, false},
	}
	for _, step := range steps {
		res, err := h.Limiter.Allow(t.Context(), step.key, limit)
		require.NoError(t, err)
		assert.Equal(t, step.allowed, res.Allowed, "Allow(%q)", step.key)
	}
}

// rateConcurrentEvents checks that 50 concurrent events under a limit of 10 allow exactly
// 10.
func rateConcurrentEvents(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	key := rateKey("login-ip")
	limit := ports.PerMinute(10)
	var allowed, failed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			res, err := h.Limiter.Allow(t.Context(), key, limit)
			switch {
			case err != nil:
				failed.Add(1)
			case res.Allowed:
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	require.Zero(t, failed.Load(), "Allow failed")
	assert.Equal(t, int32(10), allowed.Load())
}

// rateRefund checks that a refund gives back one recorded event, never more than the
// burst.
func rateRefund(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	key := rateKey("login-failure")
	limit := ports.RateLimit{Rate: 3, Burst: 3, Period: time.Hour}
	require.NoError(t, h.Limiter.Refund(t.Context(), key, limit), "refund of a key with nothing recorded")
	for range limit.Burst {
		res, err := h.Limiter.Allow(t.Context(), key, limit)
		require.NoError(t, err)
		require.True(t, res.Allowed, "a refund of nothing must not add to the burst")
	}
	res, err := h.Limiter.Allow(t.Context(), key, limit)
	require.NoError(t, err)
	require.False(t, res.Allowed)

	require.NoError(t, h.Limiter.Refund(t.Context(), key, limit))
	res, err = h.Limiter.Allow(t.Context(), key, limit)
	require.NoError(t, err)
	assert.True(t, res.Allowed, "the refunded event is available again")
	res, err = h.Limiter.Allow(t.Context(), key, limit)
	require.NoError(t, err)
	assert.False(t, res.Allowed, "exactly one event came back")

	for range 2 * limit.Burst {
		require.NoError(t, h.Limiter.Refund(t.Context(), key, limit))
	}
	for i := range limit.Burst {
		res, err := h.Limiter.Allow(t.Context(), key, limit)
		require.NoError(t, err)
		require.True(t, res.Allowed, "event %d after refunding everything", i+1)
	}
	res, err = h.Limiter.Allow(t.Context(), key, limit)
	require.NoError(t, err)
	assert.False(t, res.Allowed, "refunds never take the allowance beyond the burst")
}

// rateMalformed checks that malformed keys and limits are errors.
func rateMalformed(t *testing.T, newLimiter RateLimiterFactory) {
	h := newLimiter(t)
	valid := ports.PerMinute(10)
	tests := []struct {
		name  string
		key   string
		limit ports.RateLimit
	}{
		{"key without scope", "no-scope", valid},
		{"empty scope", ":subject", valid},
		{"zero rate", rateKey("x"), ports.RateLimit{Rate: 0, Burst: 1, Period: time.Minute}},
		{"zero burst", rateKey("x"), ports.RateLimit{Rate: 1, Burst: 0, Period: time.Minute}},
		{"zero period", rateKey("x"), ports.RateLimit{Rate: 1, Burst: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Limiter.Allow(t.Context(), tt.key, tt.limit)
			require.Error(t, err)
			require.Error(t, h.Limiter.Refund(t.Context(), tt.key, tt.limit))
		})
	}
}

// rateKey returns a fresh `scope:subject` key in scope.
func rateKey(scope string) string { return scope + ":" + uuid.NewString() }
