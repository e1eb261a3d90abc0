package e2e_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/apptest"
)

// TestStudyFlow studies a deck over HTTP on each stack: three cards added in one batch,
// answered 5, 2 (requeued) and 4, the failed card drilled, the session finished. It
// checks the queue order, the progress of every card under SM-2, the review log, and
// that another user sees none of it.
func TestStudyFlow(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, aliceID := studyUser(t, a.Client(), "alice@example.com")
			bob, _ := studyUser(t, a.Client(), "bob@example.com")
			deckID, cards := createStudyDeck(t, alice, 3)
			c1, c2, c3 := cards[0], cards[1], cards[2]

			// Another user's deck is 404, to read and to study.
			res := bob.Do(http.MethodGet, "/v1/decks/"+deckID, nil)
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			res = bob.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deckID})
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			assert.Equal(t, "not_found", res.ProblemCode(t))

			// New cards are queued in deck order; the body has exactly the fields of the API.
			res = alice.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deckID})
			require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
			assertFields(t, res, "id", "deckId", "startedAt", "reviewed", "remaining", "nextCard")
			var sess studySessionBody
			res.JSON(t, &sess)
			assert.Equal(t, "/v1/study/sessions/"+sess.ID, res.Header.Get("Location"))
			assert.Equal(t, deckID, sess.DeckID)
			assert.Equal(t, 0, sess.Reviewed)
			assert.Equal(t, 3, sess.Remaining)
			require.NotNil(t, sess.NextCard)
			assert.Equal(t, nextCardBody{ID: c1.ID, Front: c1.Front, Back: c1.Back}, *sess.NextCard)
			path := "/v1/study/sessions/" + sess.ID
			if a.Redis != nil {
				key := a.Prefix + "study:sessions:" + aliceID + ":" + sess.ID
				ttl, err := a.Redis.PTTL(t.Context(), key).Result()
				require.NoError(t, err)
				assert.Positive(t, ttl, "the study session key %s lives under a TTL", key)
			}

			// Another user's study session is 404 to every verb.
			assert.Equal(t, http.StatusNotFound, bob.Do(http.MethodGet, path, nil).StatusCode)
			res = bob.Do(http.MethodPost, path+"/reviews", map[string]any{"cardId": c1.ID, "grade": 5})
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			assert.Equal(t, http.StatusNotFound, bob.Do(http.MethodPost, path+"/finish", nil).StatusCode)

			// 5: passed. The body has exactly the fields of the API.
			res = alice.Do(http.MethodPost, path+"/reviews", map[string]any{"cardId": c1.ID, "grade": 5, "durationMs": 4200})
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			assertFields(t, res, "progress", "reviewed", "remaining", "nextCard")
			var r reviewBody
			res.JSON(t, &r)
			requireProgressBody(t, r.Progress, c1.ID, 1, 260, 1, 0)
			assert.Equal(t, 1, r.Reviewed)
			assert.Equal(t, 2, r.Remaining)
			assert.Equal(t, c2.ID, r.NextCard.ID)

			// 2: failed, requeued at the end.
			r = answerCard(t, alice, sess.ID, c2.ID, 2)
			requireProgressBody(t, r.Progress, c2.ID, 0, 250, 1, 0)
			assert.Equal(t, 2, r.Reviewed)
			assert.Equal(t, 2, r.Remaining, "the failed card counts again")
			assert.Equal(t, c3.ID, r.NextCard.ID)

			// 4: passed; the failed card is next.
			r = answerCard(t, alice, sess.ID, c3.ID, 4)
			requireProgressBody(t, r.Progress, c3.ID, 1, 250, 1, 0)
			assert.Equal(t, 3, r.Reviewed)
			assert.Equal(t, 1, r.Remaining)
			assert.Equal(t, c2.ID, r.NextCard.ID)

			// Refused answers change nothing.
			for _, bad := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{"cardId": c2.ID, "grade": 6}, "grade"},
				{map[string]any{"cardId": c2.ID, "grade": -1}, "grade"},
				{map[string]any{"cardId": c2.ID}, "grade"},
				{map[string]any{"cardId": c2.ID, "grade": 4, "durationMs": -5}, "durationMs"},
				{map[string]any{"cardId": c1.ID, "grade": 4}, "cardId"},
			} {
				res = alice.Do(http.MethodPost, path+"/reviews", bad.body)
				assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%v: %s", bad.body, res.Body)
				assert.Equal(t, "validation_failed", res.ProblemCode(t))
				assert.Contains(t, string(res.Body), `"field":"`+bad.field+`"`)
			}
			res = alice.Do(http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			res.JSON(t, &sess)
			assert.Equal(t, 3, sess.Reviewed)
			assert.Equal(t, 1, sess.Remaining)
			assert.Equal(t, c2.ID, sess.NextCard.ID)

			// The drill of the failed card is logged and changes nothing (SM-2 vector V8).
			r = answerCard(t, alice, sess.ID, c2.ID, 5)
			requireProgressBody(t, r.Progress, c2.ID, 0, 250, 1, 0)
			assert.Equal(t, 4, r.Reviewed)
			assert.Equal(t, 0, r.Remaining)
			assert.Nil(t, r.NextCard)

			// Finish: the summary, then the session is gone.
			res = alice.Do(http.MethodPost, path+"/finish", nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			assertFields(t, res, "reviewed", "correct", "durationSeconds")
			var sum struct{ Reviewed, Correct, DurationSeconds int }
			res.JSON(t, &sum)
			assert.Equal(t, 4, sum.Reviewed)
			assert.Equal(t, 3, sum.Correct)
			assert.GreaterOrEqual(t, sum.DurationSeconds, 0)
			assert.Equal(t, http.StatusNotFound, alice.Do(http.MethodGet, path, nil).StatusCode)
			assert.Equal(t, http.StatusNotFound, alice.Do(http.MethodPost, path+"/finish", nil).StatusCode)
			if a.Redis != nil {
				n, err := a.Redis.Exists(t.Context(), a.Prefix+"study:sessions:"+aliceID+":"+sess.ID).Result()
				require.NoError(t, err)
				assert.Zero(t, n, "finish deletes the key")
			}

			// The review log: four rows in answer order, each with its SM-2 states.
			log, err := a.reviews.ListByUser(t.Context(), aliceID)
			require.NoError(t, err)
			require.Len(t, log, 4)
			want := []struct {
				card   string
				grade  domain.Grade
				kind   domain.ReviewKind
				before domain.SchedState
				after  domain.SchedState
			}{
				{c1.ID, 5, domain.ReviewNew, domain.NewSchedState(), domain.SchedState{Repetitions: 1, EF: 260, IntervalDays: 1}},
				{c2.ID, 2, domain.ReviewNew, domain.NewSchedState(), domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1}},
				{c3.ID, 4, domain.ReviewNew, domain.NewSchedState(), domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1}},
				{c2.ID, 5, domain.ReviewDrill, domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1}, domain.SchedState{Repetitions: 0, EF: 250, IntervalDays: 1}},
			}
			for i, w := range want {
				got := log[i]
				assert.Equal(t, w.card, got.CardID, "row %d", i)
				assert.Equal(t, w.grade, got.Grade, "row %d", i)
				assert.Equal(t, w.kind, got.Kind, "row %d", i)
				assert.Equal(t, w.before, got.Before.State, "row %d", i)
				assert.Equal(t, w.after, got.After.State, "row %d", i)
				assert.False(t, got.Legacy, "row %d logs the whole schedule", i)
				assert.Zero(t, got.UTCOffsetSeconds, "row %d: the learner is in UTC", i)
				assert.Equal(t, sess.ID, got.StudySessionID, "row %d", i)
				assert.Equal(t, deckID, got.DeckID, "row %d", i)
				assert.Equal(t, aliceID, got.UserID, "row %d", i)
			}
			assert.Equal(t, 4200, log[0].DurationMs)

			// Progress rebuilt from the log is the progress the API serves.
			replayed, err := domain.Replay(log)
			require.NoError(t, err)
			require.Len(t, replayed, 3)
			for _, p := range replayed {
				sameAsReplay(t, progressOf(t, alice, p.CardID), p)
				assert.Equal(t, http.StatusNotFound, bob.Do(http.MethodGet, "/v1/progress/"+p.CardID, nil).StatusCode)
			}

			// Nothing is due today and every card was studied: an empty session.
			next := startStudy(t, alice, deckID, 20)
			assert.Equal(t, 0, next.Remaining)
			assert.Nil(t, next.NextCard)
		})
	}
}

