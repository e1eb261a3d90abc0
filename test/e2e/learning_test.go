package e2e_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/apptest"
)

// day0 is a Monday, 10:00 UTC: a new account's learner day (UTC, from 04:00) started
// six hours before.
var day0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// onDay is 10:00 UTC n days after day0.
func onDay(n int) time.Time { return day0.AddDate(0, 0, n) }

// TestLearningOneGradedReviewPerDuePeriod reproduces a card graded twice: due at
// interval 6 (EF 2.50), queued in two study sessions and answered 5 in both a minute
// apart. The first answer takes the interval to 16; the second is logged as a repeat and
// changes nothing (it used to take it on to 44 days, EF 2.70). Then 20 answers of the
// due card from two sessions at once give exactly one graded review.
func TestLearningOneGradedReviewPerDuePeriod(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "twice@example.com")
			deckID, cards := createStudyDeck(t, l.Client, 1)
			card := cards[0].ID
			l.study(t, deckID, 4) // n 1, I 1
			l.at(t, onDay(1))
			l.study(t, deckID, 4) // n 2, I 6, EF 2.50
			l.at(t, onDay(7))

			first, second := startStudy(t, l.Client, deckID, 5), startStudy(t, l.Client, deckID, 5)
			require.Equal(t, card, first.NextCard.ID)
			require.Equal(t, card, second.NextCard.ID, "queued in both sessions")
			r := answerCard(t, l.Client, first.ID, card, 5)
			requireProgressBody(t, r.Progress, card, 3, 260, 16, 0)
			l.app.clock.Set(onDay(7).Add(time.Minute))
			r = answerCard(t, l.Client, second.ID, card, 5)
			requireProgressBody(t, r.Progress, card, 3, 260, 16, 0)

			log, err := a.reviews.ListByUser(t.Context(), l.id)
			require.NoError(t, err)
			kinds := make([]domain.ReviewKind, len(log))
			for i, row := range log {
				kinds[i] = row.Kind
			}
			assert.Equal(t, []domain.ReviewKind{domain.ReviewNew, domain.ReviewReview, domain.ReviewReview, domain.ReviewRepeat}, kinds)

			// Due again 16 days on: 20 answers from two sessions at once.
			l.at(t, onDay(7+16))
			sessions := []string{startStudy(t, l.Client, deckID, 5).ID, startStudy(t, l.Client, deckID, 5).ID}
			const answers = 20
			codes := make([]int, answers)
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() {
					body, _ := json.Marshal(map[string]any{"cardId": card, "grade": 5})
					codes[i] = postStatus(l.Client, "/v1/study/sessions/"+sessions[i%2]+"/reviews", body)
				})
			}
			wg.Wait()
			for i, code := range codes {
				// An answer to a session that already moved past the card finds it no
				// longer queued.
				assert.Contains(t, []int{http.StatusOK, http.StatusUnprocessableEntity}, code, "answer %d", i)
			}
			log, err = a.reviews.ListByUser(t.Context(), l.id)
			require.NoError(t, err)
			graded := 0
			for _, row := range log[len(kinds):] {
				if row.Kind.Graded() {
					graded++
				}
			}
			assert.Equal(t, 1, graded, "exactly one graded review of the due card")
			replayed, err := domain.Replay(log)
			require.NoError(t, err)
			sameAsReplay(t, progressOf(t, l.Client, card), replayed[0])
			assert.Equal(t, 4, replayed[0].State.Repetitions)
		})
	}
}

// TestLearningTokyoDay: a learner in Asia/Tokyo whose day starts at 04:00 passes a new
// card at 21:00 Tokyo time; it falls due at 04:00 Tokyo time the next day (19:00Z) and is
// offered from that moment, not 24 hours after the answer.
func TestLearningTokyoDay(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			answeredAt := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) // 21:00 in Tokyo
			a := startLearningApp(t, s, answeredAt)
			l := a.newLearner(t, "tokyo@example.com")

			res := l.patch(t, "/v1/me", map[string]any{"timeZone": "Asia/Tokyo", "dayStartHour": 4})
			var me struct {
				TimeZone     string `json:"timeZone"`
				DayStartHour int    `json:"dayStartHour"`
			}
			res.JSON(t, &me)
			assert.Equal(t, "Asia/Tokyo", me.TimeZone)
			assert.Equal(t, 4, me.DayStartHour)
			res = l.Do(http.MethodPatch, "/v1/me", map[string]any{"timeZone": "Mars/Olympus_Mons", "dayStartHour": 24})
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.ElementsMatch(t, []string{"timeZone", "dayStartHour"}, res.ProblemFields(t))

			deckID, cards := createStudyDeck(t, l.Client, 1)
			sess := startStudy(t, l.Client, deckID, 5)
			r := answerCard(t, l.Client, sess.ID, cards[0].ID, 4)
			assert.Equal(t, time.Date(2026, 3, 10, 19, 0, 0, 0, time.UTC), r.Progress.DueAt, "04:00 Tokyo time tomorrow")
			log, err := a.reviews.ListByUser(t.Context(), l.id)
			require.NoError(t, err)
			assert.Equal(t, 9*60*60, log[0].UTCOffsetSeconds, "the log records the learner's offset")

			l.at(t, time.Date(2026, 3, 10, 18, 59, 0, 0, time.UTC))
			n, _ := l.queueOf(t, deckID)
			assert.Zero(t, n, "03:59 in Tokyo: still the day it was answered")
			l.at(t, time.Date(2026, 3, 10, 19, 0, 0, 0, time.UTC))
			n, next := l.queueOf(t, deckID)
			assert.Equal(t, 1, n, "04:00 in Tokyo: a new day, the card is due")
			assert.Equal(t, cards[0].ID, next)
		})
	}
}

