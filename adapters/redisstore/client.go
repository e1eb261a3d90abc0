package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/retry"
)

// Topology modes a client can be built for.
const (
	ModeStandalone = "standalone"
	ModeSentinel   = "sentinel"
	ModeCluster    = "cluster"
)

// ClientConfig describes one Redis connection (one role: cache or state).
type ClientConfig struct {
	// Role names the connection in logs and metrics ("cache" or "state").
	Role string
	// Mode is standalone, sentinel or cluster.
	Mode string
	// URL (redis:// or rediss://) configures a standalone client; it wins over Addrs.
	URL string
	// Addrs are host:port seeds (standalone: the first; sentinel: the sentinels;
	// cluster: any nodes).
	Addrs []string
	// MasterName is the Sentinel master set name.
	MasterName string
	Password   string
	DB         int
	// PoolSize and MinIdleConns size the pool per node (0 = go-redis defaults).
	PoolSize     int
	MinIdleConns int
	// MaxRetries is how often a command that reached the server and failed in a way
	// worth repeating is retried (with backoff); 0 disables retries.
	MaxRetries int
	// OfflineQueue lets a command that finds the server unreachable wait for it to come
	// back, for at most DialTimeout; without it such a command fails at once. See NewClient.
	OfflineQueue bool
	// DialTimeout bounds establishing a connection, and an offline-queued command's wait
	// (0 = defaultDialTimeout).
	DialTimeout time.Duration
	// ReadTimeout and WriteTimeout bound socket reads and writes (0 = go-redis defaults).
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
}

// Pauses between the attempts of a command: growing exponentially from minRetryBackoff,
// capped at maxRetryBackoff, each drawn at random so that clients which failed together
// do not retry together. go-redis applies them to MaxRetries, the offline queue to its
// re-dials.
const (
	minRetryBackoff = 8 * time.Millisecond
	maxRetryBackoff = 512 * time.Millisecond
)

// defaultDialTimeout is go-redis's default, made explicit because the offline queue's
// wait follows DialTimeout.
const defaultDialTimeout = 5 * time.Second

// NewClient builds a client for cfg without connecting; call Ping to check it answers.
//
// Failed commands are handled according to where they failed:
//
//   - A command that reached the server and failed in a way worth repeating (connection
//     lost mid-reply, timeout, LOADING, …) is retried up to MaxRetries times by go-redis,
//     pausing minRetryBackoff to maxRetryBackoff, exponentially and at random.
//   - A command that could not reach the server, because no connection could be
//     established, is never retried that way (each dial is a single attempt too). With
//     OfflineQueue it waits for the server: it re-dials with the same backoff until a
//     connection succeeds, DialTimeout has passed or its context ends. Without it, it
//     fails at once. Either way a final failure to connect matches ErrUnreachable.
//
// The offline queue is the client's outermost hook, so hooks added later (a Breaker,
// metrics) see every attempt, and a Breaker that opens ends the wait: its
// ErrBreakerOpen is not waited on.
func NewClient(cfg ClientConfig) (redis.UniversalClient, error) {
	opts := &redis.UniversalOptions{
		Addrs:           cfg.Addrs,
		MasterName:      cfg.MasterName,
		Password:        cfg.Password,
		DB:              cfg.DB,
		PoolSize:        cfg.PoolSize,
		MinIdleConns:    cfg.MinIdleConns,
		MaxRetries:      retries(cfg.MaxRetries),
		MinRetryBackoff: minRetryBackoff,
		MaxRetryBackoff: maxRetryBackoff,
		DialTimeout:     cfg.DialTimeout,
		DialerRetries:   1,
		ReadTimeout:     cfg.ReadTimeout,
		WriteTimeout:    cfg.WriteTimeout,
		ClientName:      "studytool-" + cfg.Role,
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = defaultDialTimeout
	}
	client, err := newUniversalClient(cfg, opts)
	if err != nil {
		return nil, err
	}
	if cfg.OfflineQueue {
		client.AddHook(offlineQueue{wait: opts.DialTimeout})
	}
	return client, nil
}

// newUniversalClient builds the client of cfg.Mode from opts, completed with the
// address of a standalone URL and the dialer that marks failed dials (see
// UnreachableError).
func newUniversalClient(cfg ClientConfig, opts *redis.UniversalOptions) (redis.UniversalClient, error) {
	switch cfg.Mode {
	case ModeStandalone, "":
		if cfg.URL != "" {
			parsed, err := redis.ParseURL(cfg.URL)
			if err != nil {
				return nil, fmt.Errorf("redis %s: parse url: %w", cfg.Role, err)
			}
			opts.Addrs = []string{parsed.Addr}
			opts.Username, opts.Password, opts.DB = parsed.Username, parsed.Password, parsed.DB
			opts.TLSConfig = parsed.TLSConfig
		}
		if len(opts.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: no address configured", cfg.Role)
		}
		opts.Addrs = opts.Addrs[:1]
		opts.Dialer = markUnreachable(opts)
		return redis.NewClient(opts.Simple()), nil
	case ModeSentinel:
		if cfg.MasterName == "" || len(cfg.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: sentinel mode needs sentinel addresses and a master name", cfg.Role)
		}
		opts.Dialer = markUnreachable(opts)
		return redis.NewFailoverClient(opts.Failover()), nil
	case ModeCluster:
		if len(cfg.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: cluster mode needs node addresses", cfg.Role)
		}
		opts.Dialer = markUnreachable(opts)
		return redis.NewClusterClient(opts.Cluster()), nil
	default:
		return nil, fmt.Errorf("redis %s: unknown mode %q", cfg.Role, cfg.Mode)
	}
}

