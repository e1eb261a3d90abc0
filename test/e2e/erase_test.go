package e2e_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/test/apptest"
)

// rawDB is a plain connection to the database of an app under test, beside the app.
type rawDB struct {
	db       *sql.DB
	postgres bool
}

// openRawDB opens the database cfg names (PostgreSQL or the SQLite file).
func openRawDB(t *testing.T, cfg gormdb.Config) *rawDB {
	t.Helper()
	driver, dsn := "pgx", cfg.URL
	if cfg.URL == "" {
		driver, dsn = "sqlite", cfg.SQLitePath
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return &rawDB{db: db, postgres: cfg.URL != ""}
}

// exec runs query, written with ? placeholders, and returns the rows it affected.
func (r *rawDB) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	res, err := r.db.ExecContext(t.Context(), r.rebind(query), args...)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	return n
}

// count returns the number of rows of table whose column is value.
func (r *rawDB) count(t *testing.T, table, column, value string) int {
	t.Helper()
	var n int
	query := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s = ?", table, column) // #nosec G201 -- the test's own constants
	require.NoError(t, r.db.QueryRowContext(t.Context(), r.rebind(query), value).Scan(&n))
	return n
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (r *rawDB) rebind(query string) string {
	if !r.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, ch := range query {
		if ch == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// redisMentions returns every key under prefix whose name or value mentions any of ids,
// each with what it holds: the scan an operator would run.
func redisMentions(ctx context.Context, t *testing.T, client *redis.Client, prefix string, ids ...string) []string {
	t.Helper()
	var found []string
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		content := key + " " + redisValue(ctx, t, client, key)
		for _, id := range ids {
			if strings.Contains(content, id) {
				found = append(found, key)
				break
			}
		}
	}
	require.NoError(t, iter.Err())
	return found
}

// redisValue renders what key holds, whatever its type.
func redisValue(ctx context.Context, t *testing.T, client *redis.Client, key string) string {
	t.Helper()
	var v any
	var err error
	switch typ := client.Type(ctx, key).Val(); typ {
	case "string":
		v, err = client.Get(ctx, key).Result()
	case "hash":
		v, err = client.HGetAll(ctx, key).Result()
	case "set":
		v, err = client.SMembers(ctx, key).Result()
	case "zset":
		v, err = client.ZRange(ctx, key, 0, -1).Result()
	case "list":
		v, err = client.LRange(ctx, key, 0, -1).Result()
	case "none":
		return "" // expired between the scan and the read
	default:
		t.Fatalf("key %s holds a %s, which the scan does not read", key, typ)
	}
	if errors.Is(err, redis.Nil) {
		return ""
	}
	require.NoError(t, err)
	return fmt.Sprint(v)
}

// studiedDeck creates a deck of n cards for c, studies two of them (so their progress is
// written and copied) and leaves a study session of it open; it returns the deck, its
// card ids and the open session's id.
func studiedDeck(t *testing.T, c *apptest.Client, n int) (string, []string, string) {
	t.Helper()
	deckID, cards := createStudyDeck(t, c, n)
	ids := make([]string, len(cards))
	for i, card := range cards {
		ids[i] = card.ID
	}
	done := startStudy(t, c, deckID, 2)
	answerCard(t, c, done.ID, done.NextCard.ID, 5)
	next := c.Do(http.MethodGet, "/v1/study/sessions/"+done.ID, nil)
	var s studySessionBody
	next.JSON(t, &s)
	answerCard(t, c, done.ID, s.NextCard.ID, 2)
	for _, id := range ids[:2] {
		progressOf(t, c, id) // reads the progress copies into Redis
	}
	open := startStudy(t, c, deckID, 5)
	return deckID, ids, open.ID
}

// TestDeckDeletionLeavesNothing: deleting a deck removes its cards, their progress and
// review log, every Redis key of them, and ends its open study sessions; the user's
// other deck is untouched.
func TestDeckDeletionLeavesNothing(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			db := openRawDB(t, a.Database())
			c, _ := studyUser(t, a.Client(), "deck-erase@example.com")
			doomed, cards, sessionID := studiedDeck(t, c, 5)
			other, otherCards, _ := studiedDeck(t, c, 3)
			require.NotZero(t, db.count(t, "progress", "deck_id", doomed))
			if a.Redis != nil {
				require.NotEmpty(t, redisMentions(t.Context(), t, a.Redis, a.Prefix, cards...), "the scan must see the deck's keys before")
			}

			res := c.Do(http.MethodDelete, "/v1/decks/"+doomed, nil)
			require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)

			for _, table := range []string{"cards", "progress", "reviews"} {
				assert.Zero(t, db.count(t, table, "deck_id", doomed), "%s rows of the deleted deck", table)
			}
			assert.Zero(t, db.count(t, "decks", "id", doomed))
			if a.Redis != nil {
				assert.Empty(t, redisMentions(t.Context(), t, a.Redis, a.Prefix, append(cards, doomed, sessionID)...),
					"Redis keys of the deleted deck, its cards or its study session")
			}
			assert.Equal(t, http.StatusNotFound, c.Do(http.MethodGet, "/v1/decks/"+doomed, nil).StatusCode)
			assert.Equal(t, http.StatusNotFound, c.Do(http.MethodGet, "/v1/study/sessions/"+sessionID, nil).StatusCode,
				"its open study session ended")
			assert.Equal(t, http.StatusNotFound, c.Do(http.MethodGet, "/v1/progress/"+cards[0], nil).StatusCode)

			assert.Equal(t, 3, db.count(t, "cards", "deck_id", other), "the other deck keeps its cards")
			assert.Equal(t, 1, progressOf(t, c, otherCards[0]).Repetitions+progressOf(t, c, otherCards[1]).Repetitions)
		})
	}
}

