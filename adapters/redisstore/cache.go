package redisstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// cacheBatch bounds the keys of one UNLINK and one MGET, so no single command holds the
// server for long whatever the size of the cache.
const cacheBatch = 500

// cacheScanCount is the COUNT of one SCAN step. A step's cost grows with it (about
// 0.6 ms at 500 on the benchmark machine, during which other clients wait); at 250 the
// other clients' p99 rose half as much while deleting 1M keys took about as long.
const cacheScanCount = 250

// CacheStore is the Redis ports.CacheStore. Every key and pattern goes through the
// keyspace, so nothing a caller passes reaches outside `{prefix}cache:`. It runs on a
// standalone server, behind Sentinel or on a Redis Cluster, where multi-key reads and
// deletes are split into single-key commands (pipelined) and pattern deletion walks
// every master.
type CacheStore struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
}

var _ ports.CacheStore = (*CacheStore)(nil)

// NewCacheStore returns a cache store over client whose keys live in ks's cache
// namespace.
func NewCacheStore(client redis.UniversalClient, ks keyspace.Keyspace) *CacheStore {
	return &CacheStore{client: client, ks: ks}
}

// Get returns the value of key, or domain.ErrCacheMiss.
func (s *CacheStore) Get(ctx context.Context, key string) ([]byte, error) {
	abs, err := s.ks.Cache(key)
	if err != nil {
		return nil, fmt.Errorf("cache store: get: %w", err)
	}
	val, err := s.client.Get(ctx, abs).Bytes()
	switch {
	case isMiss(err):
		return nil, domain.ErrCacheMiss
	case err != nil:
		return nil, fmt.Errorf("cache store: get: %w", storeerr.Unavailable("cache", err))
	}
	return val, nil
}

// GetMany returns the values of the keys that hold one, with MGET in batches on a single
// server and pipelined GETs on a cluster (where MGET must not span hash slots).
func (s *CacheStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	abs, err := s.absolute(keys)
	if err != nil {
		return nil, fmt.Errorf("cache store: get many: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(abs); start += cacheBatch {
		end := min(start+cacheBatch, len(abs))
		if err := s.getBatch(ctx, keys[start:end], abs[start:end], out); err != nil {
			return nil, fmt.Errorf("cache store: get many: %w", storeerr.Unavailable("cache", err))
		}
	}
	return out, nil
}

func (s *CacheStore) getBatch(ctx context.Context, rel, abs []string, out map[string][]byte) error {
	if !IsCluster(s.client) {
		vals, err := s.client.MGet(ctx, abs...).Result()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if str, ok := v.(string); ok {
				out[rel[i]] = []byte(str)
			}
		}
		return nil
	}
	cmds := make([]*redis.StringCmd, len(abs))
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range abs {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !isMiss(err) {
		return err
	}
	for i, cmd := range cmds {
		val, err := cmd.Bytes()
		switch {
		case isMiss(err):
		case err != nil:
			return err
		default:
			out[rel[i]] = val
		}
	}
	return nil
}

// Set stores value under key for ttl (SET … PX).
func (s *CacheStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("cache store: set %s: ttl %s must be positive", key, ttl)
	}
	abs, err := s.ks.Cache(key)
	if err != nil {
		return fmt.Errorf("cache store: set: %w", err)
	}
	if err := s.client.Set(ctx, abs, value, ttl).Err(); err != nil {
		return fmt.Errorf("cache store: set: %w", storeerr.Unavailable("cache", err))
	}
	return nil
}

// Delete removes keys with UNLINK (memory is reclaimed off the main thread) and reports
// how many existed.
func (s *CacheStore) Delete(ctx context.Context, keys ...string) (int64, error) {
	abs, err := s.absolute(keys)
	if err != nil {
		return 0, fmt.Errorf("cache store: delete: %w", err)
	}
	var total int64
	for start := 0; start < len(abs); start += cacheBatch {
		n, err := cacheUnlink(ctx, s.client, abs[start:min(start+cacheBatch, len(abs))], IsCluster(s.client))
		total += n
		if err != nil {
			return total, fmt.Errorf("cache store: delete: %w", storeerr.Unavailable("cache", err))
		}
	}
	return total, nil
}

