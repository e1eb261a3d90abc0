package redisstore_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
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

// TestRedisStudySessionStore_HistoryIsStored_RequiresRedis: the answers and undos a
// session keeps for undo are optional fields of the same layout, so a value written
// before they existed still reads (with an empty history).
func TestRedisStudySessionStore_HistoryIsStored_RequiresRedis(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	store := redisstore.NewStudySessionStore(client, keyspace.MustNew("", prefix), time.Hour)
	s := contract.NewStudySessionFixture("user-1", 2)
	require.NoError(t, store.Create(t.Context(), s))
	_, err := store.Update(t.Context(), "user-1", s.ID, func(cur *domain.StudySession) error {
		return cur.Record(cur.Queue[0], "review-1", 2)
	})
	require.NoError(t, err)

	key := prefix + "study:sessions:user-1:" + s.ID
	raw, err := client.Get(t.Context(), key).Result()
	require.NoError(t, err)
	assert.Contains(t, raw, `"history":[{"cardId":"`+s.Queue[0]+`","reviewId":"review-1","grade":2}]`)

	old := `{"v":1,"id":"old","userId":"user-1","deckId":"d","startedAt":"2026-01-02T03:04:05Z","queue":["c2"],
		"answers":{"c1":1},"reviewed":1,"correct":1}`
	require.NoError(t, client.Set(t.Context(), prefix+"study:sessions:user-1:old", old, time.Hour).Err())
	got, err := store.Get(t.Context(), "user-1", "old")
	require.NoError(t, err)
	assert.Empty(t, got.History)
	assert.Equal(t, 1, got.Reviewed)
	_, err = got.LastAnswer()
	require.ErrorIs(t, err, domain.ErrNothingToUndo)
}

// TestRedisStudySessionStore_ValueStaysBounded_RequiresRedis: a session is read and
// written whole on every answer, and one whose failed cards keep coming back has no end
// of answers, so its stored value must stop growing (domain.UndoableAnswers); it grew
// by an entry of its undo history per answer, and every answer decoded and encoded it
// all.
func TestRedisStudySessionStore_ValueStaysBounded_RequiresRedis(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	store := redisstore.NewStudySessionStore(client, keyspace.MustNew("", prefix), time.Hour)
	s := contract.NewStudySessionFixture("user-1", 20)
	require.NoError(t, store.Create(t.Context(), s))
	key := prefix + "study:sessions:user-1:" + s.ID

	answer := func(n int) int64 {
		t.Helper()
		for range n {
			_, err := store.Update(t.Context(), "user-1", s.ID, func(cur *domain.StudySession) error {
				card, _ := cur.Next()
				return cur.Record(card, uuid.NewString(), 1) // failed: the card comes back
			})
			require.NoError(t, err)
		}
		size, err := client.StrLen(t.Context(), key).Result()
		require.NoError(t, err)
		return size
	}
	settled := answer(2 * domain.UndoableAnswers)
	grown := answer(8 * domain.UndoableAnswers)
	// A few bytes more for the counters' digits, none for the answers themselves.
	assert.InDelta(t, settled, grown, 16, "the stored session grows with its answers")

	got, err := store.Get(t.Context(), "user-1", s.ID)
	require.NoError(t, err)
	assert.Equal(t, 10*domain.UndoableAnswers, got.Reviewed)
	assert.Len(t, got.History, domain.UndoableAnswers, "answers remembered for undo")
}
