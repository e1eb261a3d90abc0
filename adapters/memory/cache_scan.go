package memory

import (
	"context"
	"fmt"
	"strings"

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