// TestStudyRequests checks the request rules of the study endpoints.
func TestStudyRequests(t *testing.T) {
	t.Parallel()
	a := startStudyApp(t, apptest.Embedded)
	alice, _ := studyUser(t, a.Client(), "requests@example.com")
	deckID, cards := createStudyDeck(t, alice, 3)

	for _, tt := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"maxCards 0 is out of range", map[string]any{"deckId": deckID, "maxCards": 0}, http.StatusUnprocessableEntity, "maxCards"},
		{"maxCards above 200", map[string]any{"deckId": deckID, "maxCards": 201}, http.StatusUnprocessableEntity, "maxCards"},
		{"maxCards not an integer", map[string]any{"deckId": deckID, "maxCards": 2.5}, http.StatusUnprocessableEntity, "maxCards"},
		{"deckId missing", map[string]any{"maxCards": 2}, http.StatusUnprocessableEntity, "deckId"},
		{"unknown field", map[string]any{"deckId": deckID, "cards": 2}, http.StatusUnprocessableEntity, "cards"},
		{"malformed JSON", `{"deckId":`, http.StatusBadRequest, ""},
		{"unknown deck", map[string]any{"deckId": "no-such-deck"}, http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := alice.Do(http.MethodPost, "/v1/study/sessions", tt.body)
			assert.Equal(t, tt.status, res.StatusCode, "body: %s", res.Body)
			if tt.field != "" {
				assert.Contains(t, string(res.Body), `"field":"`+tt.field+`"`)
			}
		})
	}

	s := startStudy(t, alice, deckID, 2)
	assert.Equal(t, 2, s.Remaining, "maxCards bounds the queue")
	res := alice.Do(http.MethodPost, "/v1/study/sessions/"+s.ID+"/reviews", map[string]any{"cardId": cards[0].ID, "grade": 1e30})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body)
	res = alice.Do(http.MethodPost, "/v1/study/sessions/"+s.ID+"/reviews", map[string]any{"cardId": cards[2].ID, "grade": 4})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "a card of the deck not queued in the session")
	res = alice.Do(http.MethodGet, "/v1/study/sessions/no-such-session", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res = a.Client().Do(http.MethodGet, "/v1/study/sessions/"+s.ID, nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
}

// TestStudyConcurrentReviewsOfOneCard answers one new card in 20 study sessions of one
// user at once: 20 log rows, one of them graded (the card is not due again until
// tomorrow: the others are repeats), and progress equal to replaying them in commit
// order.
func TestStudyConcurrentReviewsOfOneCard(t *testing.T) {
	const sessions = 20
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, aliceID := studyUser(t, a.Client(), "concurrent@example.com")
			deckID, cards := createStudyDeck(t, alice, 1)
			card := cards[0]
			ids := make([]string, sessions)
			for i := range ids {
				sess := startStudy(t, alice, deckID, 1)
				require.Equal(t, card.ID, sess.NextCard.ID)
				ids[i] = sess.ID
			}

			codes := make([]int, sessions)
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Go(func() {
					body, _ := json.Marshal(map[string]any{"cardId": card.ID, "grade": 3 + i%3})
					codes[i] = postStatus(alice, "/v1/study/sessions/"+id+"/reviews", body)
				})
			}
			wg.Wait()
			for i, code := range codes {
				assert.Equal(t, http.StatusOK, code, "review %d", i)
			}

			log, err := a.reviews.ListByUser(t.Context(), aliceID)
			require.NoError(t, err)
			require.Len(t, log, sessions)
			assert.Equal(t, domain.ReviewNew, log[0].Kind, "the first committed review grades a new card")
			used := make(map[string]bool)
			for i, r := range log {
				used[r.StudySessionID] = true
				if i > 0 {
					assert.Equal(t, domain.ReviewRepeat, r.Kind, "row %d: graded once per due period", i)
				}
			}
			assert.ElementsMatch(t, ids, slices.Collect(maps.Keys(used)), "one review per study session")

			// Replay checks each row's before-state against its predecessor's after-state:
			// no review was computed on a stale state.
			replayed, err := domain.Replay(log)
			require.NoError(t, err)
			require.Len(t, replayed, 1)
			sameAsReplay(t, progressOf(t, alice, card.ID), replayed[0])
			stored, err := a.progress.Get(t.Context(), aliceID, card.ID)
			require.NoError(t, err)
			assert.Equal(t, replayed[0].State, stored.State)
			assert.Equal(t, int64(sessions), stored.Version, "one committed version per review")
		})
	}
}

