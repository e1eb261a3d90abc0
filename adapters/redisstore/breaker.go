package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// BreakerState is a circuit breaker's state. The values are sony/gobreaker's: closed 0,
// half-open 1, open 2.
type BreakerState = gobreaker.State

// The breaker states.
const (
	// BreakerClosed lets every command through.
	BreakerClosed = gobreaker.StateClosed
	// BreakerHalfOpen lets a few probe commands through; their outcome closes or reopens it.
	BreakerHalfOpen = gobreaker.StateHalfOpen
	// BreakerOpen refuses every command without touching the network.
	BreakerOpen = gobreaker.StateOpen
)

// Defaults of the BreakerConfig fields left zero.
const (
	DefaultBreakerConsecutiveFailures = 5
	DefaultBreakerFailureRatio        = 0.5
	DefaultBreakerMinRequests         = 20
	DefaultBreakerWindow              = 10 * time.Second
	DefaultBreakerOpenTimeout         = 500 * time.Millisecond
	DefaultBreakerProbes              = 2
)

// breakerBuckets is the number of buckets of the rolling failure-ratio window.
const breakerBuckets = 10

// ErrBreakerOpen matches the error of a command that a circuit breaker refused; the
// command never reached Redis.
var ErrBreakerOpen = errors.New("redis circuit breaker open")

// BreakerOpenError is a command refused by the breaker of Role. RetryAfter is how long
// until the breaker lets a probe through; zero when it is probing already.
type BreakerOpenError struct {
	Role       string
	RetryAfter time.Duration
}

// Error implements error.
func (e *BreakerOpenError) Error() string {
	return fmt.Sprintf("redis %s: circuit breaker open (retry after %s)", e.Role, e.RetryAfter)
}

// Unwrap makes the error match ErrBreakerOpen.
func (e *BreakerOpenError) Unwrap() error { return ErrBreakerOpen }

// RetryAfterHint tells callers when the breaker lets commands through again.
func (e *BreakerOpenError) RetryAfterHint() time.Duration { return e.RetryAfter }

// BreakerConfig tunes a Breaker; zero fields take the Default… values.
type BreakerConfig struct {
	// Role names the connection the breaker guards ("cache", "state"), in errors.
	Role string
	// ConsecutiveFailures opens the breaker after that many failures in a row.
	ConsecutiveFailures uint32
	// FailureRatio opens it when at least that share of the commands counted in Window
	// failed, once there were MinRequests of them.
	FailureRatio float64
	MinRequests  uint32
	Window       time.Duration
	// OpenTimeout is how long it stays open before letting probes through.
	OpenTimeout time.Duration
	// Probes is the number of commands let through while half-open; that many successes
	// in a row close the breaker, one failure reopens it.
	Probes uint32
	// OnStateChange, when set, is called on every transition (a breaker starts closed).
	// It runs under the breaker's lock: it must be quick and must not use the client.
	// The move from open to half-open happens when the first command arrives after
	// OpenTimeout.
	OnStateChange func(BreakerState)
}

// withDefaults returns c with its zero fields set to the defaults.
func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.ConsecutiveFailures == 0 {
		c.ConsecutiveFailures = DefaultBreakerConsecutiveFailures
	}
	if c.FailureRatio <= 0 {
		c.FailureRatio = DefaultBreakerFailureRatio
	}
	if c.MinRequests == 0 {
		c.MinRequests = DefaultBreakerMinRequests
	}
	if c.Window <= 0 {
		c.Window = DefaultBreakerWindow
	}
	if c.OpenTimeout <= 0 {
		c.OpenTimeout = DefaultBreakerOpenTimeout
	}
	if c.Probes == 0 {
		c.Probes = DefaultBreakerProbes
	}
	return c
}

// Breaker is a circuit breaker over one Redis connection, installed as a go-redis hook
// (client.AddHook). It counts each command and pipeline as a success or a failure:
//
//   - a reply, a miss (redis.Nil) and a server error that only concerns the command
//     (WRONGTYPE, a script error, …) count as successes: the server answered;
//   - a failure to connect, a lost connection, a timeout and a server that cannot serve
//     (LOADING, READONLY, MASTERDOWN, CLUSTERDOWN, max clients) count as failures;
//   - a command whose caller's context ended, or on a closed client, is not counted.
//
// While open it refuses commands at once with a *BreakerOpenError: no connection, no
// retry. Dials pass unguarded, so go-redis's own reconnect probes keep working.
type Breaker struct {
	role        string
	openTimeout time.Duration
	cb          *gobreaker.TwoStepCircuitBreaker[struct{}]
	// probeAt is when the breaker, open, lets probes through (Unix nanoseconds).
	probeAt       atomic.Int64
	onStateChange func(BreakerState)
}

