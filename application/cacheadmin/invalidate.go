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

// HandleFeature deletes every entry of feature (a literal feature name such as
// `user:profile`, every version and generation of it; features nested under the name go
// too) and reports how many it deleted. A name with a glob character or whitespace is a
// ValidationError on "feature": user input never becomes a wider pattern.
func (h *InvalidateHandler) HandleFeature(ctx context.Context, feature string) (int64, error) {
	if feature == "" || len(feature) > maxPatternLength-2 || strings.ContainsAny(feature, "*?[]\\ \t\r\n") {
		return 0, domain.NewValidationError("feature", "must be a literal feature name such as user:profile")
	}
	return h.Handle(ctx, feature+":*")
}
