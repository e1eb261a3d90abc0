package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/storeerr"
)

// deleteIndexed deletes every key a per-user index lists and then the index, in one
// pipeline (one key per command, so it holds on Cluster too); member names the key of one
// listed member. An index that does not exist deletes nothing.
func deleteIndexed(ctx context.Context, client redis.UniversalClient, indexKey string, member func(string) (string, error)) error {
	members, err := client.ZRange(ctx, indexKey, 0, -1).Result()
	if err != nil {
		return storeerr.Unavailable("redis", err)
	}
	keys := make([]string, len(members))
	for i, m := range members {
		if keys[i], err = member(m); err != nil {
			return err // a member the store itself wrote always makes a valid key
		}
	}
	_, err = client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range keys {
			p.Del(ctx, key)
		}
		p.Del(ctx, indexKey)
		return nil
	})
	if err != nil {
		return storeerr.Unavailable("redis", err)
	}
	return nil
}
