package bootstrap

import (
	"context"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/cached"
	"github.com/studytool/studytool/ports"
)

// Warm-up bounds: a fresh deploy fills the cache gradually instead of stampeding the
// database.
const (
	warmConcurrency = 2
	warmMaxJitter   = 2 * time.Second
	warmTimeout     = 30 * time.Second
)

// CacheModule provides the cache layer over the chosen ports.CacheStore (also as
// ports.CacheLayer for the operators) and the cached repositories the use-cases see:
// ports.UserRepo, ports.ProfileRepo, ports.DeckRepo, ports.ProgressRepo and
// ports.OrganizationRepo, each wrapping the database's own.
var CacheModule = fx.Module("cache",
	fx.Provide(
		fx.Annotate(newCache, fx.As(fx.Self()), fx.As(new(ports.CacheLayer))),
		newCachedDeps,
		fx.Annotate(func(r DatabaseRepos, d cached.Deps) *cached.Users { return cached.NewUsers(r.Users, r.Profiles, d) },
			fx.As(new(ports.UserRepo)), fx.As(new(ports.ProfileRepo))),
		fx.Annotate(func(r DatabaseRepos, c ports.ProgressCache, d cached.Deps) *cached.Decks {
			return cached.NewDecks(r.Decks, c, d)
		}, fx.As(new(ports.DeckRepo))),
		fx.Annotate(func(r DatabaseRepos, c ports.ProgressCache, d cached.Deps) *cached.Progress {
			return cached.NewProgress(r.Progress, c, d)
		}, fx.As(new(ports.ProgressRepo))),
		fx.Annotate(func(r DatabaseRepos, d cached.Deps, cfg Config) *cached.Organizations {
			return cached.NewOrganizations(r.Organizations, d, cfg.Cache.AppTTL)
		}, fx.As(fx.Self()), fx.As(new(ports.OrganizationRepo))),
	),
)

// newCache builds the cache layer; the stop hook waits for its background work
// (early refreshes, sweeps, warmers) within the stop deadline.
func newCache(lc fx.Lifecycle, store ports.CacheStore, cfg Config, logger *slog.Logger, clock ports.Clock) (*cache.Cache, error) {
	c, err := cache.New(store, cache.Config{
		DefaultTTL:    cfg.Cache.DefaultTTL,
		NegativeTTL:   cfg.Cache.NegativeTTL,
		Beta:          cfg.Cache.XFetchBeta,
		Jitter:        cfg.Cache.TTLJitter,
		LoadTimeout:   cache.DefaultConfig().LoadTimeout,
		GenerationTTL: cache.DefaultConfig().GenerationTTL,
	}, logger.With(slog.String("component", "cache")), clock)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(c.Close))
	return c, nil
}

// newCachedDeps is what the cached repositories report to.
func newCachedDeps(c *cache.Cache, observer ports.CacheObserver, logger *slog.Logger) cached.Deps {
	return cached.Deps{Cache: c, Observer: observer, Logger: logger.With(slog.String("component", "cache"))}
}

// startWarmers runs every feature's warmer after start-up, in the background (readiness
// does not wait for them).
func startWarmers(lc fx.Lifecycle, c *cache.Cache, orgs *cached.Organizations) {
	lc.Append(fx.StartHook(func() {
		c.Warm(context.Background(), warmers(orgs), cache.WarmOptions{
			Concurrency: warmConcurrency, MaxJitter: warmMaxJitter, Timeout: warmTimeout,
		})
	}))
}

// warmers are what can be filled ahead of demand: at start and by `cache warm`.
func warmers(orgs *cached.Organizations) []cache.Warmer {
	return []cache.Warmer{orgs.Warmer()}
}
