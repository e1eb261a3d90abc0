package cacheadmin

import (
	"context"
	"fmt"
	"strings"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// maxPatternLength bounds an invalidation pattern.
const maxPatternLength = 512

// InvalidateHandler deletes cache entries by pattern for operators.
type InvalidateHandler struct {
	cache ports.CacheLayer
}

// NewInvalidateHandler builds the handler.
func NewInvalidateHandler(c ports.CacheLayer) *InvalidateHandler {
	return &InvalidateHandler{cache: c}
}

// Handle deletes every cache entry matching pattern (`*` and `?` globs, relative to the
// cache namespace, e.g. `user:*`) and reports how many it deleted. The store confines the
// pattern to the cache namespace: it can never reach sessions, progress or another
// environment's keys.
func (h *InvalidateHandler) Handle(ctx context.Context, pattern string) (int64, error) {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" || len(pattern) > maxPatternLength {
		return 0, domain.NewValidationError("pattern", "must be 1 to 512 characters")
	}
	n, err := h.cache.InvalidatePattern(ctx, pattern)
	if err != nil {
		return n, fmt.Errorf("invalidate cache: %w", err)
	}
	return n, nil
}