// ErrUnreachable matches the error of a command that never reached Redis because no
// connection to the server could be established.
var ErrUnreachable = errors.New("redis unreachable")

// UnreachableError is a failed attempt to connect to Addr; it matches ErrUnreachable.
//
// It deliberately does not unwrap to Cause: go-redis retries any error that unwraps to
// a dialling *net.OpError under MaxRetries, and waiting for a server that cannot be
// reached is the offline queue's job (ClientConfig.OfflineQueue), not the retry loop's.
type UnreachableError struct {
	Addr  string
	Cause error
}

// Error implements error.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("redis unreachable at %s: %v", e.Addr, e.Cause)
}

// Is reports whether target is ErrUnreachable.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// markUnreachable returns go-redis's standard dialer for opts (TLS included) with its
// failures turned into UnreachableErrors. A dial its caller abandoned keeps its own
// error: that is not the server's doing.
func markUnreachable(opts *redis.UniversalOptions) func(ctx context.Context, network, addr string) (net.Conn, error) {
	dial := redis.NewDialer(&redis.Options{DialTimeout: opts.DialTimeout, TLSConfig: opts.TLSConfig})
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		switch {
		case err == nil:
			return conn, nil
		case ctx.Err() == nil:
			return nil, &UnreachableError{Addr: addr, Cause: err}
		default:
			return nil, &abandonedDialError{cause: err}
		}
	}
}

// abandonedDialError is a dial its caller gave up on: the command was never sent. It
// matches what it wraps (the context's error).
type abandonedDialError struct{ cause error }

func (e *abandonedDialError) Error() string { return "redis: dial abandoned: " + e.cause.Error() }
func (e *abandonedDialError) Unwrap() error { return e.cause }

// offlineQueue is the hook behind ClientConfig.OfflineQueue: a command that finds the
// server unreachable is attempted again, after a pause, until it gets through, wait has
// passed since its first attempt, or its context ends.
type offlineQueue struct {
	wait time.Duration
}

var _ redis.Hook = offlineQueue{}

// DialHook implements redis.Hook; dials pass unchanged.
func (offlineQueue) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (q offlineQueue) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return q.do(ctx, func() error {
			cmd.SetErr(nil) // the previous attempt's failure
			return next(ctx, cmd)
		})
	}
}

// ProcessPipelineHook implements redis.Hook, for pipelines and transactions alike: a
// batch that could not be sent is sent again whole.
func (q offlineQueue) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return q.do(ctx, func() error {
			// A pipeline's result is read back from its commands: clear the failure
			// the previous attempt left on them.
			for _, cmd := range cmds {
				cmd.SetErr(nil)
			}
			return next(ctx, cmds)
		})
	}
}

// do runs attempt, and again after a pause while it fails with ErrUnreachable. Repeating
// is safe: an unreachable server never received the command. A pause that would end
// past the wait is not taken.
func (q offlineQueue) do(ctx context.Context, attempt func() error) error {
	err := attempt()
	giveUp := time.Now().Add(q.wait)
	var unreachable error // the last attempt the server refused
	for n := 0; errors.Is(err, ErrUnreachable); n++ {
		unreachable = err
		pause := retryBackoff(n)
		if time.Now().Add(pause).After(giveUp) {
			return err
		}
		if ctxErr := retry.Sleep(ctx, pause); ctxErr != nil {
			return fmt.Errorf("redis: waiting for a connection: %w (last attempt: %w)", ctxErr, err)
		}
		err = attempt()
	}
	if unreachable != nil && errors.As(err, new(*abandonedDialError)) {
		// The context ended during a re-dial rather than during a pause: the server was
		// still unreachable as far as anyone knows, and the command was never sent.
		return fmt.Errorf("redis: waiting for a connection: %w (last attempt: %w)", err, unreachable)
	}
	return err
}

// retryBackoff is the pause before re-attempt n (from 0) of a queued command, drawn as
// go-redis draws the pauses of its retries: minRetryBackoff plus a random share of
// minRetryBackoff<<n, at most maxRetryBackoff.
func retryBackoff(n int) time.Duration {
	step := minRetryBackoff << min(n, 6)                      // 8 ms << 6 = 512 ms, the cap: no overflow
	return min(minRetryBackoff+rand.N(step), maxRetryBackoff) //nolint:gosec // jitter, not a secret
}

// retries converts "0 retries" to go-redis's spelling of it (-1; 0 means its default 3).
func retries(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// Ping checks that client answers within ctx.
func Ping(ctx context.Context, client redis.UniversalClient) error {
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// IsCluster reports whether client talks to a Redis Cluster, where a multi-key command
// or script must keep to one hash slot.
func IsCluster(client redis.UniversalClient) bool {
	_, ok := client.(*redis.ClusterClient)
	return ok
}

// isMiss reports whether err is go-redis's "no such key" sentinel.
func isMiss(err error) bool { return errors.Is(err, redis.Nil) }
