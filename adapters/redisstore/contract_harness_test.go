package redisstore_test

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/test/contract"
)

// What the contract suites' harnesses see of a Redis store: its round trips, a user's
// raw session index, and keys planted beside the cache.

// onRoundTrips returns a harness's OnStep for the stores on client: a round trip to
// Redis (a command, a pipeline or a MULTI/EXEC) is a store's atomic step, and the hook
// runs once its reply is in, on the caller's goroutine, holding no connection.
func onRoundTrips(client redis.UniversalClient) func(step func()) {
	return func(step func()) { client.AddHook(roundTrips{step: step}) }
}

// roundTrips is a go-redis hook that calls step after each round trip.
type roundTrips struct{ step func() }

// DialHook leaves dialling alone: a new connection is not a step.
func (h roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook reports a command's round trip.
func (h roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.step()
		return err
	}
}

// ProcessPipelineHook reports a pipeline's or a transaction's round trip.
func (h roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.step()
		return err
	}
}

// sessionIndexLen returns a harness function that reads the raw size of a user's index.
func sessionIndexLen(client redis.UniversalClient, ks keyspace.Keyspace) func(context.Context, string) (int, error) {
	return func(ctx context.Context, userID string) (int, error) {
		key, err := ks.UserSessions(userID)
		if err != nil {
			return 0, err
		}
		n, err := client.ZCard(ctx, key).Result()
		return int(n), err
	}
}

// cacheHarness returns the contract harness of a cache store on client under ks: the
// suite's neighbours are planted with the raw client at their keys in ks, beside the
// store's cache namespace, as the session, progress and study stores would write them.
func cacheHarness(store *redisstore.CacheStore, client redis.UniversalClient, ks keyspace.Keyspace) contract.CacheHarness {
	return contract.CacheHarness{
		Store: store,
		Plant: func(ctx context.Context, n contract.Neighbour) error {
			key, err := n.Key(ks)
			if err != nil {
				return err
			}
			return client.Set(ctx, key, "planted beside the cache", time.Hour).Err()
		},
		Planted: func(ctx context.Context, n contract.Neighbour) (bool, error) {
			key, err := n.Key(ks)
			if err != nil {
				return false, err
			}
			found, err := client.Exists(ctx, key).Result()
			return found == 1, err
		},
	}
}
