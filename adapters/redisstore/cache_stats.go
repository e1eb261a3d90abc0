package redisstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/redisinfo"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/ports"
)

// Stats reports, from INFO memory, keyspace and stats, the keys in the cache's database,
// the server's used memory and the keys it evicted; on a cluster, summed over the masters.
// The key count covers the whole database, not only the cache namespace: counting the
// namespace would need a full SCAN.
func (s *CacheStore) Stats(ctx context.Context) (ports.CacheStoreStats, error) {
	stats := ports.CacheStoreStats{Backend: "redis"}
	cluster, ok := s.client.(*redis.ClusterClient)
	if !ok {
		db := 0
		if c, ok := s.client.(*redis.Client); ok {
			db = c.Options().DB
		}
		if err := cacheAddInfo(ctx, s.client, db, &stats); err != nil {
			return ports.CacheStoreStats{}, fmt.Errorf("cache store: stats: %w", storeerr.Unavailable("cache", err))
		}
		return stats, nil
	}
	var mu sync.Mutex
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		var part ports.CacheStoreStats
		if err := cacheAddInfo(ctx, node, 0, &part); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		stats.Keys += part.Keys
		stats.MemoryBytes += part.MemoryBytes
		stats.EvictedKeys += part.EvictedKeys
		return nil
	})
	if err != nil {
		return ports.CacheStoreStats{}, fmt.Errorf("cache store: stats: %w", storeerr.Unavailable("cache", err))
	}
	return stats, nil
}

// cacheAddInfo reads one server's INFO and adds its figures for database db to stats.
func cacheAddInfo(ctx context.Context, client redis.UniversalClient, db int, stats *ports.CacheStoreStats) error {
	reply, err := client.Info(ctx, "memory", "keyspace", "stats").Result()
	if err != nil {
		return err
	}
	info := redisinfo.Parse(reply)
	stats.MemoryBytes += info.Int("used_memory")
	stats.EvictedKeys += info.Int("evicted_keys")
	stats.Keys += info.Keys(db)
	return nil
}
