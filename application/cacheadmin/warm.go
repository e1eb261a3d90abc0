package cacheadmin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
)

// WarmHandler fills the cache ahead of demand with the warmers the service runs at start
// (the operators' `cache warm`, the second half of a cache rebuild).
type WarmHandler struct {
	warmers []cache.Warmer
}

// NewWarmHandler builds the handler over warmers.
func NewWarmHandler(warmers []cache.Warmer) *WarmHandler {
	return &WarmHandler{warmers: warmers}
}

// Features lists the features that can be warmed.
func (h *WarmHandler) Features() []string {
	names := make([]string, len(h.warmers))
	for i, w := range h.warmers {
		names[i] = w.Feature
	}
	return names
}

// Handle runs the warmer of feature, or every warmer when feature is "", one after the
// other, and returns the features it warmed. An unknown feature is a ValidationError on
// "feature" naming those that can be warmed.
func (h *WarmHandler) Handle(ctx context.Context, feature string) ([]string, error) {
	if feature != "" && !slices.Contains(h.Features(), feature) {
		return nil, domain.NewValidationError("feature", "can be one of: "+strings.Join(h.Features(), ", "))
	}
	var warmed []string
	for _, w := range h.warmers {
		if feature != "" && w.Feature != feature {
			continue
		}
		if err := w.Warm(ctx); err != nil {
			return warmed, fmt.Errorf("warm cache feature %s: %w", w.Feature, err)
		}
		warmed = append(warmed, w.Feature)
	}
	return warmed, nil
}
