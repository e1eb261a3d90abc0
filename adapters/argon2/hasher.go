// Package argon2 implements ports.PasswordHasher with argon2id (RFC 9106) through
// github.com/alexedwards/argon2id, under a memory budget: each hash takes Params.Memory,
// and a weighted semaphore admits at most Config.Concurrency hashes at once, so hostile
// traffic can make logins wait or fail with 503, never exhaust the process's memory.
package argon2

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/sync/semaphore"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var _ ports.PasswordHasher = (*Hasher)(nil)

// MemoryPerHash is the memory one hash takes, in bytes (64 MiB).
const MemoryPerHash = 64 << 20

// params are the argon2id cost parameters. They are pinned rather than taken from the
// host (the library's default parallelism is the CPU count, which changes per host and
// wraps to 0 in a uint8 on a 256-CPU machine), so a hash costs the same everywhere.
var params = argon2id.Params{
	Memory:      MemoryPerHash >> 10, // in KiB
	Iterations:  1,
	Parallelism: 2,
	SaltLength:  16,
	KeyLength:   32,
}

// Config bounds the hasher.
type Config struct {
	// Concurrency is how many hashes may run at once (each takes MemoryPerHash).
	Concurrency int
	// Wait is the longest a call waits for a slot before it fails with domain.BusyError.
	Wait time.Duration
}

// Stats are the hasher's figures, for metrics and tests.
type Stats struct {
	// InFlight is the number of hashes running now; Peak the most that ever ran at once.
	InFlight, Peak int64
	// Waiting is the number of calls waiting for a slot now.
	Waiting int64
	// Completed counts finished hashes; Busy the calls refused after waiting Config.Wait.
	Completed, Busy uint64
}

// Hasher hashes passwords with the pinned parameters, at most Config.Concurrency at once. It is safe for
// concurrent use.
type Hasher struct {
	cfg    Config
	slots  *semaphore.Weighted
	params argon2id.Params

	inFlight, peak, waiting atomic.Int64
	completed, busy         atomic.Uint64
}

// New returns a hasher with Params bounded by cfg; both fields must be positive.
func New(cfg Config) (*Hasher, error) {
	if cfg.Concurrency <= 0 || cfg.Wait <= 0 {
		return nil, fmt.Errorf("argon2: concurrency %d and wait %s must be positive", cfg.Concurrency, cfg.Wait)
	}
	return &Hasher{cfg: cfg, slots: semaphore.NewWeighted(int64(cfg.Concurrency)), params: params}, nil
}

// Hash returns the encoded argon2id hash of password with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	var encoded string
	err := h.run(ctx, func() (err error) {
		encoded, err = argon2id.CreateHash(password, &h.params)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("argon2: hash: %w", err)
	}
	return encoded, nil
}

// Verify reports whether password matches encoded, in constant time. A hash asking for
// more memory than a hash of this hasher is refused unhashed: it would break the memory budget.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	stored, _, _, err := argon2id.DecodeHash(encoded)
	if err != nil {
		return false, fmt.Errorf("argon2: verify: %w", err)
	}
	if stored.Memory > h.params.Memory || stored.Parallelism > h.params.Parallelism {
		return false, fmt.Errorf("argon2: verify: hash parameters m=%d p=%d exceed the budget", stored.Memory, stored.Parallelism)
	}
	var ok bool
	err = h.run(ctx, func() (err error) {
		ok, err = argon2id.ComparePasswordAndHash(password, encoded)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("argon2: verify: %w", err)
	}
	return ok, nil
}

// Stats returns the hasher's current figures.
func (h *Hasher) Stats() Stats {
	return Stats{
		InFlight: h.inFlight.Load(), Peak: h.peak.Load(), Waiting: h.waiting.Load(),
		Completed: h.completed.Load(), Busy: h.busy.Load(),
	}
}

// run waits for a slot (at most cfg.Wait, and never past ctx) and runs fn in it.
func (h *Hasher) run(ctx context.Context, fn func() error) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	return fn()
}

func (h *Hasher) acquire(ctx context.Context) error {
	waitCtx, cancel := context.WithTimeout(ctx, h.cfg.Wait)
	defer cancel()
	h.waiting.Add(1)
	err := h.slots.Acquire(waitCtx, 1)
	h.waiting.Add(-1)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		h.busy.Add(1)
		return &domain.BusyError{RetryAfter: h.cfg.Wait}
	default:
		return err
	}
	n := h.inFlight.Add(1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			return nil
		}
	}
}

func (h *Hasher) release() {
	h.inFlight.Add(-1)
	h.completed.Add(1)
	h.slots.Release(1)
}
