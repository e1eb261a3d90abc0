package progress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// GetProgress is the query for UserID's progress on CardID.
type GetProgress struct {
	UserID string
	CardID string
}

// GetProgressHandler reads one card's progress through the progress cache. The cache is
// an optimisation only: a miss or a failing cache falls back to the database, and a
// cache failure is logged and counted, never returned.
type GetProgressHandler struct {
	cache  ports.ProgressCache
	repo   ports.ProgressRepo
	logger *slog.Logger

	cacheFailures atomic.Uint64
}

// NewGetProgressHandler builds the handler; logger receives cache failures.
func NewGetProgressHandler(cache ports.ProgressCache, repo ports.ProgressRepo, logger *slog.Logger) *GetProgressHandler {
	return &GetProgressHandler{cache: cache, repo: repo, logger: logger}
}

// Handle returns the progress, or domain.ErrNotFound when the user never studied the
// card (or it is not theirs). A progress read from the database is copied into the cache
// on the way out, best-effort.
func (h *GetProgressHandler) Handle(ctx context.Context, q GetProgress) (*domain.Progress, error) {
	p, err := h.cache.Get(ctx, q.UserID, q.CardID)
	switch {
	case err == nil:
		return p, nil
	case !errors.Is(err, domain.ErrCacheMiss):
		h.cacheFailed(ctx, "read", err)
	}
	p, err = h.repo.Get(ctx, q.UserID, q.CardID)
	if err != nil {
		return nil, fmt.Errorf("get progress: %w", err)
	}
	if err := h.cache.Set(ctx, p); err != nil {
		h.cacheFailed(ctx, "populate", err)
	}
	return p, nil
}

// CacheFailures reports how many cache reads and writes failed since start, for metrics.
func (h *GetProgressHandler) CacheFailures() uint64 { return h.cacheFailures.Load() }

// cacheFailed logs and counts a cache failure, unless the request itself is over: a
// cancelled context is the client's doing, not the cache's.
func (h *GetProgressHandler) cacheFailed(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	h.cacheFailures.Add(1)
	h.logger.LogAttrs(ctx, slog.LevelWarn, "progress cache "+op+" failed; served from the database",
		slog.Any("error", err))
}