// TestLearningNewCardsPerDay: with newCardsPerDay 5 on a deck of 20 new cards, the first
// session offers 5 new cards, a second one the same day offers none, and the next
// learner day offers 5 more (after the 5 due again).
func TestLearningNewCardsPerDay(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "limits@example.com")
			deckID, cards := createStudyDeck(t, l.Client, 20)
			l.patch(t, "/v1/decks/"+deckID, map[string]any{"newCardsPerDay": 5})
			ids := make([]string, len(cards))
			for i, c := range cards {
				ids[i] = c.ID
			}

			assert.Equal(t, ids[:5], l.study(t, deckID, 5), "the first session: 5 new cards")
			n, _ := l.queueOf(t, deckID)
			assert.Zero(t, n, "a second session the same day: none")

			l.at(t, onDay(1).Add(-5*time.Hour)) // 05:00 the next day: the learner day turned at 04:00
			offered := l.study(t, deckID, 5)
			require.Len(t, offered, 10)
			assert.ElementsMatch(t, ids[:5], offered[:5], "the 5 due again first")
			assert.Equal(t, ids[5:10], offered[5:], "then 5 more new ones, in the order added")
		})
	}
}

// TestLearningLeech: the 8th lapse makes the card a leech and suspends it (the deck's
// defaults); it leaves the session at once and never enters another.
func TestLearningLeech(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "leech@example.com")
			deckID, cards := createStudyDeck(t, l.Client, 1)
			card := cards[0].ID
			day := 0
			var last reviewBody
			for lapse := 1; lapse <= 8; lapse++ {
				l.at(t, onDay(day))
				sess := startStudy(t, l.Client, deckID, 5)
				require.Equal(t, card, sess.NextCard.ID, "lapse %d: learn it", lapse)
				answerCard(t, l.Client, sess.ID, card, 4)
				l.at(t, onDay(day+1))
				sess = startStudy(t, l.Client, deckID, 5)
				require.Equal(t, card, sess.NextCard.ID, "lapse %d: due", lapse)
				last = answerCard(t, l.Client, sess.ID, card, 1)
				assert.Equal(t, lapse, last.Progress.Lapses)
				assert.Equal(t, lapse == 8, last.Progress.Leech, "lapse %d", lapse)
				day += 2
			}
			assert.True(t, last.Progress.Suspended)
			assert.Zero(t, last.Remaining, "the leech is not requeued")
			assert.Nil(t, last.NextCard)

			res := l.Do(http.MethodGet, "/v1/decks/"+deckID+"/cards", nil)
			var list struct {
				Cards []struct {
					ID        string `json:"id"`
					Suspended bool   `json:"suspended"`
					Leech     bool   `json:"leech"`
				} `json:"items"`
			}
			res.JSON(t, &list)
			require.Len(t, list.Cards, 1)
			assert.True(t, list.Cards[0].Suspended && list.Cards[0].Leech)
			for _, later := range []int{day, day + 3, day + 30} {
				l.at(t, onDay(later))
				n, _ := l.queueOf(t, deckID)
				assert.Zero(t, n, "day %d: a suspended leech enters no session", later)
			}

			l.patch(t, "/v1/decks/"+deckID+"/cards/"+card, map[string]any{"suspended": false})
			n, next := l.queueOf(t, deckID)
			assert.Equal(t, 1, n, "resumed, it is due again")
			assert.Equal(t, card, next)
		})
	}
}

