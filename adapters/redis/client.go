package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Topology modes a client can be built for.
const (
	ModeStandalone = "standalone"
	ModeSentinel   = "sentinel"
	ModeCluster    = "cluster"
)

// ClientConfig describes one Redis connection (one role: cache or state).
type ClientConfig struct {
	// Role names the connection in logs and metrics ("cache" or "state").
	Role string
	// Mode is standalone, sentinel or cluster.
	Mode string
	// URL (redis:// or rediss://) configures a standalone client; it wins over Addrs.
	URL string
	// Addrs are host:port seeds (standalone: the first; sentinel: the sentinels;
	// cluster: any nodes).
	Addrs []string
	// MasterName is the Sentinel master set name.
	MasterName string
	Password   string
	DB         int
	// PoolSize and MinIdleConns size the pool per node (0 = go-redis defaults).
	PoolSize     int
	MinIdleConns int
	// MaxRetries is how often a failed command is retried (with backoff).
	MaxRetries   int
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
}

// NewClient builds a client for cfg without connecting; call Ping to check it answers.
func NewClient(cfg ClientConfig) (redis.UniversalClient, error) {
	opts := &redis.UniversalOptions{
		Addrs:        cfg.Addrs,
		MasterName:   cfg.MasterName,
		Password:     cfg.Password,
		DB:           cfg.DB,
		PoolSize:     cfg.PoolSize,
		MinIdleConns: cfg.MinIdleConns,
		MaxRetries:   retries(cfg.MaxRetries),
		DialTimeout:  cfg.DialTimeout,
		ReadTimeout:  cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout,
		ClientName:   "studytool-" + cfg.Role,
	}
	switch cfg.Mode {
	case ModeStandalone, "":
		if cfg.URL != "" {
			parsed, err := redis.ParseURL(cfg.URL)
			if err != nil {
				return nil, fmt.Errorf("redis %s: parse url: %w", cfg.Role, err)
			}
			opts.Addrs = []string{parsed.Addr}
			opts.Username, opts.Password, opts.DB = parsed.Username, parsed.Password, parsed.DB
			opts.TLSConfig = parsed.TLSConfig
		}
		if len(opts.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: no address configured", cfg.Role)
		}
		opts.Addrs = opts.Addrs[:1]
		return redis.NewClient(opts.Simple()), nil
	case ModeSentinel:
		if cfg.MasterName == "" || len(cfg.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: sentinel mode needs sentinel addresses and a master name", cfg.Role)
		}
		return redis.NewFailoverClient(opts.Failover()), nil
	case ModeCluster:
		if len(cfg.Addrs) == 0 {
			return nil, fmt.Errorf("redis %s: cluster mode needs node addresses", cfg.Role)
		}
		return redis.NewClusterClient(opts.Cluster()), nil
	default:
		return nil, fmt.Errorf("redis %s: unknown mode %q", cfg.Role, cfg.Mode)
	}
}

// retries converts "0 retries" to go-redis's spelling of it (-1; 0 means its default 3).
func retries(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// Ping checks that client answers within ctx.
func Ping(ctx context.Context, client redis.UniversalClient) error {
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// IsCluster reports whether client talks to a Redis Cluster, where a multi-key command
// or script must keep to one hash slot.
func IsCluster(client redis.UniversalClient) bool {
	_, ok := client.(*redis.ClusterClient)
	return ok
}

// isMiss reports whether err is go-redis's "no such key" sentinel.
func isMiss(err error) bool { return errors.Is(err, redis.Nil) }
