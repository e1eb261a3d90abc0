package redisstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

func TestRedisStudySessionStore_Contract_RequiresRedis(t *testing.T) {
	contract.StudySessionStore(t, func(t *testing.T, ttl time.Duration) contract.StudySessionHarness {
		t.Helper()
		client, prefix := testenv.Redis(t)
		store := redisstore.NewStudySessionStore(client, keyspace.MustNew("", prefix), ttl)
		return contract.StudySessionHarness{Store: store, TTL: store.TTL, Sleep: time.Sleep}
	})
}

// TestRedisStudySessionStore_KeyAndValue_RequiresRedis pins the stored form: the key of
// the schema, a JSON value, and a TTL.
func TestRedisStudySessionStore_KeyAndValue_RequiresRedis(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	store := redisstore.NewStudySessionStore(client, keyspace.MustNew("", prefix), time.Hour)
	s := contract.NewStudySessionFixture("user-1", 2)
	require.NoError(t, store.Create(t.Context(), s))

	key := prefix + "study:sessions:user-1:" + s.ID
	raw, err := client.Get(t.Context(), key).Result()
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"id":"`+s.ID+`","userId":"user-1","deckId":"`+s.DeckID+`",
		"startedAt":"`+s.StartedAt.Format(time.RFC3339Nano)+`","queue":["`+s.Queue[0]+`","`+s.Queue[1]+`"],
		"answers":{},"reviewed":0,"correct":0}`, raw)
	ttl, err := client.PTTL(t.Context(), key).Result()
	require.NoError(t, err)
	assert.Positive(t, ttl)
}

func TestRedisStudySessionStore_UnusableIDsAreNotFound(t *testing.T) {
	t.Parallel()
	// Ids outside the key schema never reach Redis, so no server is needed.
	store := redisstore.NewStudySessionStore(nil, keyspace.MustNew("test", ""), time.Hour)
	for _, id := range []string{"", "a:b", "a*", "a b"} {
		_, err := store.Get(t.Context(), "user-1", id)
		require.ErrorIs(t, err, domain.ErrNotFound, "id %q", id)
		_, err = store.Update(t.Context(), id, "s1", func(*domain.StudySession) error { return nil })
		require.ErrorIs(t, err, domain.ErrNotFound, "user id %q", id)
		require.NoError(t, store.Delete(t.Context(), "user-1", id))
	}
}
