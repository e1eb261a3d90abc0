package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/ports"
)

// stateScanCount is the COUNT hint of each SCAN page of a state backup.
const stateScanCount = 250

// StateKeyStore reads and restores the raw keys of the state role with SCAN, DUMP,
// PTTL and RESTORE, for `studytool state backup` and `state restore`.
type StateKeyStore struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
}

var _ ports.StateKeyStore = (*StateKeyStore)(nil)

// NewStateKeyStore returns the store over the state connection client.
func NewStateKeyStore(client redis.UniversalClient, ks keyspace.Keyspace) *StateKeyStore {
	return &StateKeyStore{client: client, ks: ks}
}

// Prefix implements ports.StateKeyStore.
func (s *StateKeyStore) Prefix() string { return s.ks.Prefix() }

// ScanState implements ports.StateKeyStore: SCAN MATCH on the prefix (every master of
// a cluster, one at a time through each), then DUMP and PTTL of each page in a
// pipeline.
func (s *StateKeyStore) ScanState(ctx context.Context, each func(ports.StateKey) error) error {
	cluster, ok := s.client.(*redis.ClusterClient)
	if !ok {
		return s.scanNode(ctx, s.client, each)
	}
	var mu sync.Mutex
	serialized := func(k ports.StateKey) error {
		mu.Lock()
		defer mu.Unlock()
		return each(k)
	}
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		return s.scanNode(ctx, node, serialized)
	})
	if err != nil {
		return fmt.Errorf("state store: scan: %w", err)
	}
	return nil
}

// scanNode walks the state keys of one server.
func (s *StateKeyStore) scanNode(ctx context.Context, node redis.UniversalClient, each func(ports.StateKey) error) error {
	var cursor uint64
	for {
		keys, next, err := node.Scan(ctx, cursor, s.ks.StatePattern(), stateScanCount).Result()
		if err != nil {
			return fmt.Errorf("state store: scan: %w", err)
		}
		if err := s.dumpPage(ctx, node, keys, each); err != nil {
			return err
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// dumpPage reads the DUMP and PTTL of the state keys among keys and passes them to each.
func (s *StateKeyStore) dumpPage(ctx context.Context, node redis.UniversalClient, keys []string, each func(ports.StateKey) error) error {
	type read struct {
		key  string
		dump *redis.StringCmd
		pttl *redis.DurationCmd
	}
	var reads []read
	pipe := node.Pipeline()
	for _, key := range keys {
		if s.ks.IsStateKey(key) {
			reads = append(reads, read{key: key, dump: pipe.Dump(ctx, key), pttl: pipe.PTTL(ctx, key)})
		}
	}
	if len(reads) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("state store: dump: %w", err)
	}
	for _, r := range reads {
		dump, err := r.dump.Bytes()
		ttl := r.pttl.Val()
		if errors.Is(err, redis.Nil) || ttl == -2 || (ttl >= 0 && ttl < time.Millisecond) {
			continue // gone, or expiring, since SCAN saw it
		}
		if err != nil {
			return fmt.Errorf("state store: dump %q: %w", r.key, err)
		}
		if err := each(ports.StateKey{Key: r.key, Dump: dump, TTL: max(ttl, 0)}); err != nil {
			return err
		}
	}
	return nil
}

// RestoreState implements ports.StateKeyStore with RESTORE (… REPLACE when replace).
// The key must be a state key of this prefix.
func (s *StateKeyStore) RestoreState(ctx context.Context, k ports.StateKey, replace bool) (bool, error) {
	if !s.ks.IsStateKey(k.Key) {
		return false, fmt.Errorf("state store: restore: %q is not a state key under %q", k.Key, s.ks.Prefix())
	}
	var err error
	if replace {
		err = s.client.RestoreReplace(ctx, k.Key, k.TTL, string(k.Dump)).Err()
	} else {
		err = s.client.Restore(ctx, k.Key, k.TTL, string(k.Dump)).Err()
	}
	if err != nil && strings.HasPrefix(err.Error(), "BUSYKEY") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("state store: restore %q: %w", k.Key, err)
	}
	return true, nil
}
