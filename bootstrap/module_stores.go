package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RedisClients are the two logical Redis connections of docs/architecture.md: cache (evictable) and
// state (sessions, study sessions, rate limits, idempotency records; never evicted). They may be one server.
type RedisClients struct {
	Cache redis.UniversalClient
	State redis.UniversalClient
}

// storePingers name the health checks of the session and cache stores.
type storePingers struct {
	fx.Out
	Session ports.Pinger `name:"sessionStore"`
	Cache   ports.Pinger `name:"cacheStore"`
}

// RedisModule provides the Redis-backed stores over the cache and state connections,
// instruments the connections (see instrumentRedis) and routes go-redis's own log lines
// into the application's logger.
var RedisModule = fx.Module("redis",
	fx.Provide(
		newRedisClients,
		func(cfg Config) (keyspace.Keyspace, error) { return cfg.Keyspace() },
		newLocalTiers,
		func(t localTiers) LocalCacheSync { return t.sync },
		newRedisSessionStore,
		func(c RedisClients, ks keyspace.Keyspace) ports.KeyInventory {
			return redisstore.NewKeyInventory(c.Cache, c.State, ks)
		},
		func(c RedisClients, ks keyspace.Keyspace, m *observability.Metrics) ports.RateLimiter {
			return observability.CountRateLimits(redisstore.NewRateLimiter(c.State, ks), m)
		},
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace) *redisstore.StudySessionStore {
				return redisstore.NewStudySessionStore(c.State, ks, domain.StudySessionTTL)
			},
			fx.As(new(ports.StudySessionStore)),
		),
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace, cfg Config) *redisstore.IdempotencyStore {
				return redisstore.NewIdempotencyStore(c.State, ks, idempotencyPolicy(cfg))
			},
			fx.As(new(ports.IdempotencyStore)),
		),
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace, cfg Config) *redisstore.ProgressCache {
				return redisstore.NewProgressCache(c.Cache, ks, progressCacheTTL(cfg))
			},
			fx.As(new(ports.ProgressCache)),
		),
		newRedisCacheStore,
		func(c RedisClients) storePingers {
			return storePingers{
				Session: pingerFunc(func(ctx context.Context) error { return redisstore.Ping(ctx, c.State) }),
				Cache:   pingerFunc(func(ctx context.Context) error { return redisstore.Ping(ctx, c.Cache) }),
			}
		},
	),
	fx.Invoke(instrumentRedis, observability.RouteRedisLogs),
)

// MemoryModule provides the in-process twins of the Redis stores: the embedded default
// and the test setup. State lives as long as the process.
var MemoryModule = fx.Module("memory",
	fx.Provide(
		func() LocalCacheSync { return func(context.Context) error { return nil } },
		fx.Annotate(
			func(policy domain.SessionPolicy, clock ports.Clock, m *observability.Metrics) *memory.SessionStore {
				return memory.NewSessionStore(policy, clock, m)
			},
			fx.As(new(ports.SessionStore)),
		),
		func(clock ports.Clock, m *observability.Metrics) ports.RateLimiter {
			return observability.CountRateLimits(memory.NewRateLimiter(clock), m)
		},
		fx.Annotate(
			func(clock ports.Clock) *memory.StudySessionStore {
				return memory.NewStudySessionStore(domain.StudySessionTTL, clock)
			},
			fx.As(new(ports.StudySessionStore)),
		),
		fx.Annotate(
			func(clock ports.Clock, cfg Config) *memory.IdempotencyStore {
				return memory.NewIdempotencyStore(idempotencyPolicy(cfg), clock)
			},
			fx.As(new(ports.IdempotencyStore)),
		),
		fx.Annotate(
			func(clock ports.Clock, cfg Config) *memory.ProgressCache {
				return memory.NewProgressCache(clock, progressCacheTTL(cfg))
			},
			fx.As(new(ports.ProgressCache)),
		),
		fx.Annotate(memory.NewCacheStore, fx.As(new(ports.CacheStore)), fx.As(new(ports.CacheScanner))),
		func() storePingers {
			up := pingerFunc(func(context.Context) error { return nil })
			return storePingers{Session: up, Cache: up}
		},
	),
)

// newRedisSessionStore is the Redis session store, behind the local tier when there is
// one; the tier's write-backs are waited for before the Redis clients close.
func newRedisSessionStore(lc fx.Lifecycle, c RedisClients, ks keyspace.Keyspace, cfg Config, m *observability.Metrics, tiers localTiers) ports.SessionStore {
	store := redisstore.NewSessionStore(c.State, ks, sessionPolicy(cfg), m)
	if tiers.Session == nil {
		return store
	}
	local := redisstore.NewLocalSessions(store, tiers.Session)
	lc.Append(fx.Hook{OnStop: local.Wait})
	return local
}

// cacheStores are the Redis cache store as the cache layer and the operators' commands
// see it.
type cacheStores struct {
	fx.Out
	Store   ports.CacheStore
	Scanner ports.CacheScanner
}

// newRedisCacheStore is the Redis cache store, its LOCAL_CACHE_FEATURES read through the
// local tier when there is one.
func newRedisCacheStore(c RedisClients, ks keyspace.Keyspace, cfg Config, tiers localTiers) cacheStores {
	store := redisstore.NewCacheStore(c.Cache, ks)
	if tiers.Cache == nil {
		return cacheStores{Store: store, Scanner: store}
	}
	local := redisstore.NewLocalCache(store, tiers.Cache, cfg.Cache.LocalFeatures...)
	return cacheStores{Store: local, Scanner: local}
}

