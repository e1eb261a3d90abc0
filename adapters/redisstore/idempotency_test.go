package redisstore_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

func TestRedisIdempotencyStore_Contract_RequiresRedis(t *testing.T) {
	contract.IdempotencyStore(t, func(t *testing.T, policy ports.IdempotencyPolicy) contract.IdempotencyHarness {
		t.Helper()
		client, prefix := testenv.Redis(t)
		store := redisstore.NewIdempotencyStore(client, keyspace.MustNew("", prefix), policy)
		return contract.IdempotencyHarness{Store: store, Sleep: time.Sleep, OnStep: onRoundTrips(client)}
	})
}

// TestRedisIdempotencyStore_KeysAndValues_RequiresRedis pins the stored form: the record
// named by the SHA-256 of the client's key (never the key itself), JSON values, TTLs,
// and the user's index of digests.
func TestRedisIdempotencyStore_KeysAndValues_RequiresRedis(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	policy := ports.IdempotencyPolicy{LockTTL: time.Minute, Retention: 24 * time.Hour}
	store := redisstore.NewIdempotencyStore(client, keyspace.MustNew("", prefix), policy)
	const raw = "client-key-7f3a"
	digest := keyspace.IdempotencyDigest(raw)
	record := prefix + "idempotency:user-1:" + digest

	c, err := store.Claim(t.Context(), "user-1", raw, "fp-1")
	require.NoError(t, err)
	value, err := client.Get(t.Context(), record).Result()
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"fp":"fp-1","token":"`+c.Token+`"}`, value)
	ttl, err := client.PTTL(t.Context(), record).Result()
	require.NoError(t, err)
	assert.LessOrEqual(t, ttl, policy.LockTTL)
	assert.Positive(t, ttl)

	resp := ports.IdempotentResponse{Status: 201, Header: map[string]string{"Location": "/v1/decks/d1"}, Body: []byte(`{"id":"d1"}`)}
	require.NoError(t, store.Complete(t.Context(), "user-1", raw, c.Token, resp))
	value, err = client.Get(t.Context(), record).Result()
	require.NoError(t, err)
	body, err := json.Marshal(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"fp":"fp-1","resp":{"status":201,"header":{"Location":"/v1/decks/d1"},"body":`+string(body)+`}}`, value)
	ttl, err = client.PTTL(t.Context(), record).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, policy.LockTTL, "a kept response lives the retention")

	digests, err := client.ZRange(t.Context(), prefix+"idempotency:user-1", 0, -1).Result()
	require.NoError(t, err)
	assert.Equal(t, []string{digest}, digests)
	keys, err := client.Keys(t.Context(), prefix+"*").Result()
	require.NoError(t, err)
	for _, k := range keys {
		assert.NotContains(t, k, raw, "a key reveals the client's key")
	}
}

func TestRedisIdempotencyStore_UnusableUserIDs(t *testing.T) {
	t.Parallel()
	// User ids outside the key schema never reach Redis, so no server is needed.
	store := redisstore.NewIdempotencyStore(nil, keyspace.MustNew("test", ""), ports.IdempotencyPolicy{LockTTL: time.Minute, Retention: time.Hour})
	for _, id := range []string{"", "a:b", "a*", "a b"} {
		_, err := store.Claim(t.Context(), id, "key", "fp")
		require.ErrorIs(t, err, keyspace.ErrInvalidKey, "user id %q", id)
		require.NoError(t, store.Release(t.Context(), id, "key", "token"))
		require.NoError(t, store.DeleteUser(t.Context(), id))
	}
}
