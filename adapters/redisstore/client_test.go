package redisstore_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/test/redistopo"
)

// dialCounter is a hook that counts the dials of the client it is added to.
type dialCounter struct{ n atomic.Int64 }

func (c *dialCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.n.Add(1)
		return next(ctx, network, addr)
	}
}

func (*dialCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (*dialCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// killedServerClient starts a private Redis, connects to it as the service does with
// cfg (URL and role filled in), checks it answers, adds hooks, and kills the server.
// The counter counts the dials made after the kill.
func killedServerClient(t *testing.T, cfg redisstore.ClientConfig, hooks ...redis.Hook) (redis.UniversalClient, *redistopo.Server, *dialCounter) {
	t.Helper()
	srv := redistopo.Standalone(t, redistopo.Options{})
	cfg.Role, cfg.URL = "state", "redis://"+srv.Addr()+"/0"
	client, err := redisstore.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, redisstore.Ping(t.Context(), client))
	dials := &dialCounter{}
	for _, h := range append(hooks, dials) {
		client.AddHook(h)
	}
	require.NoError(t, srv.Kill())
	return client, srv, dials
}

func TestRedisDown_WithoutOfflineQueueCommandsFailAtOnce(t *testing.T) {
	t.Parallel()
	client, _, dials := killedServerClient(t, redisstore.ClientConfig{
		MaxRetries: 3, OfflineQueue: false, DialTimeout: time.Minute,
	})

	for i := range 3 {
		start := time.Now()
		err := client.Set(t.Context(), "k", "v", 0).Err()
		require.ErrorIs(t, err, redisstore.ErrUnreachable)
		t.Logf("command %d failed after %s: %v", i+1, time.Since(start), err)
		assert.Equal(t, int64(i+1), dials.n.Load(), "one dial per command: no retries, no wait")
	}
}

func TestRedisDown_OfflineQueueWaitsForTheServerToReturn(t *testing.T) {
	t.Parallel()
	// No retries: getting through is the offline queue's doing.
	client, srv, dials := killedServerClient(t, redisstore.ClientConfig{
		MaxRetries: 0, OfflineQueue: true, DialTimeout: time.Minute,
	})
	ctx := t.Context()

	results := make(chan error, 2)
	go func() { results <- client.Set(ctx, "single", "v", 0).Err() }()
	go func() {
		_, err := client.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "counter")
			p.Expire(ctx, "counter", time.Minute)
			return nil
		})
		results <- err
	}()
	require.Eventually(t, func() bool { return dials.n.Load() >= 4 }, 30*time.Second, time.Millisecond,
		"both commands re-dial while the server is down")
	select {
	case err := <-results:
		t.Fatalf("a command returned while the server was down: %v", err)
	default:
	}

	require.NoError(t, srv.Restart())
	for range 2 {
		require.NoError(t, <-results)
	}
	got, err := client.Get(ctx, "single").Result()
	require.NoError(t, err)
	assert.Equal(t, "v", got)
	n, err := client.Get(ctx, "counter").Int()
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the transaction ran once")
}

func TestRedisDown_OfflineQueueWaitIsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		dialTimeout time.Duration
		ctxTimeout  time.Duration
		want        []error
	}{
		{"by the dial timeout", 200 * time.Millisecond, time.Minute, []error{redisstore.ErrUnreachable}},
		{"by the caller's deadline", time.Minute, 200 * time.Millisecond, []error{redisstore.ErrUnreachable, context.DeadlineExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _, dials := killedServerClient(t, redisstore.ClientConfig{OfflineQueue: true, DialTimeout: tt.dialTimeout})
			ctx, cancel := context.WithTimeout(t.Context(), tt.ctxTimeout)
			defer cancel()

			err := client.Get(ctx, "k").Err()
			for _, want := range tt.want {
				require.ErrorIs(t, err, want)
			}
			assert.Greater(t, dials.n.Load(), int64(1), "it re-dialled before giving up")
		})
	}
}

func TestRedisDown_AnOpeningBreakerEndsTheOfflineQueueWait(t *testing.T) {
	t.Parallel()
	const failures = 5
	breaker := redisstore.NewBreaker(redisstore.BreakerConfig{Role: "state", ConsecutiveFailures: failures, OpenTimeout: time.Minute})
	client, _, dials := killedServerClient(t,
		redisstore.ClientConfig{OfflineQueue: true, DialTimeout: time.Hour}, breaker)

	err := client.Get(t.Context(), "k").Err()

	var open *redisstore.BreakerOpenError
	require.ErrorAs(t, err, &open, "the wait ends when the breaker opens, long before the dial timeout")
	assert.Positive(t, open.RetryAfter)
	assert.Equal(t, int64(failures), dials.n.Load(), "each queued attempt went through the breaker until it opened")
	assert.Equal(t, redisstore.BreakerOpen, breaker.State())
}