// TestLearningUndo: undo puts back n, EF and I (S and D on an FSRS deck) exactly, the
// card returns to the queue, the log gains an undo row, and a rebuild from the log
// agrees with what is stored.
func TestLearningUndo(t *testing.T) {
	for _, s := range apptest.Stacks {
		for _, scheduler := range []string{"sm2", "fsrs"} {
			t.Run(string(s)+"/"+scheduler, func(t *testing.T) {
				t.Parallel()
				a := startLearningApp(t, s, onDay(0))
				l := a.newLearner(t, "undo-"+scheduler+"@example.com")
				deckID, _ := createStudyDeck(t, l.Client, 2)
				l.patch(t, "/v1/decks/"+deckID, map[string]any{"scheduler": scheduler})
				l.study(t, deckID, 4)
				l.at(t, onDay(3)) // due under both schedulers (SM-2: 1 day, FSRS: 2)
				sess := startStudy(t, l.Client, deckID, 5)
				require.Equal(t, 2, sess.Remaining, "both cards are due")
				card := sess.NextCard.ID
				before := progressOf(t, l.Client, card)

				r := answerCard(t, l.Client, sess.ID, card, 2)
				assert.NotEqual(t, before, r.Progress)

				res := l.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/undo", nil)
				require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
				assertFields(t, res, "id", "deckId", "startedAt", "reviewed", "remaining", "nextCard")
				var undone studySessionBody
				res.JSON(t, &undone)
				assert.Equal(t, 0, undone.Reviewed)
				assert.Equal(t, card, undone.NextCard.ID, "the card is back at the head of the queue")
				assert.Equal(t, before, progressOf(t, l.Client, card), "n, EF, I, S, D and due date as before")
				if scheduler == "fsrs" {
					require.NotNil(t, before.Stability)
					require.NotNil(t, before.Difficulty)
				}

				log, err := a.reviews.ListByUser(t.Context(), l.id)
				require.NoError(t, err)
				lastRow := log[len(log)-1]
				assert.Equal(t, domain.ReviewUndo, lastRow.Kind)
				assert.Equal(t, log[len(log)-2].ID, lastRow.UndoneID)
				replayed, err := domain.Replay(log)
				require.NoError(t, err)
				for _, p := range replayed {
					stored, err := a.progress.Get(t.Context(), l.id, p.CardID)
					require.NoError(t, err)
					assert.True(t, domain.SameCardState(p.CardState, stored.CardState), "rebuild of %s agrees", p.CardID)
				}

				res = l.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/undo", nil)
				assert.Equal(t, http.StatusConflict, res.StatusCode)
				assert.Equal(t, "nothing_to_undo", res.ProblemCode(t))

				// Answered here, then in another session: the first answer can no longer
				// be undone.
				answerCard(t, l.Client, sess.ID, card, 5)
				l.at(t, onDay(30))
				other := startStudy(t, l.Client, deckID, 5)
				answerCard(t, l.Client, other.ID, card, 5) // due, queued: answered out of order
				res = l.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/undo", nil)
				if res.StatusCode != http.StatusNotFound { // the first session may have expired by now
					assert.Equal(t, http.StatusConflict, res.StatusCode, "body: %s", res.Body)
					assert.Equal(t, "conflict", res.ProblemCode(t))
				}
			})
		}
	}
}