// TestAccountDeletionLeavesNothing: DELETE /v1/me with the password erases the user from
// every table and every Redis key (sessions, study sessions, progress copies, cached
// profile, lists and counts), while another user's data stays.
func TestAccountDeletionLeavesNothing(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			db := openRawDB(t, a.Database())
			c, userID := studyUser(t, a.Client(), "erase-me@example.com")
			studiedDeck(t, c, 4)
			studiedDeck(t, c, 2)
			second := a.Client()
			second.Token = second.Login("erase-me@example.com").Token // a second device
			require.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			require.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/study/summary", nil).StatusCode)
			bystander, bystanderID := studyUser(t, a.Client(), "stays@example.com")
			studiedDeck(t, bystander, 2)
			if a.Redis != nil {
				require.NotEmpty(t, redisMentions(t.Context(), t, a.Redis, a.Prefix, userID), "the scan must see the user's keys before")
			}

			res := c.Do(http.MethodDelete, "/v1/me", map[string]string{"password": "wrong password 1"})
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body)
			assert.Equal(t, []string{"password"}, res.ProblemFields(t), "a wrong password erases nothing")
			res = c.Do(http.MethodDelete, "/v1/me", map[string]string{"password": apptest.Password})
			require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)

			for _, table := range []string{"decks", "progress", "reviews", "changes"} {
				assert.Zero(t, db.count(t, table, "user_id", userID), "%s rows of the erased user", table)
			}
			assert.Zero(t, db.count(t, "users", "id", userID))
			if a.Redis != nil {
				left := redisMentions(t.Context(), t, a.Redis, a.Prefix, userID)
				assert.Empty(t, left, "Redis keys naming or holding the erased user")
				t.Logf("scan %s* after the deletion: %d keys of the erased user", a.Prefix, len(left))
				assert.NotEmpty(t, redisMentions(t.Context(), t, a.Redis, a.Prefix, bystanderID), "the other user's keys stay")
			}
			assert.Equal(t, http.StatusUnauthorized, second.Do(http.MethodGet, "/v1/me", nil).StatusCode, "every session ended")
			assert.Equal(t, http.StatusUnauthorized, a.Client().Do(http.MethodPost, "/v1/auth/login",
				map[string]string{"email": "erase-me@example.com", "password": apptest.Password}).StatusCode)
			assert.Equal(t, http.StatusOK, bystander.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			assert.NotZero(t, db.count(t, "progress", "user_id", bystanderID))
		})
	}
}