// TestStudyDuplicateAnswerIsRecordedOnce sends one answer from two devices at once: one
// review is logged and the session moves on once.
func TestStudyDuplicateAnswerIsRecordedOnce(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startStudyApp(t, s)
			alice, aliceID := studyUser(t, a.Client(), "devices@example.com")
			deckID, cards := createStudyDeck(t, alice, 2)
			sess := startStudy(t, alice, deckID, 2)

			const devices = 4
			codes := make([]int, devices)
			var wg sync.WaitGroup
			for i := range devices {
				wg.Go(func() {
					body, _ := json.Marshal(map[string]any{"cardId": cards[0].ID, "grade": 5})
					codes[i] = postStatus(alice, "/v1/study/sessions/"+sess.ID+"/reviews", body)
				})
			}
			wg.Wait()
			for i, code := range codes {
				// A device that read the session after another's answer moved it on finds
				// the card no longer queued.
				assert.Contains(t, []int{http.StatusOK, http.StatusUnprocessableEntity}, code, "device %d", i)
			}
			assert.Contains(t, codes, http.StatusOK)
			t.Logf("statuses of the devices: %v", codes)

			log, err := a.reviews.ListByUser(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Len(t, log, 1)
			res := alice.Do(http.MethodGet, "/v1/study/sessions/"+sess.ID, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			var got studySessionBody
			res.JSON(t, &got)
			assert.Equal(t, 1, got.Reviewed)
			assert.Equal(t, 1, got.Remaining)
			assert.Equal(t, cards[1].ID, got.NextCard.ID)
		})
	}
}