// TestLearningSwitchToFSRS: a deck studied under SM-2 switches to FSRS; each card's
// memory is what replaying its log through FSRS gives (the domain's replay), SM-2's
// state stays, and a new card passed with grade 4 gets FSRS-6's first memory.
func TestLearningSwitchToFSRS(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "fsrs@example.com")
			deckID, cards := createStudyDeck(t, l.Client, 3)
			l.patch(t, "/v1/decks/"+deckID, map[string]any{"newCardsPerDay": 2})
			for i, grade := range []int{4, 5, 2, 3, 5} {
				l.at(t, onDay(i*3))
				l.study(t, deckID, grade)
				l.patch(t, "/v1/decks/"+deckID, map[string]any{"newCardsPerDay": 0}) // the third card stays new
			}
			before := map[string]progressBody{}
			for _, c := range cards[:2] {
				before[c.ID] = progressOf(t, l.Client, c.ID)
				assert.Nil(t, before[c.ID].Stability, "an SM-2 deck shows no FSRS memory")
			}

			res := l.patch(t, "/v1/decks/"+deckID, map[string]any{"scheduler": "fsrs", "newCardsPerDay": 20})
			assert.Contains(t, string(res.Body), `"scheduler":"fsrs"`)
			log, err := a.reviews.ListByUser(t.Context(), l.id)
			require.NoError(t, err)
			answers := domain.EffectiveAnswers(log)
			for _, c := range cards[:2] {
				want, err := domain.ReplayFSRS(answers[c.ID], domain.DefaultFSRSWeights, domain.DefaultDayStartHour)
				require.NoError(t, err)
				got := progressOf(t, l.Client, c.ID)
				require.NotNil(t, got.Stability, "card %s", c.ID)
				assert.InDelta(t, want.Stability, *got.Stability, 1e-9)
				assert.InDelta(t, want.Difficulty, *got.Difficulty, 1e-9)
				require.NotNil(t, got.Retrievability)
				assert.True(t, *got.Retrievability > 0 && *got.Retrievability <= 1)
				assert.Equal(t, before[c.ID].Repetitions, got.Repetitions, "SM-2's state stays")
				assert.InDelta(t, before[c.ID].EasinessFactor, got.EasinessFactor, 1e-9)
			}

			sess := startStudy(t, l.Client, deckID, 5)
			var fresh *reviewBody
			for next := sess.NextCard; next != nil; {
				r := answerCard(t, l.Client, sess.ID, next.ID, 4)
				if next.ID == cards[2].ID {
					fresh = &r
				}
				next = r.NextCard
			}
			require.NotNil(t, fresh, "the new card was offered")
			require.NotNil(t, fresh.Progress.Stability)
			assert.InDelta(t, 2.3065, *fresh.Progress.Stability, 1e-4)
			assert.InDelta(t, 2.1181, *fresh.Progress.Difficulty, 1e-4)

			l.patch(t, "/v1/decks/"+deckID, map[string]any{"scheduler": "sm2"})
			got := progressOf(t, l.Client, cards[2].ID)
			assert.Nil(t, got.Stability, "back on SM-2")
			assert.Equal(t, 1, got.Repetitions, "SM-2's own state, kept all along")
		})
	}
}

// TestReviewLogExport: the learner's log in the FSRS optimizer's revlog columns, as CSV
// or JSON, of one deck or all; answers taken back are left out.
func TestReviewLogExport(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "export@example.com")
			other := a.newLearner(t, "other@example.com")
			deckID, cards := createStudyDeck(t, l.Client, 2)
			secondDeck, more := createStudyDeck(t, l.Client, 1)
			sess := startStudy(t, l.Client, deckID, 5)
			answerCard(t, l.Client, sess.ID, cards[0].ID, 5)
			answerCard(t, l.Client, sess.ID, cards[1].ID, 2)
			answerCard(t, l.Client, sess.ID, cards[1].ID, 4) // a drill
			answerCard(t, l.Client, startStudy(t, l.Client, secondDeck, 5).ID, more[0].ID, 3)
			l.at(t, onDay(1))
			sess = startStudy(t, l.Client, deckID, 5)
			answerCard(t, l.Client, sess.ID, cards[0].ID, 1)
			require.Equal(t, http.StatusOK, l.Do(http.MethodPost, "/v1/study/sessions/"+sess.ID+"/undo", nil).StatusCode)

			res := l.Do(http.MethodGet, "/v1/reviews/export?deckId="+deckID, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
			rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
			require.NoError(t, err)
			ms := strconv.FormatInt(onDay(0).UnixMilli(), 10)
			assert.Equal(t, [][]string{
				{"card_id", "review_time", "review_rating", "review_state", "review_duration"},
				{cards[0].ID, ms, "4", "0", "1005"},
				{cards[1].ID, ms, "1", "0", "1002"},
				{cards[1].ID, ms, "3", "1", "1004"},
			}, rows, "the undone answer of day 1 is left out; a drill of a card not yet learned is learning")

			res = l.Do(http.MethodGet, "/v1/reviews/export?format=json", nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			var entries []map[string]any
			res.JSON(t, &entries)
			require.Len(t, entries, 4, "every deck")
			assert.Equal(t, map[string]any{
				"card_id": more[0].ID, "review_time": float64(onDay(0).UnixMilli()), "review_rating": float64(2),
				"review_state": float64(0), "review_duration": float64(1003), "deck_id": secondDeck,
				"grade": float64(3), "kind": "new", "utc_offset_seconds": float64(0),
			}, entries[3])

			other.Token = other.Login(other.email).Token // the day passed for everyone
			assert.Equal(t, http.StatusNotFound, other.Do(http.MethodGet, "/v1/reviews/export?deckId="+deckID, nil).StatusCode)
			res = other.Do(http.MethodGet, "/v1/reviews/export", nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, "card_id,review_time,review_rating,review_state,review_duration\n", string(res.Body), "nothing of anyone else's")
			res = l.Do(http.MethodGet, "/v1/reviews/export?format=xml", nil)
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Equal(t, []string{"format"}, res.ProblemFields(t))
			res = l.Do(http.MethodGet, "/v1/reviews/export?deckId=not-a-deck", nil)
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		})
	}
}
