package redisstore

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

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
			return ports.CacheStoreStats{}, fmt.Errorf("cache store: stats: %w", cacheUnavailable(err))
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
		return ports.CacheStoreStats{}, fmt.Errorf("cache store: stats: %w", cacheUnavailable(err))
	}
	return stats, nil
}

// cacheAddInfo reads one server's INFO and adds its figures for database db to stats.
func cacheAddInfo(ctx context.Context, client redis.UniversalClient, db int, stats *ports.CacheStoreStats) error {
	info, err := client.Info(ctx, "memory", "keyspace", "stats").Result()
	if err != nil {
		return err
	}
	dbField := "db" + strconv.Itoa(db)
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok {
			continue
		}
		switch name {
		case "used_memory":
			stats.MemoryBytes += cacheParseInt(value)
		case "evicted_keys":
			stats.EvictedKeys += cacheParseInt(value)
		case dbField:
			// db9:keys=12,expires=3,avg_ttl=0
			for field := range strings.SplitSeq(value, ",") {
				if n, ok := strings.CutPrefix(field, "keys="); ok {
					stats.Keys += cacheParseInt(n)
				}
			}
		}
	}
	return sc.Err()
}

// cacheParseInt reads an INFO number; a field the server garbles counts as zero rather
// than failing an operator's report.
func cacheParseInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
