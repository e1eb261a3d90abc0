package e2e_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// idempotencyConcurrency is how many copies of one request race in
// TestIdempotencyConcurrentDuplicates.
const idempotencyConcurrency = 8

// withKey returns a copy of c that sends Idempotency-Key: key with every request.
func withKey(c *apptest.Client, key string) *apptest.Client {
	keyed := *c
	keyed.Header = c.Header.Clone()
	keyed.Header.Set("Idempotency-Key", key)
	return &keyed
}

// deckCount returns how many decks the client's user has.
func deckCount(t *testing.T, c *apptest.Client) int {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/decks", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var list struct{ Items []struct{ ID string } }
	res.JSON(t, &list)
	return len(list.Items)
}

// TestIdempotencyRetriedDeckCreation: on each stack, a POST /v1/decks retried with its
// Idempotency-Key makes one deck and answers the same; the key with another body is
// refused; another user's identical key is theirs alone.
func TestIdempotencyRetriedDeckCreation(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, _ := studyUser(t, a.Client(), "alice@example.com")
			bob, _ := studyUser(t, a.Client(), "bob@example.com")
			key := uuid.NewString()
			deck := map[string]string{"name": "Capitals"}

			first := withKey(alice, key).Do(http.MethodPost, "/v1/decks", deck)
			require.Equal(t, http.StatusCreated, first.StatusCode, "body: %s", first.Body)
			assert.Empty(t, first.Header.Get("Idempotent-Replayed"))
			retry := withKey(alice, key).Do(http.MethodPost, "/v1/decks", deck)
			require.Equal(t, http.StatusCreated, retry.StatusCode, "body: %s", retry.Body)
			assert.Equal(t, "true", retry.Header.Get("Idempotent-Replayed"))
			assert.Equal(t, string(first.Body), string(retry.Body), "the same deck, id included")
			assert.Equal(t, first.Header.Get("Location"), retry.Header.Get("Location"))
			assert.Equal(t, first.Header.Get("Content-Type"), retry.Header.Get("Content-Type"))
			assert.Equal(t, 1, deckCount(t, alice))

			reused := withKey(alice, key).Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Rivers"})
			assert.Equal(t, http.StatusUnprocessableEntity, reused.StatusCode)
			assert.Equal(t, "idempotency_key_reused", reused.ProblemCode(t))
			assert.Equal(t, 1, deckCount(t, alice))

			theirs := withKey(bob, key).Do(http.MethodPost, "/v1/decks", deck)
			require.Equal(t, http.StatusCreated, theirs.StatusCode)
			assert.Empty(t, theirs.Header.Get("Idempotent-Replayed"), "keys are scoped by user")
			assert.Equal(t, 1, deckCount(t, bob))
		})
	}
}

// TestIdempotencyRetriedReview: on each stack, an answer retried with its
// Idempotency-Key is recorded once: one row in the review log, one review in the
// card's progress, and the first answer's body replayed.
func TestIdempotencyRetriedReview(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, aliceID := studyUser(t, a.Client(), "alice@example.com")
			deckID, cards := createStudyDeck(t, alice, 2)
			sess := startStudy(t, alice, deckID, 2)
			keyed := withKey(alice, uuid.NewString())
			answer := map[string]any{"cardId": cards[0].ID, "grade": 4, "durationMs": 1500}
			path := "/v1/study/sessions/" + sess.ID + "/reviews"

			first := keyed.Do(http.MethodPost, path, answer)
			require.Equal(t, http.StatusOK, first.StatusCode, "body: %s", first.Body)
			retry := keyed.Do(http.MethodPost, path, answer)
			require.Equal(t, http.StatusOK, retry.StatusCode, "body: %s", retry.Body)
			assert.Equal(t, "true", retry.Header.Get("Idempotent-Replayed"))
			assert.Equal(t, string(first.Body), string(retry.Body))

			log, err := a.reviews.ListByUser(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Len(t, log, 1, "the review is recorded once")
			assert.Equal(t, 1, progressOf(t, alice, cards[0].ID).Reviews)
			res := alice.Do(http.MethodGet, "/v1/study/sessions/"+sess.ID, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			var now studySessionBody
			res.JSON(t, &now)
			assert.Equal(t, 1, now.Reviewed)
		})
	}
}

// TestIdempotencyConcurrentDuplicates: on each stack, copies of one keyed POST sent at
// once make one deck: each copy gets the deck (run or replayed) or 409
// request_in_progress, never a deck of its own.
func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, _ := studyUser(t, a.Client(), "alice@example.com")
			keyed := withKey(alice, uuid.NewString())

			responses := make([]*apptest.Response, idempotencyConcurrency)
			errs := make([]error, idempotencyConcurrency)
			barrier := make(chan struct{})
			var wg sync.WaitGroup
			for i := range idempotencyConcurrency {
				wg.Go(func() {
					<-barrier
					responses[i], errs[i] = keyed.Try(http.MethodPost, "/v1/decks", map[string]string{"name": "Capitals"})
				})
			}
			close(barrier)
			wg.Wait()

			ids := map[string]bool{}
			for i, res := range responses {
				require.NoError(t, errs[i])
				switch res.StatusCode {
				case http.StatusCreated:
					var deck struct{ ID string }
					res.JSON(t, &deck)
					ids[deck.ID] = true
				case http.StatusConflict:
					assert.Equal(t, "request_in_progress", res.ProblemCode(t))
				default:
					t.Errorf("status %d: %s", res.StatusCode, res.Body)
				}
			}
			assert.Len(t, ids, 1, "every 201 is the same deck")
			assert.Equal(t, 1, deckCount(t, alice))
		})
	}
}

// TestIdempotencyKeyFormat: on each stack, a malformed Idempotency-Key is 422 naming the
// header, on authenticated and anonymous POSTs alike, and nothing is created.
func TestIdempotencyKeyFormat(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, _ := studyUser(t, a.Client(), "alice@example.com")
			res := withKey(alice, strings.Repeat("k", 256)).Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Capitals"})
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Equal(t, "validation_failed", res.ProblemCode(t))
			assert.Equal(t, []string{"Idempotency-Key"}, res.ProblemFields(t))
			assert.Zero(t, deckCount(t, alice))

			res = withKey(a.Client(), "ключ").Do(http.MethodPost, "/v1/auth/login",
				map[string]string{"email": "alice@example.com", "password": apptest.Password})
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Equal(t, []string{"Idempotency-Key"}, res.ProblemFields(t))
		})
	}
}

// TestIdempotencyRecordsGoWithTheAccount: deleting an account that holds idempotency
// records succeeds on each stack, and on the real one erases the record and the user's
// index from the state Redis.
func TestIdempotencyRecordsGoWithTheAccount(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, aliceID := studyUser(t, a.Client(), "alice@example.com")
			keyed := withKey(alice, uuid.NewString())
			require.Equal(t, http.StatusCreated, keyed.Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Capitals"}).StatusCode)
			pattern := a.Prefix + "idempotency:" + aliceID + "*"
			if a.Redis != nil {
				keys, err := a.Redis.Keys(t.Context(), pattern).Result()
				require.NoError(t, err)
				assert.Len(t, keys, 2, "a record and the user's index")
			}

			res := alice.Do(http.MethodDelete, "/v1/me", map[string]string{"password": apptest.Password})
			require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
			if a.Redis != nil {
				keys, err := a.Redis.Keys(t.Context(), pattern).Result()
				require.NoError(t, err)
				assert.Empty(t, keys, "the account's idempotency records are erased")
			}
		})
	}
}
