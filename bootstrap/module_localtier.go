package bootstrap

import (
	"context"
	"log/slog"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/localtier"
)

// localTiers are the in-process tiers in front of the Redis servers (LOCAL_CACHE): the
// one sessions are validated from and the one the local cache features are read from.
// Both are the same tier when one server serves both roles; either is nil when off.
type localTiers struct {
	Session *localtier.Tier
	Cache   *localtier.Tier

	trackers []*redisstore.Tracker
}

// LocalCacheSync returns once this replica's local tiers have applied every invalidation
// Redis sent them before the call; it does nothing when there is no tier. A test, or an
// operator's tooling, that changed Redis by other means calls it to know the replica has
// seen the change.
type LocalCacheSync func(ctx context.Context) error

// sync is the tiers' LocalCacheSync.
func (t localTiers) sync(ctx context.Context) error {
	for _, tr := range t.trackers {
		if err := tr.Sync(ctx); err != nil {
			return err
		}
	}
	return nil
}

// newLocalTiers builds the tiers and the Trackers that keep them coherent, started and
// stopped with the application, and exports their metrics. A role whose server is not a
// standalone Redis (Sentinel, Cluster) gets no tier: its reads keep going to Redis.
func newLocalTiers(lc fx.Lifecycle, cfg Config, c RedisClients, ks keyspace.Keyspace, logger *slog.Logger, m *observability.Metrics) (localTiers, error) {
	if !cfg.Cache.Local {
		logger.Info("local cache off (LOCAL_CACHE=off)")
		return localTiers{}, nil
	}
	bounds := localtier.Config{MaxEntries: cfg.Cache.LocalMaxEntries, MaxBytes: cfg.Cache.LocalMaxBytes}
	cachePrefixes := redisstore.LocalCachePrefixes(ks, cfg.Cache.LocalFeatures...)
	var built []*localtier.Tier
	var trackers []*redisstore.Tracker
	build := func(role string, client redis.UniversalClient, prefixes ...string) (*localtier.Tier, error) {
		if len(prefixes) == 0 {
			return nil, nil
		}
		tier, err := localtier.New(role, bounds)
		if err != nil {
			return nil, err
		}
		tracker, err := redisstore.NewTracker(client, tier, logger, prefixes...)
		if err != nil {
			logger.Info("local cache off for a redis role that is not a standalone server", slog.String("role", role))
			return nil, nil //nolint:nilerr // no tier is the answer for such a server, not a failure
		}
		lc.Append(fx.Hook{
			OnStart: func(ctx context.Context) error {
				tracker.Start(ctx)
				return nil
			},
			OnStop: tracker.Stop,
		})
		built = append(built, tier)
		trackers = append(trackers, tracker)
		return tier, nil
	}

	var tiers localTiers
	if c.State == c.Cache {
		tier, err := build(observability.RoleShared, c.Cache, append([]string{ks.SessionNamespace()}, cachePrefixes...)...)
		if err != nil {
			return localTiers{}, err
		}
		tiers = localTiers{Session: tier, Cache: tier}
	} else {
		var err error
		if tiers.Session, err = build(observability.RoleState, c.State, ks.SessionNamespace()); err != nil {
			return localTiers{}, err
		}
		if tiers.Cache, err = build(observability.RoleCache, c.Cache, cachePrefixes...); err != nil {
			return localTiers{}, err
		}
	}
	if len(built) > 0 {
		if err := m.Register(observability.NewLocalTierCollector(built...)); err != nil {
			return localTiers{}, err
		}
	}
	tiers.trackers = trackers
	return tiers, nil
}
