package redisstore

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/localtier"
	"github.com/studytool/studytool/ports"
)

// LocalCache is a CacheStore whose Get answers the keys of chosen features from a
// localtier.Tier, without a round trip, until Redis reports they changed. The tier must
// be kept coherent by a Tracker on the same server watching LocalCachePrefixes.
//
// Only Get is served locally; every write goes to Redis and also drops the keys it
// touched from this replica's tier at once (other replicas drop them when Redis's
// invalidation reaches them). Values are copied in and out, so no caller shares a
// slice with the tier.
type LocalCache struct {
	*CacheStore
	tier *localtier.Tier
	// features are the relative key prefixes (`user:profile:`) served from the tier.
	features []string
}

var _ ports.CacheStore = (*LocalCache)(nil)

// NewLocalCache puts tier in front of store's reads of the keys of features (cache
// feature names such as `user:profile`).
func NewLocalCache(store *CacheStore, tier *localtier.Tier, features ...string) *LocalCache {
	prefixes := make([]string, len(features))
	for i, f := range features {
		prefixes[i] = strings.TrimSuffix(f, ":") + ":"
	}
	return &LocalCache{CacheStore: store, tier: tier, features: prefixes}
}

// LocalCachePrefixes are the absolute key prefixes a Tracker must watch for a
// LocalCache of features in ks's cache namespace.
func LocalCachePrefixes(ks keyspace.Keyspace, features ...string) []string {
	out := make([]string, len(features))
	for i, f := range features {
		out[i] = ks.CacheNamespace() + strings.TrimSuffix(f, ":") + ":"
	}
	return out
}

// Get returns key's value, from the tier when key belongs to a local feature and the
// tier holds it.
func (s *LocalCache) Get(ctx context.Context, key string) ([]byte, error) {
	if !s.local(key) {
		return s.CacheStore.Get(ctx, key)
	}
	abs, err := s.ks.Cache(key)
	if err != nil {
		return s.CacheStore.Get(ctx, key)
	}
	if v, ok := s.tier.Get(abs); ok {
		if b, ok := v.([]byte); ok {
			return bytes.Clone(b), nil
		}
	}
	tk := s.tier.Begin(abs)
	val, err := s.CacheStore.Get(ctx, key)
	if err != nil {
		s.tier.Abandon(tk)
		return nil, err
	}
	s.tier.Fill(tk, bytes.Clone(val), int64(len(abs)+len(val)+64))
	return val, nil
}

// Set stores value (see CacheStore.Set) and drops key from this replica's tier.
func (s *LocalCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := s.CacheStore.Set(ctx, key, value, ttl)
	s.drop(key)
	return err
}

// Delete removes keys (see CacheStore.Delete) and drops them from this replica's tier.
func (s *LocalCache) Delete(ctx context.Context, keys ...string) (int64, error) {
	n, err := s.CacheStore.Delete(ctx, keys...)
	s.drop(keys...)
	return n, err
}

// DeletePattern removes the keys matching pattern (see CacheStore.DeletePattern) and
// empties this replica's tier of cache entries.
func (s *LocalCache) DeletePattern(ctx context.Context, pattern string) (int64, error) {
	n, err := s.CacheStore.DeletePattern(ctx, pattern)
	s.tier.InvalidatePrefix(s.ks.CacheNamespace())
	return n, err
}

// Incr increments key (see CacheStore.Incr) and drops it from this replica's tier.
func (s *LocalCache) Incr(ctx context.Context, key string) (int64, error) {
	n, err := s.CacheStore.Incr(ctx, key)
	s.drop(key)
	return n, err
}

func (s *LocalCache) local(key string) bool {
	for _, f := range s.features {
		if strings.HasPrefix(key, f) {
			return true
		}
	}
	return false
}

func (s *LocalCache) drop(keys ...string) {
	for _, k := range keys {
		if !s.local(k) {
			continue
		}
		if abs, err := s.ks.Cache(k); err == nil {
			s.tier.Invalidate(abs)
		}
	}
}
