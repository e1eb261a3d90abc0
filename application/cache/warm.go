package cache

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Warmer fills one feature's entries ahead of demand, typically by calling the same
// GetOrLoad its use-case calls for each popular key.
type Warmer struct {
	// Feature names what is warmed, for logs.
	Feature string
	// Warm loads the entries; it should honour ctx.
	Warm func(ctx context.Context) error
}

// WarmOptions bound a warm-up run.
type WarmOptions struct {
	// Concurrency is how many warmers run at once (at least 1).
	Concurrency int
	// MaxJitter delays each warmer by a random duration up to this, so that instances
	// started together do not hit the database in step.
	MaxJitter time.Duration
	// Timeout bounds each warmer.
	Timeout time.Duration
}

// Warm runs warmers in the background with bounded concurrency and jitter and returns at
// once; the returned function waits for them (or for ctx to end). A failing warmer is
// logged and costs only misses later. Readiness never waits for warming.
func (c *Cache) Warm(ctx context.Context, warmers []Warmer, opts WarmOptions) (wait func()) {
	sem := make(chan struct{}, max(opts.Concurrency, 1))
	var wg sync.WaitGroup
	for _, w := range warmers {
		wg.Add(1)
		started := c.goBackground(func() {
			defer wg.Done()
			if !sleepCtx(ctx, c.done, randomDuration(opts.MaxJitter)) {
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			case <-c.done:
				return
			}
			defer func() { <-sem }()
			wctx, cancel := context.WithTimeout(ctx, opts.Timeout)
			defer cancel()
			// Close ends a warmer early: shutdown never waits for a slow database.
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				select {
				case <-c.done:
					cancel()
				case <-stop:
				}
			}()
			begin := c.clock.Now()
			if err := w.Warm(wctx); err != nil {
				c.logger.WarnContext(ctx, "cache warmer failed", slog.String("feature", w.Feature), slog.Any("error", err))
				return
			}
			c.logger.DebugContext(ctx, "cache warmed", slog.String("feature", w.Feature), slog.Duration("took", c.clock.Now().Sub(begin)))
		})
		if !started {
			wg.Done()
		}
	}
	return wg.Wait
}

// randomDuration returns a uniformly random duration in [0, d).
func randomDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d) //nolint:gosec // G404: jitter needs no cryptographic randomness
}

// sleepCtx waits d unless ctx ends or done closes first; it reports whether d elapsed.
func sleepCtx(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-done:
		return false
	}
}
