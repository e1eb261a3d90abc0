package bootstrap

import (
	"context"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/application/reference"
	"github.com/studytool/studytool/ports"
)

// Warm-up bounds: a fresh deploy fills the cache gradually instead of stampeding the
// database.
const (
	warmConcurrency = 2
	warmMaxJitter   = 2 * time.Second
	warmTimeout     = 30 * time.Second
)

// CacheModule provides the cache layer over the chosen ports.CacheStore, the cached
// reference data (organizations), the cache-backed reads of other features (deck lists,
// permissions), the operators' cache endpoints, and starts the warmers in the
// background on start (readiness does not wait for them).
var CacheModule = fx.Module("cache",
	fx.Provide(
		newCache,
		fx.Annotate(
			func(repo ports.OrganizationRepo, c *cache.Cache, cfg Config) *reference.CachedOrganizations {
				return reference.NewCachedOrganizations(repo, c, cfg.Cache.AppTTL)
			},
			fx.ParamTags(`name:"db"`),
		),
		func(o *reference.CachedOrganizations) ports.OrganizationRepo { return o },
		decks.NewListCache,
		profile.NewGetPermissionsHandler,
		cacheadmin.NewGetStatsHandler,
		cacheadmin.NewInvalidateHandler,
		asRoutes(func(a *httpapi.Authenticator, s *cacheadmin.GetStatsHandler, i *cacheadmin.InvalidateHandler) httpapi.RouteRegistrar {
			return &httpapi.AdminCacheHandlers{Authn: a, Stats: s, Invalidate: i}
		}),
	),
	fx.Invoke(startWarmers),
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

// startWarmers registers every feature's warmer and runs them after start-up, in the
// background.
func startWarmers(lc fx.Lifecycle, c *cache.Cache, orgs *reference.CachedOrganizations) {
	warmers := []cache.Warmer{orgs.Warmer()}
	lc.Append(fx.StartHook(func() {
		c.Warm(context.Background(), warmers, cache.WarmOptions{
			Concurrency: warmConcurrency, MaxJitter: warmMaxJitter, Timeout: warmTimeout,
		})
	}))
}
