package decks

import (
	"context"
	"log/slog"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
)

// featureDeckList caches each user's deck list (with card counts); schema version 1.
const (
	featureDeckList       = "decks:list"
	deckListSchemaVersion = 1
)

// ListCache holds each user's deck list in the cache and drops it whenever one of the
// user's decks or card counts changes.
type ListCache struct {
	cache  *cache.Cache
	logger *slog.Logger
}

// NewListCache builds the deck-list cache.
func NewListCache(c *cache.Cache, logger *slog.Logger) *ListCache {
	return &ListCache{cache: c, logger: logger}
}

func deckListKey(userID string) cache.Key {
	return cache.NewKey(featureDeckList, deckListSchemaVersion, userID)
}

// get returns userID's cached deck list, calling load on a miss.
func (l *ListCache) get(ctx context.Context, userID string, load func(context.Context) ([]domain.Deck, error)) ([]domain.Deck, error) {
	return cache.GetOrLoad(ctx, l.cache, deckListKey(userID), load)
}

// invalidate drops userID's deck list after a committed change. A failure is logged, not
// returned: the change itself succeeded, and the stale list lives at most its TTL.
func (l *ListCache) invalidate(ctx context.Context, userID string) {
	if err := l.cache.Invalidate(ctx, deckListKey(userID)); err != nil {
		l.logger.ErrorContext(ctx, "deck list cache not invalidated; stale until TTL", slog.String("user", userID), slog.Any("error", err))
	}
}
