package cacheadmin

import (
	"context"
	"log/slog"

	"github.com/studytool/studytool/ports"
)

// Stats is the cache layer's counters with the store's own figures.
type Stats struct {
	ports.CacheStats
	// Store is nil when the store could not report (it is down): the counters are still
	// worth seeing then.
	Store *ports.CacheStoreStats
}

// GetStatsHandler reports cache statistics.
type GetStatsHandler struct {
	cache  ports.CacheLayer
	store  ports.CacheStore
	logger *slog.Logger
}

// NewGetStatsHandler builds the handler.
func NewGetStatsHandler(c ports.CacheLayer, store ports.CacheStore, logger *slog.Logger) *GetStatsHandler {
	return &GetStatsHandler{cache: c, store: store, logger: logger}
}

// Handle returns the counters and, when the store answers, its figures.
func (h *GetStatsHandler) Handle(ctx context.Context) Stats {
	out := Stats{CacheStats: h.cache.Stats()}
	st, err := h.store.Stats(ctx)
	if err != nil {
		h.logger.WarnContext(ctx, "cache store stats unavailable", slog.Any("error", err))
		return out
	}
	out.Store = &st
	return out
}
