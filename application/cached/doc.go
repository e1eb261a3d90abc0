// Package cached holds the cached repositories: decorators that implement a port over the
// plain (database) repository and the cache, so use-cases read through the cache without
// knowing it. Each decorator owns its cache keys, its invalidation after a committed
// change, and the failures it absorbs (reported to one ports.CacheObserver and logged):
// a cache is an optimisation only, and never fails a call the data of record can answer.
//
//   - Users: ports.UserRepo and ports.ProfileRepo; profiles read through `user:profile`,
//     dropped when a user changes.
//   - Decks: ports.DeckRepo; deck lists read through `decks:list`, dropped when a deck or
//     a card count changes.
//   - Organizations: ports.OrganizationRepo read through `org` and `org:list`.
//   - Progress: ports.ProgressRepo over the progress copies (ports.ProgressCache): reads
//     through the copy, and a write-through copy after every committed review.
package cached

import (
	"context"
	"log/slog"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/ports"
)

// Deps are what every cached repository reports to: the cache layer, the observer of
// absorbed failures and the logger.
type Deps struct {
	Cache    *cache.Cache
	Observer ports.CacheObserver
	Logger   *slog.Logger
}

// invalidate drops keys after a committed change of feature. A failure is absorbed: the
// change itself succeeded, and the stale entries live at most their TTL, so it is logged
// loudly and counted.
func (d Deps) invalidate(ctx context.Context, feature string, keys ...cache.Key) {
	if err := d.Cache.Invalidate(ctx, keys...); err != nil {
		d.absorbed(ctx, feature, "invalidate", err)
	}
}

// absorbed reports a cache failure that the decorator answered without the cache, unless
// the request itself is over (a cancelled context is the client's doing).
func (d Deps) absorbed(ctx context.Context, feature, operation string, err error) {
	if ctx.Err() != nil {
		return
	}
	d.Observer.CacheFailureAbsorbed(feature, operation)
	d.Logger.LogAttrs(ctx, slog.LevelWarn, "cache "+operation+" failed; the data of record answered",
		slog.String("feature", feature), slog.Any("error", err))
}
