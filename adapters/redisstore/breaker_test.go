package redisstore_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
)

// flakyNetwork stands between a client and a miniredis server: while down every dial
// is refused, as by a server that was killed. It counts the dials that reach it.
type flakyNetwork struct {
	addr  string
	down  atomic.Bool
	dials atomic.Int64
}

func (n *flakyNetwork) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	n.dials.Add(1)
	if n.down.Load() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, n.addr)
}

// breakerHarness is a client guarded by a breaker, on a network the test can cut.
type breakerHarness struct {
	client  *redis.Client
	breaker *redisstore.Breaker
	net     *flakyNetwork
	// states are the states the breaker reported, in order.
	states func() []redisstore.BreakerState
}

// newBreakerHarness builds a client without retries on a fresh miniredis, down when
// down is set, guarded by a breaker configured by cfg. Commands that reach extra's hook
// (added inside the breaker) may be failed by it.
func newBreakerHarness(t *testing.T, cfg redisstore.BreakerConfig, down bool, extra ...redis.Hook) *breakerHarness {
	t.Helper()
	srv := miniredis.RunT(t)
	network := &flakyNetwork{addr: srv.Addr()}
	network.down.Store(down)
	var mu sync.Mutex
	var states []redisstore.BreakerState
	cfg.OnStateChange = func(s redisstore.BreakerState) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, s)
	}
	breaker := redisstore.NewBreaker(cfg)
	client := redis.NewClient(&redis.Options{
		Addr:          srv.Addr(),
		Dialer:        network.dial,
		MaxRetries:    -1,
		DialerRetries: 1,
		Protocol:      2,
	})
	t.Cleanup(func() { _ = client.Close() })
	client.AddHook(breaker)
	for _, h := range extra {
		client.AddHook(h)
	}
	return &breakerHarness{
		client: client, breaker: breaker, net: network,
		states: func() []redisstore.BreakerState {
			mu.Lock()
			defer mu.Unlock()
			return append([]redisstore.BreakerState(nil), states...)
		},
	}
}

// tripped returns a harness whose breaker (ConsecutiveFailures 3, OpenTimeout
// openTimeout) was just opened by three refused dials.
func tripped(t *testing.T, openTimeout time.Duration) *breakerHarness {
	t.Helper()
	h := newBreakerHarness(t, redisstore.BreakerConfig{Role: "state", ConsecutiveFailures: 3, OpenTimeout: openTimeout, Probes: 2}, true)
	for range 3 {
		require.ErrorIs(t, h.client.Get(t.Context(), "k").Err(), syscall.ECONNREFUSED)
	}
	require.Equal(t, redisstore.BreakerOpen, h.breaker.State())
	return h
}

func TestBreaker_AnswersFromTheServerNeverTripIt(t *testing.T) {
	t.Parallel()
	h := newBreakerHarness(t, redisstore.BreakerConfig{ConsecutiveFailures: 2}, false)
	ctx := t.Context()
	require.NoError(t, h.client.Set(ctx, "text", "v", 0).Err())

	for range 10 {
		require.ErrorIs(t, h.client.Get(ctx, "missing").Err(), redis.Nil)
		var reply redis.Error
		require.ErrorAs(t, h.client.HGet(ctx, "text", "field").Err(), &reply, "WRONGTYPE")
		_, err := h.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Get(ctx, "missing")
			p.Get(ctx, "text")
			return nil
		})
		require.ErrorIs(t, err, redis.Nil)
	}

	assert.Equal(t, redisstore.BreakerClosed, h.breaker.State())
	assert.Empty(t, h.states(), "no transition")
}

func TestBreaker_CallerCancellationsNeverTripIt(t *testing.T) {
	t.Parallel()
	h := newBreakerHarness(t, redisstore.BreakerConfig{ConsecutiveFailures: 2}, true)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, stop := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer stop()

	for range 10 {
		require.Error(t, h.client.Get(cancelled, "k").Err())
		require.Error(t, h.client.Get(expired, "k").Err())
	}
	assert.Equal(t, redisstore.BreakerClosed, h.breaker.State())

	// A failure of a live caller still counts, once per command.
	require.Error(t, h.client.Get(t.Context(), "k").Err())
	assert.Equal(t, redisstore.BreakerClosed, h.breaker.State())
	require.Error(t, h.client.Get(t.Context(), "k").Err())
	assert.Equal(t, redisstore.BreakerOpen, h.breaker.State())
}

