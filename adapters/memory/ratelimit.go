package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/studytool/studytool/ports"
)

// ratelimitSweepEvery is how many checks pass between two sweeps of the keys whose
// allowance has fully refilled.
const ratelimitSweepEvery = 1024

// RateLimiter is the in-process ports.RateLimiter, the Redis adapter's twin: the same
// generic cell rate algorithm (GCRA) as go-redis/redis_rate, which keeps one theoretical
// arrival time per key, timed by the injected clock. It is safe for concurrent use.
type RateLimiter struct {
	clock ports.Clock

	mu     sync.Mutex
	tats   map[string]time.Time
	checks int
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a limiter with no events recorded, timed by clock.
func NewRateLimiter(clock ports.Clock) *RateLimiter {
	return &RateLimiter{clock: clock, tats: make(map[string]time.Time)}
}

// Allow records one event for key under limit unless that would exceed it.
func (l *RateLimiter) Allow(_ context.Context, key string, limit ports.RateLimit) (ports.RateResult, error) {
	if err := ratelimitCheck(key, limit); err != nil {
		return ports.RateResult{}, err
	}
	interval := limit.Period / time.Duration(limit.Rate)
	burstOffset := interval * time.Duration(limit.Burst)

	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.sweepLocked(now)
	tat := l.tats[key]
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(interval)
	diff := now.Sub(newTAT.Add(-burstOffset))
	if diff < 0 {
		return ports.RateResult{RetryAfter: -diff}, nil
	}
	l.tats[key] = newTAT
	return ports.RateResult{Allowed: true, Remaining: int(diff / interval)}, nil
}

// Refund gives back one event recorded for key under limit.
func (l *RateLimiter) Refund(_ context.Context, key string, limit ports.RateLimit) error {
	if err := ratelimitCheck(key, limit); err != nil {
		return err
	}
	interval := limit.Period / time.Duration(limit.Rate)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	tat, ok := l.tats[key]
	if !ok || !tat.After(now) {
		return nil
	}
	if tat = tat.Add(-interval); tat.After(now) {
		l.tats[key] = tat
	} else {
		delete(l.tats, key)
	}
	return nil
}

// sweepLocked forgets, once per ratelimitSweepEvery checks, the keys that have refilled.
func (l *RateLimiter) sweepLocked(now time.Time) {
	l.checks++
	if l.checks < ratelimitSweepEvery {
		return
	}
	l.checks = 0
	for key, tat := range l.tats {
		if !tat.After(now) {
			delete(l.tats, key)
		}
	}
}

// ratelimitCheck validates the arguments of Allow as the Redis adapter does.
func ratelimitCheck(key string, limit ports.RateLimit) error {
	if scope, _, ok := strings.Cut(key, ":"); !ok || scope == "" {
		return fmt.Errorf("rate limiter: key %q is not scope:subject", key)
	}
	if limit.Rate <= 0 || limit.Burst <= 0 || limit.Period <= 0 {
		return fmt.Errorf("rate limiter: limit %+v: rate, burst and period must be positive", limit)
	}
	return nil
}