var _ redis.Hook = (*Breaker)(nil)

// errNotCounted stands in for a command outcome the breaker must not count.
var errNotCounted = errors.New("not counted")

// NewBreaker returns a closed breaker configured by cfg.
func NewBreaker(cfg BreakerConfig) *Breaker {
	cfg = cfg.withDefaults()
	b := &Breaker{role: cfg.Role, openTimeout: cfg.OpenTimeout, onStateChange: cfg.OnStateChange}
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         cfg.Role,
		MaxRequests:  cfg.Probes,
		Interval:     cfg.Window,
		BucketPeriod: cfg.Window / breakerBuckets,
		Timeout:      cfg.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			counted := c.Requests - min(c.TotalExclusions, c.Requests)
			return c.ConsecutiveFailures >= cfg.ConsecutiveFailures ||
				(counted >= cfg.MinRequests && float64(c.TotalFailures) >= cfg.FailureRatio*float64(counted))
		},
		OnStateChange: func(_ string, _, to gobreaker.State) { b.changed(to) },
		IsExcluded:    func(err error) bool { return errors.Is(err, errNotCounted) },
	})
	return b
}

// State returns the breaker's current state.
func (b *Breaker) State() BreakerState { return b.cb.State() }

// changed records a transition; gobreaker calls it under its lock.
func (b *Breaker) changed(to BreakerState) {
	if to == BreakerOpen {
		b.probeAt.Store(time.Now().Add(b.openTimeout).UnixNano())
	}
	if b.onStateChange != nil {
		b.onStateChange(to)
	}
}

// DialHook implements redis.Hook; dials pass unguarded.
func (*Breaker) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (b *Breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return b.guard(ctx, func(ctx context.Context) error { return next(ctx, cmd) }, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook, for pipelines and transactions alike: a
// batch counts once.
func (b *Breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return b.guard(ctx, func(ctx context.Context) error { return next(ctx, cmds) }, cmds...)
	}
}

// guardedKey marks the context of a command the breaker let through. go-redis sends the
// commands that set up a new connection (HELLO, AUTH, SELECT, …) through the hooks too,
// within that context: they are part of the command's attempt, not commands of their
// own, so they pass unguarded and uncounted (and cannot use up half-open probes).
type guardedKey struct{ b *Breaker }

// guard runs run if the breaker allows it and counts its outcome; otherwise it fails
// cmds with a *BreakerOpenError.
func (b *Breaker) guard(ctx context.Context, run func(context.Context) error, cmds ...redis.Cmder) error {
	if ctx.Value(guardedKey{b}) != nil {
		return run(ctx)
	}
	done, err := b.cb.Allow()
	if err != nil {
		refused := &BreakerOpenError{Role: b.role, RetryAfter: b.retryAfter(err)}
		for _, cmd := range cmds {
			cmd.SetErr(refused)
		}
		return refused
	}
	err = run(context.WithValue(ctx, guardedKey{b}, true))
	done(verdict(ctx, err))
	return err
}

// retryAfter is how long until the breaker that refused a command with err lets a
// probe through.
func (b *Breaker) retryAfter(err error) time.Duration {
	if !errors.Is(err, gobreaker.ErrOpenState) {
		return 0 // half-open, its probes under way
	}
	return max(time.Until(time.Unix(0, b.probeAt.Load())), 0)
}

// verdict is what the breaker counts for a command of ctx that ended with err: nil (a
// success), errNotCounted, or err (a failure).
func verdict(ctx context.Context, err error) error {
	var reply redis.Error
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		return nil
	case ctx.Err() != nil || errors.Is(err, redis.ErrClosed):
		return errNotCounted
	case cannotServe(err):
		return err
	case errors.As(err, &reply):
		return nil
	default:
		return err
	}
}

// cannotServe reports whether err is a server's refusal to serve any command for now.
func cannotServe(err error) bool {
	return redis.IsLoadingError(err) || redis.IsReadOnlyError(err) || redis.IsMasterDownError(err) ||
		redis.IsClusterDownError(err) || redis.IsMaxClientsError(err)
}
