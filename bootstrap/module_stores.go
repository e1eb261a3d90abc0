package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/memory"
	redisstore "github.com/studytool/studytool/adapters/redis"
	"github.com/studytool/studytool/adapters/redis/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RedisClients are the two logical Redis connections of DESIGN.md: cache (evictable) and
// state (sessions, study sessions, rate limits; never evicted). They may be one server.
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

// RedisModule provides the Redis-backed stores over the cache and state connections.
var RedisModule = fx.Module("redis",
	fx.Provide(
		newRedisClients,
		func(cfg Config) (keyspace.Keyspace, error) { return cfg.Keyspace() },
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace, cfg Config) *redisstore.SessionStore {
				return redisstore.NewSessionStore(c.State, ks, sessionPolicy(cfg))
			},
			fx.As(new(ports.SessionStore)),
		),
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace) *redisstore.RateLimiter {
				return redisstore.NewRateLimiter(c.State, ks)
			},
			fx.As(new(ports.RateLimiter)),
		),
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace) *redisstore.StudySessionStore {
				return redisstore.NewStudySessionStore(c.State, ks, domain.StudySessionTTL)
			},
			fx.As(new(ports.StudySessionStore)),
		),
		fx.Annotate(
			func(c RedisClients, ks keyspace.Keyspace) *redisstore.ProgressCache {
				return redisstore.NewProgressCache(c.Cache, ks, progressCacheTTL)
			},
			fx.As(new(ports.ProgressCache)),
		),
		func(c RedisClients) storePingers {
			return storePingers{
				Session: pingerFunc(func(ctx context.Context) error { return redisstore.Ping(ctx, c.State) }),
				Cache:   pingerFunc(func(ctx context.Context) error { return redisstore.Ping(ctx, c.Cache) }),
			}
		},
	),
)

// MemoryModule provides the in-process twins of the Redis stores: the embedded default
// and the test setup. State lives as long as the process.
var MemoryModule = fx.Module("memory",
	fx.Provide(
		fx.Annotate(memory.NewSessionStore, fx.As(new(ports.SessionStore))),
		fx.Annotate(memory.NewRateLimiter, fx.As(new(ports.RateLimiter))),
		fx.Annotate(
			func(clock ports.Clock) *memory.StudySessionStore {
				return memory.NewStudySessionStore(domain.StudySessionTTL, clock)
			},
			fx.As(new(ports.StudySessionStore)),
		),
		fx.Annotate(
			func(clock ports.Clock) *memory.ProgressCache { return memory.NewProgressCache(clock, progressCacheTTL) },
			fx.As(new(ports.ProgressCache)),
		),
		func() storePingers {
			up := pingerFunc(func(context.Context) error { return nil })
			return storePingers{Session: up, Cache: up}
		},
	),
)

// pingerFunc adapts a function to ports.Pinger.
type pingerFunc func(ctx context.Context) error

// Ping implements ports.Pinger.
func (f pingerFunc) Ping(ctx context.Context) error { return f(ctx) }

// newRedisClients builds both connections; the start hook pings them (start-up fails when
// Redis does not answer), the stop hook closes them.
func newRedisClients(lc fx.Lifecycle, cfg Config, logger *slog.Logger) (RedisClients, error) {
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