func TestBreaker_OpensAfterConsecutiveFailuresAndThenFailsFastOffTheNetwork(t *testing.T) {
	t.Parallel()
	const failures = 5
	h := newBreakerHarness(t, redisstore.BreakerConfig{Role: "state", ConsecutiveFailures: failures, OpenTimeout: time.Minute}, true)
	ctx := t.Context()

	for i := range failures {
		assert.Equal(t, redisstore.BreakerClosed, h.breaker.State(), "before failure %d", i+1)
		err := h.client.Get(ctx, "k").Err()
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		require.NotErrorIs(t, err, redisstore.ErrBreakerOpen)
	}
	require.Equal(t, redisstore.BreakerOpen, h.breaker.State())
	dials := h.net.dials.Load()
	require.Equal(t, int64(failures), dials, "one dial per failed command: no retries")

	tests := []struct {
		name string
		run  func() ([]redis.Cmder, error)
	}{
		{"command", func() ([]redis.Cmder, error) {
			cmd := h.client.Get(ctx, "k")
			return []redis.Cmder{cmd}, cmd.Err()
		}},
		{"pipeline", func() ([]redis.Cmder, error) {
			return h.client.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Get(ctx, "a")
				p.Incr(ctx, "b")
				return nil
			})
		}},
		{"transaction", func() ([]redis.Cmder, error) {
			return h.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "a", "1", 0)
				return nil
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := tt.run()
			var open *redisstore.BreakerOpenError
			require.ErrorAs(t, err, &open)
			assert.ErrorIs(t, err, redisstore.ErrBreakerOpen)
			assert.Equal(t, "state", open.Role)
			assert.Positive(t, open.RetryAfter)
			assert.LessOrEqual(t, open.RetryAfter, time.Minute)
			for _, cmd := range cmds {
				assert.ErrorIs(t, cmd.Err(), redisstore.ErrBreakerOpen, "%v", cmd.Args())
			}
		})
	}
	assert.Equal(t, dials, h.net.dials.Load(), "an open breaker does not dial")
}

// failKeys is a hook that fails, without a round trip, every command whose last
// argument is a key in the set, with the error of a connection reset by the server.
type failKeys map[string]bool

func (failKeys) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f failKeys) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if key, ok := cmd.Args()[len(cmd.Args())-1].(string); ok && f[key] {
			return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return next(ctx, cmd)
	}
}

func (failKeys) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestBreaker_OpensOnAFailureRatioWithoutConsecutiveFailures(t *testing.T) {
	t.Parallel()
	h := newBreakerHarness(t, redisstore.BreakerConfig{
		ConsecutiveFailures: 100, FailureRatio: 0.5, MinRequests: 10, Window: time.Minute, OpenTimeout: time.Minute,
	}, false, failKeys{"bad": true})
	ctx := t.Context()

	for i := range 4 {
		require.ErrorIs(t, h.client.Get(ctx, "bad").Err(), syscall.ECONNRESET)
		require.ErrorIs(t, h.client.Get(ctx, "good").Err(), redis.Nil)
		assert.Equal(t, redisstore.BreakerClosed, h.breaker.State(), "%d of %d commands failed", i+1, 2*(i+1))
	}
	require.ErrorIs(t, h.client.Get(ctx, "bad").Err(), syscall.ECONNRESET)
	assert.Equal(t, redisstore.BreakerClosed, h.breaker.State(), "9 commands: below MinRequests")
	require.ErrorIs(t, h.client.Get(ctx, "bad").Err(), syscall.ECONNRESET)
	assert.Equal(t, redisstore.BreakerOpen, h.breaker.State(), "6 of 10 failed")
}

// waitForState polls the breaker until it reports want (State moves an open breaker on
// to half-open once its timeout has passed).
func waitForState(t *testing.T, b *redisstore.Breaker, want redisstore.BreakerState) {
	t.Helper()
	require.Eventually(t, func() bool { return b.State() == want }, 10*time.Second, 5*time.Millisecond)
}

func TestBreaker_HalfOpenProbesCloseItWhenRedisIsBack(t *testing.T) {
	t.Parallel()
	h := tripped(t, 20*time.Millisecond)
	ctx := t.Context()
	h.net.down.Store(false)

	waitForState(t, h.breaker, redisstore.BreakerHalfOpen)
	require.NoError(t, h.client.Set(ctx, "k", "v", 0).Err(), "first probe")
	assert.Equal(t, redisstore.BreakerHalfOpen, h.breaker.State(), "one success of two probes")
	require.NoError(t, h.client.Get(ctx, "k").Err(), "second probe")
	assert.Equal(t, redisstore.BreakerClosed, h.breaker.State())
	assert.Equal(t, []redisstore.BreakerState{redisstore.BreakerOpen, redisstore.BreakerHalfOpen, redisstore.BreakerClosed}, h.states())
}

func TestBreaker_AFailedProbeReopensIt(t *testing.T) {
	t.Parallel()
	h := tripped(t, 20*time.Millisecond)

	waitForState(t, h.breaker, redisstore.BreakerHalfOpen)
	dials := h.net.dials.Load()
	require.ErrorIs(t, h.client.Get(t.Context(), "k").Err(), syscall.ECONNREFUSED, "the probe reaches the network")
	assert.Equal(t, dials+1, h.net.dials.Load())
	assert.Equal(t, redisstore.BreakerOpen, h.breaker.State())
}

func TestBreaker_RefusalIsAStoreUnavailableErrorWithItsRetryHint(t *testing.T) {
	t.Parallel()
	h := tripped(t, time.Minute)
	store := redisstore.NewSessionStore(h.client, keyspace.MustNew("test", ""), sessionTestPolicy, nil)

	_, err := store.Validate(t.Context(), "0123456789abcdef", time.Now())

	var unavailable *domain.UnavailableError
	require.ErrorAs(t, err, &unavailable)
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
	require.ErrorIs(t, err, redisstore.ErrBreakerOpen)
	assert.Positive(t, unavailable.RetryAfter)
	assert.LessOrEqual(t, unavailable.RetryAfter, time.Minute)
	assert.NotErrorIs(t, err, domain.ErrSessionInvalid, "fails closed, never as an unknown session")
}