// DeletePattern removes the keys matching a glob pattern relative to the cache namespace
// with SCAN MATCH … COUNT 250 and UNLINK in batches of at most 500 keys, on every master
// of a cluster. It never uses KEYS or FLUSH*, so other clients keep being served while it
// runs. A pattern the keyspace refuses is a *domain.ValidationError on field "pattern".
func (s *CacheStore) DeletePattern(ctx context.Context, pattern string) (int64, error) {
	match, err := s.ks.CachePattern(pattern)
	if err != nil {
		return 0, fmt.Errorf("cache store: delete pattern: %w", domain.NewValidationError("pattern", err.Error()))
	}
	cluster, ok := s.client.(*redis.ClusterClient)
	if !ok {
		n, err := cacheScanUnlink(ctx, s.client, match, false)
		if err != nil {
			return n, fmt.Errorf("cache store: delete pattern: %w", storeerr.Unavailable("cache", err))
		}
		return n, nil
	}
	var total atomic.Int64
	err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := cacheScanUnlink(ctx, node, match, true)
		total.Add(n)
		return err
	})
	if err != nil {
		return total.Load(), fmt.Errorf("cache store: delete pattern: %w", storeerr.Unavailable("cache", err))
	}
	return total.Load(), nil
}

// cacheScanUnlink deletes the keys of one server (a standalone server or one cluster
// master) that match match, one SCAN page and one UNLINK batch at a time. slotBound
// says that client is part of a cluster (see cacheUnlink).
func cacheScanUnlink(ctx context.Context, client redis.UniversalClient, match string, slotBound bool) (int64, error) {
	var (
		total  int64
		cursor uint64
	)
	for {
		keys, next, err := client.Scan(ctx, cursor, match, cacheScanCount).Result()
		if err != nil {
			return total, err
		}
		// COUNT is a hint: a page may hold more keys than asked for.
		for start := 0; start < len(keys); start += cacheBatch {
			n, err := cacheUnlink(ctx, client, keys[start:min(start+cacheBatch, len(keys))], slotBound)
			total += n
			if err != nil {
				return total, err
			}
		}
		if next == 0 {
			return total, nil
		}
		cursor = next
	}
}

// cacheUnlink removes keys: one UNLINK on a single server; when slotBound (a cluster
// client or one of its nodes, where a command must keep to one hash slot), a pipeline of
// single-key UNLINKs.
func cacheUnlink(ctx context.Context, client redis.UniversalClient, keys []string, slotBound bool) (int64, error) {
	if !slotBound {
		return client.Unlink(ctx, keys...).Result()
	}
	cmds := make([]*redis.IntCmd, len(keys))
	_, err := client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Unlink(ctx, k)
		}
		return nil
	})
	var total int64
	for _, cmd := range cmds {
		total += cmd.Val()
	}
	return total, err
}

// Incr atomically increments the integer at key, creating it at 1.
func (s *CacheStore) Incr(ctx context.Context, key string) (int64, error) {
	abs, err := s.ks.Cache(key)
	if err != nil {
		return 0, fmt.Errorf("cache store: incr: %w", err)
	}
	n, err := s.client.Incr(ctx, abs).Result()
	if err != nil {
		return 0, fmt.Errorf("cache store: incr: %w", storeerr.Unavailable("cache", err))
	}
	return n, nil
}

// Ping reports whether the server answers.
func (s *CacheStore) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("cache store: ping: %w", storeerr.Unavailable("cache", err))
	}
	return nil
}

// absolute maps relative keys to keys in the cache namespace.
func (s *CacheStore) absolute(keys []string) ([]string, error) {
	abs := make([]string, len(keys))
	for i, k := range keys {
		a, err := s.ks.Cache(k)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	return abs, nil
}