// pingerFunc adapts a function to ports.Pinger.
type pingerFunc func(ctx context.Context) error

// Ping implements ports.Pinger.
func (f pingerFunc) Ping(ctx context.Context) error { return f(ctx) }

// newRedisClients builds both connections, each guarded by a circuit breaker (see
// addBreakers); the start hook pings them (start-up fails when Redis does not answer),
// the stop hook closes them.
func newRedisClients(lc fx.Lifecycle, cfg Config, logger *slog.Logger, m *observability.Metrics) (RedisClients, error) {
	cacheCfg, err := cfg.RedisClient(RoleCache)
	if err != nil {
		return RedisClients{}, err
	}
	cache, err := redisstore.NewClient(cacheCfg)
	if err != nil {
		return RedisClients{}, err
	}
	state := cache
	if cfg.Redis.SessionURL != "" {
		stateCfg, err := cfg.RedisClient(RoleState)
		if err != nil {
			_ = cache.Close()
			return RedisClients{}, err
		}
		if state, err = redisstore.NewClient(stateCfg); err != nil {
			_ = cache.Close()
			return RedisClients{}, err
		}
	}
	clients := RedisClients{Cache: cache, State: state}
	addBreakers(clients, m, logger)
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			for role, c := range map[RedisRole]redis.UniversalClient{RoleCache: cache, RoleState: state} {
				if err := redisstore.Ping(ctx, c); err != nil {
					return fmt.Errorf("redis %s: %w", role, err)
				}
			}
			logger.Info("redis connected", slog.String("mode", cacheCfg.Mode), slog.Bool("separateState", state != cache))
			return nil
		},
		OnStop: func(context.Context) error {
			err := cache.Close()
			if state != cache {
				err = errors.Join(err, state.Close())
			}
			return err
		},
	})
	return clients, nil
}

// addBreakers guards each connection with a circuit breaker of its own, so a Redis that
// is down fails commands at once (the cache layer then serves from the database, the
// state stores answer 503) instead of after timeouts. Breaker states are exported as
// redis_breaker_state and transitions are logged. One connection serving both roles has
// one breaker, labelled observability.RoleShared.
func addBreakers(c RedisClients, m *observability.Metrics, logger *slog.Logger) {
	roles := map[string]redis.UniversalClient{observability.RoleShared: c.Cache}
	if c.State != c.Cache {
		roles = map[string]redis.UniversalClient{observability.RoleCache: c.Cache, observability.RoleState: c.State}
	}
	for role, client := range roles {
		m.SetBreakerState(role, observability.BreakerClosed)
		client.AddHook(redisstore.NewBreaker(redisstore.BreakerConfig{
			Role: role,
			OnStateChange: func(state redisstore.BreakerState) {
				m.SetBreakerState(role, observability.BreakerState(state))
				level := slog.LevelWarn
				if state == redisstore.BreakerClosed {
					level = slog.LevelInfo
				}
				logger.LogAttrs(context.Background(), level, "redis circuit breaker "+state.String(), slog.String("role", role))
			},
		}))
	}
}

// progressCacheTTL is how long a cached progress copy lives: the feature-level cache TTL
// (REDIS_CACHE_TTL). It bounds the memory the copies take and how long one can be served
// stale after a write-through that failed; a miss costs one indexed database read.
func progressCacheTTL(cfg Config) time.Duration { return cfg.Cache.DefaultTTL }

// redisInstrumentationParams are what instrumentRedis needs from the graph.
type redisInstrumentationParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config
	Logger    *slog.Logger
	Clients   RedisClients
	Keyspace  keyspace.Keyspace
	Metrics   *observability.Metrics
	Tracing   *observability.Tracing
}

// instrumentRedis adds the metrics and slow-operation hook (and spans, when tracing is
// on) to each Redis connection, exposes the connections' pool statistics, and polls
// their INFO from start to stop. It runs while the graph is built, before any command.
// One connection serving both roles is labelled observability.RoleShared.
func instrumentRedis(p redisInstrumentationParams) error {
	clients := []observability.RedisClient{{Role: observability.RoleShared, Client: p.Clients.Cache}}
	if p.Clients.State != p.Clients.Cache {
		clients = []observability.RedisClient{
			{Role: observability.RoleCache, Client: p.Clients.Cache},
			{Role: observability.RoleState, Client: p.Clients.State},
		}
	}
	for _, c := range clients {
		c.Client.AddHook(observability.NewRedisHook(p.Metrics, observability.RedisHookConfig{
			Role:          c.Role,
			Keyspace:      p.Keyspace,
			SlowThreshold: p.Config.Redis.SlowOpThreshold,
			Logger:        p.Logger,
		}))
		if err := p.Tracing.InstrumentRedis(c.Client); err != nil {
			return err
		}
	}
	if err := p.Metrics.Register(observability.NewPoolCollector(clients...)); err != nil {
		return err
	}
	poller, err := observability.NewInfoPoller(p.Metrics, observability.InfoPollerConfig{Logger: p.Logger}, clients...)
	if err != nil {
		return err
	}
	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			poller.Start(ctx)
			return nil
		},
		OnStop: poller.Stop,
	})
	return nil
}
