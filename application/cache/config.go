package cache

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes a Cache.
type Config struct {
	// DefaultTTL is the lifetime of an entry unless GetOrLoad is given WithTTL.
	DefaultTTL time.Duration
	// NegativeTTL is the lifetime of a "not found" tombstone.
	NegativeTTL time.Duration
	// Beta weighs XFetch's early recomputation: 1 is the paper's optimum, above 1
	// recomputes earlier, below 1 later.
	Beta float64
	// Jitter spreads lifetimes: each TTL is scaled by a random factor in
	// [1-Jitter, 1+Jitter], so entries written together do not expire together. 0 to 0.5.
	Jitter float64
	// LoadTimeout bounds a detached load (store read, loader, store write), which runs on
	// its own context so that no caller's cancellation fails the others.
	LoadTimeout time.Duration
	// GenerationTTL is how long a process trusts the feature generations it read; other
	// processes see an InvalidateFeature within this time. 0 reads them once per request
	// (per call without a request cache).
	GenerationTTL time.Duration
}

// DefaultConfig returns the defaults: 5-minute entries, 30-second tombstones, β = 1,
// ±10 % jitter, 10-second loads and generations trusted for one second.
func DefaultConfig() Config {
	return Config{
		DefaultTTL:    5 * time.Minute,
		NegativeTTL:   30 * time.Second,
		Beta:          1,
		Jitter:        0.1,
		LoadTimeout:   10 * time.Second,
		GenerationTTL: time.Second,
	}
}

// validate reports every unusable setting.
func (c Config) validate() error {
	var errs []error
	if c.DefaultTTL <= 0 {
		errs = append(errs, fmt.Errorf("default TTL %s must be positive", c.DefaultTTL))
	}
	if c.NegativeTTL <= 0 {
		errs = append(errs, fmt.Errorf("negative TTL %s must be positive", c.NegativeTTL))
	}
	if c.Beta <= 0 {
		errs = append(errs, fmt.Errorf("beta %g must be positive", c.Beta))
	}
	if c.Jitter < 0 || c.Jitter > 0.5 {
		errs = append(errs, fmt.Errorf("jitter %g must be between 0 and 0.5", c.Jitter))
	}
	if c.LoadTimeout <= 0 {
		errs = append(errs, fmt.Errorf("load timeout %s must be positive", c.LoadTimeout))
	}
	if c.GenerationTTL < 0 {
		errs = append(errs, fmt.Errorf("generation TTL %s must not be negative", c.GenerationTTL))
	}
	return errors.Join(errs...)
}

// Option adjusts a Cache at construction.
type Option func(*Cache)

// WithRandom replaces the source of uniform numbers in [0, 1) that drives TTL jitter and
// XFetch; tests make both deterministic with it. The function must be safe for
// concurrent use.
func WithRandom(random func() float64) Option {
	return func(c *Cache) { c.random = random }
}

// LoadOption adjusts one GetOrLoad call.
type LoadOption func(*loadOptions)

type loadOptions struct {
	ttl time.Duration
}

// WithTTL sets the lifetime of the entry GetOrLoad writes (before jitter), e.g. a
// feature's own TTL; a non-positive ttl keeps the default.
func WithTTL(ttl time.Duration) LoadOption {
	return func(o *loadOptions) {
		if ttl > 0 {
			o.ttl = ttl
		}
	}
}
