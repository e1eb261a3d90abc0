package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var _ ports.CacheScanner = (*CacheStore)(nil)

// ScanKeys implements ports.CacheScanner with SCAN MATCH … COUNT 250 on every master.
func (s *CacheStore) ScanKeys(ctx context.Context, pattern string, fn func(keys []string) error) error {
	match, err := s.ks.CachePattern(pattern)
	if err != nil {
		return fmt.Errorf("cache store: scan: %w", domain.NewValidationError("pattern", err.Error()))
	}
	var mu sync.Mutex
	relative := func(keys []string) error {
		for i, k := range keys {
			keys[i] = strings.TrimPrefix(k, s.ks.CacheNamespace())
		}
		mu.Lock()
		defer mu.Unlock()
		return fn(keys)
	}
	if cluster, ok := s.client.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return scanPages(ctx, node, match, relative)
		})
	} else {
		err = scanPages(ctx, s.client, match, relative)
	}
	if err != nil {
		return fmt.Errorf("cache store: scan: %w", storeerr.Unavailable("cache", err))
	}
	return nil
}

// scanPages hands fn each non-empty SCAN page of one server's keys matching match.
func scanPages(ctx context.Context, client redis.UniversalClient, match string, fn func([]string) error) error {
	var cursor uint64
	for {
		keys, next, err := client.Scan(ctx, cursor, match, cacheScanCount).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := fn(keys); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// SampleKeys implements ports.CacheScanner with pipelined MEMORY USAGE and PTTL (single
// key commands, so the pipeline is routed per key on Cluster).
func (s *CacheStore) SampleKeys(ctx context.Context, keys []string) ([]ports.CacheKeySample, error) {
	abs, err := s.absolute(keys)
	if err != nil {
		return nil, fmt.Errorf("cache store: sample: %w", err)
	}
	usage := make([]*redis.IntCmd, len(abs))
	ttls := make([]*redis.DurationCmd, len(abs))
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range abs {
			usage[i], ttls[i] = p.MemoryUsage(ctx, k), p.PTTL(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("cache store: sample: %w", storeerr.Unavailable("cache", err))
	}
	out := make([]ports.CacheKeySample, 0, len(keys))
	for i, k := range keys {
		if usage[i].Err() != nil || ttls[i].Val() == -2 {
			continue // gone meanwhile
		}
		out = append(out, ports.CacheKeySample{Key: k, Bytes: usage[i].Val(), TTL: ttls[i].Val()})
	}
	return out, nil
}
