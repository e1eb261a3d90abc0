package memory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var _ ports.CacheScanner = (*CacheStore)(nil)

// ScanKeys implements ports.CacheScanner: the live keys matching pattern, in one page
// taken under the lock and handed to fn after it is released (fn may use the store).
func (s *CacheStore) ScanKeys(ctx context.Context, pattern string, fn func(keys []string) error) error {
	match, err := cacheKeys.CachePattern(pattern)
	if err != nil {
		return fmt.Errorf("cache store: scan: %w", domain.NewValidationError("pattern", err.Error()))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache store: scan: %w", err)
	}
	var keys []string
	s.mu.Lock()
	now := s.clock.Now()
	for k := range s.entries {
		if _, ok := s.live(k, now); ok && cacheGlobMatch(match, k) {
			keys = append(keys, strings.TrimPrefix(k, cacheKeys.CacheNamespace()))
		}
	}
	s.mu.Unlock()
	if len(keys) == 0 {
		return nil
	}
	return fn(keys)
}

// SampleKeys implements ports.CacheScanner: a key's bytes are its absolute key's and
// value's, as Stats counts them.
func (s *CacheStore) SampleKeys(ctx context.Context, keys []string) ([]ports.CacheKeySample, error) {
	abs, err := cacheKeysOf(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("cache store: sample: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]ports.CacheKeySample, 0, len(keys))
	for i, k := range abs {
		e, ok := s.live(k, now)
		if !ok {
			continue
		}
		ttl := time.Duration(-1)
		if !e.expires.IsZero() {
			ttl = e.expires.Sub(now)
		}
		out = append(out, ports.CacheKeySample{Key: keys[i], Bytes: int64(len(k) + len(e.value)), TTL: ttl})
	}
	return out, nil
}
