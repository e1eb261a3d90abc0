package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/ports"
)

// The roles a KeyInventory reports keys under.
const (
	roleCache = "cache"
	roleState = "state"
)

// scanCount is the COUNT hint of each SCAN call: large enough to walk a million keys in
// a thousand round trips, small enough that no call blocks the server noticeably.
const scanCount = 1000

// KeyInventory implements ports.KeyInventory over the cache and state connections. The
// SCAN pattern is the deployment prefix, which keyspace.New keeps free of glob
// characters, followed by `*`: no user input ever reaches it.
type KeyInventory struct {
	cache, state redis.UniversalClient
	ks           keyspace.Keyspace
}

// NewKeyInventory returns the inventory of ks's keys on cache and state, which may be
// one connection.
func NewKeyInventory(cache, state redis.UniversalClient, ks keyspace.Keyspace) *KeyInventory {
	return &KeyInventory{cache: cache, state: state, ks: ks}
}

var _ ports.KeyInventory = (*KeyInventory)(nil)

// Scan implements ports.KeyInventory. A key found on a connection serving both roles is
// reported under the role its family belongs to (cache entries and progress copies
// "cache", others "state");
// on separate connections, under the connection it was found on.
func (i *KeyInventory) Scan(ctx context.Context, fn func([]ports.StoredKey) error) error {
	if i.cache == i.state {
		return i.scanClient(ctx, i.cache, "", fn)
	}
	if err := i.scanClient(ctx, i.cache, roleCache, fn); err != nil {
		return err
	}
	return i.scanClient(ctx, i.state, roleState, fn)
}

// scanClient scans every master of client; role "" means by family. ForEachMaster
// scans the masters concurrently: their batches reach fn one at a time.
func (i *KeyInventory) scanClient(ctx context.Context, client redis.UniversalClient, role string, fn func([]ports.StoredKey) error) error {
	var mu sync.Mutex
	serial := func(batch []ports.StoredKey) error {
		mu.Lock()
		defer mu.Unlock()
		return fn(batch)
	}
	scanNode := func(ctx context.Context, node *redis.Client) error {
		return i.scanNode(ctx, node, role, serial)
	}
	var err error
	if cluster, ok := client.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, scanNode)
	} else {
		err = i.scanNode(ctx, client, role, fn)
	}
	if err != nil {
		return fmt.Errorf("key inventory: scan: %w", err)
	}
	return nil
}

// scanNode walks one server's keys under the prefix, reading each batch's PTTL.
func (i *KeyInventory) scanNode(ctx context.Context, node redis.Cmdable, role string, fn func([]ports.StoredKey) error) error {
	var cursor uint64
	for {
		keys, next, err := node.Scan(ctx, cursor, i.ks.Prefix()+"*", scanCount).Result()
		if err != nil {
			return storeerr.Unavailable("redis", err)
		}
		if len(keys) > 0 {
			batch, err := i.describe(ctx, node, role, keys)
			if err != nil {
				return err
			}
			if err := fn(batch); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// describe parses keys and reads their remaining TTL in one pipeline.
func (i *KeyInventory) describe(ctx context.Context, node redis.Cmdable, role string, keys []string) ([]ports.StoredKey, error) {
	ttls := make([]*redis.DurationCmd, len(keys))
	_, err := node.Pipelined(ctx, func(p redis.Pipeliner) error {
		for n, key := range keys {
			ttls[n] = p.PTTL(ctx, key)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, storeerr.Unavailable("redis", err)
	}
	batch := make([]ports.StoredKey, 0, len(keys))
	for n, key := range keys {
		ttl := ttls[n].Val()
		if ttl == -2 {
			continue // expired between SCAN and PTTL
		}
		batch = append(batch, i.stored(role, key, ttl))
	}
	return batch, nil
}

// stored makes the ports.StoredKey of key.
func (i *KeyInventory) stored(role, key string, ttl time.Duration) ports.StoredKey {
	p, _ := i.ks.Parse(key)
	if role == "" {
		role = roleState
		if p.Family == keyspace.FamilyCache || p.Family == keyspace.FamilyProgress {
			role = roleCache
		}
	}
	return ports.StoredKey{
		Role: role, Key: key, Family: ports.KeyFamily(p.Family), Pattern: p.Pattern,
		UserID: p.UserID, ID: p.ID, CardID: p.CardID, TTL: ttl,
	}
}

// client returns the connection of role.
func (i *KeyInventory) client(role string) redis.UniversalClient {
	if role == roleCache {
		return i.cache
	}
	return i.state
}

// MemoryUsage implements ports.KeyInventory.
func (i *KeyInventory) MemoryUsage(ctx context.Context, role string, keys []string) ([]int64, error) {
	cmds := make([]*redis.IntCmd, len(keys))
	_, err := i.client(role).Pipelined(ctx, func(p redis.Pipeliner) error {
		for n, key := range keys {
			cmds[n] = p.MemoryUsage(ctx, key)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("key inventory: memory usage: %w", storeerr.Unavailable("redis", err))
	}
	bytes := make([]int64, len(keys))
	for n, c := range cmds {
		bytes[n] = c.Val()
	}
	return bytes, nil
}

// IndexMembers implements ports.KeyInventory.
func (i *KeyInventory) IndexMembers(ctx context.Context, role, key string) ([]string, error) {
	members, err := i.client(role).ZRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("key inventory: index members: %w", storeerr.Unavailable("redis", err))
	}
	return members, nil
}

// SessionIndexMembers implements ports.KeyInventory.
func (i *KeyInventory) SessionIndexMembers(ctx context.Context, role, userID string) ([]string, error) {
	key, err := i.ks.UserSessions(userID)
	if err != nil {
		return nil, fmt.Errorf("key inventory: session index of %q: %w", userID, err)
	}
	return i.IndexMembers(ctx, role, key)
}

// SessionOwners implements ports.KeyInventory.
func (i *KeyInventory) SessionOwners(ctx context.Context, role string, keys []string) ([]string, error) {
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := i.client(role).Pipelined(ctx, func(p redis.Pipeliner) error {
		for n, key := range keys {
			cmds[n] = p.HGet(ctx, key, sessionFieldUserID)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("key inventory: session owners: %w", storeerr.Unavailable("redis", err))
	}
	owners := make([]string, len(keys))
	for n, c := range cmds {
		owners[n] = c.Val()
	}
	return owners, nil
}

// Unlink implements ports.KeyInventory: one UNLINK per key in one pipeline, so that keys
// of different Cluster slots need no grouping.
func (i *KeyInventory) Unlink(ctx context.Context, role string, keys []string) (int64, error) {
	cmds := make([]*redis.IntCmd, len(keys))
	_, err := i.client(role).Pipelined(ctx, func(p redis.Pipeliner) error {
		for n, key := range keys {
			cmds[n] = p.Unlink(ctx, key)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("key inventory: unlink: %w", storeerr.Unavailable("redis", err))
	}
	var removed int64
	for _, c := range cmds {
		removed += c.Val()
	}
	return removed, nil
}

// RemoveIndexMembers implements ports.KeyInventory.
func (i *KeyInventory) RemoveIndexMembers(ctx context.Context, role, key string, members []string) error {
	args := make([]any, len(members))
	for n, m := range members {
		args[n] = m
	}
	if err := i.client(role).ZRem(ctx, key, args...).Err(); err != nil {
		return fmt.Errorf("key inventory: remove index members: %w", storeerr.Unavailable("redis", err))
	}
	return nil
}