// assertFields asserts that the JSON object in res has exactly the listed fields.
func assertFields(t *testing.T, res *apptest.Response, fields ...string) {
	t.Helper()
	var obj map[string]json.RawMessage
	res.JSON(t, &obj)
	assert.ElementsMatch(t, fields, slices.Collect(maps.Keys(obj)), "body: %s", res.Body)
}

// TestStudyAnswerRetriedAfterTheSessionWasLost: an answer is committed, then the state
// Redis loses the study session (as when it dies without persistence, before the client
// heard its answer). The client's retry of the same answer is answered 200 with the
// recorded result rather than 404, and nothing is recorded twice.
func TestStudyAnswerRetriedAfterTheSessionWasLost(t *testing.T) {
	t.Parallel()
	a := startStudyApp(t, apptest.Real)
	alice, aliceID := studyUser(t, a.Client(), "lost@example.com")
	deckID, cards := createStudyDeck(t, alice, 2)
	sess := startStudy(t, alice, deckID, 2)
	first := answerCard(t, alice, sess.ID, cards[0].ID, 5)

	key := a.Prefix + "study:sessions:" + aliceID + ":" + sess.ID
	n, err := a.Redis.Del(t.Context(), key).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "the study session is gone from Redis")

	res := alice.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/reviews", map[string]any{"cardId": cards[0].ID, "grade": 5})
	require.Equal(t, http.StatusOK, res.StatusCode, "the retry of a recorded answer: %s", res.Body)
	var retried reviewBody
	res.JSON(t, &retried)
	assert.Equal(t, first.Progress, retried.Progress)
	assert.Equal(t, 1, retried.Reviewed)
	assert.Zero(t, retried.Remaining, "the session is gone: nothing left to answer in it")
	assert.Nil(t, retried.NextCard)

	res = alice.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/reviews", map[string]any{"cardId": cards[1].ID, "grade": 5})
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "a new answer in the lost session")
	log, err := a.reviews.ListByUser(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Len(t, log, 1, "nothing recorded twice")
}
