package e2e_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// cardItem is a card as the API lists it.
type cardItem struct {
	ID        string `json:"id"`
	DeckID    string `json:"deckId"`
	Front     string `json:"front"`
	Back      string `json:"back"`
	UpdatedAt string `json:"updatedAt"`
}

// deckItem is a deck as the API lists it.
type deckItem struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CardCount int    `json:"cardCount"`
	UpdatedAt string `json:"updatedAt"`
	DueToday  int    `json:"dueToday"`
	NewToday  int    `json:"newToday"`
}

// page is one page of a list.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// nextPage reads the page of path after cursor ("" for the first), limit items long.
func nextPage[T any](t *testing.T, c *apptest.Client, path, cursor string, limit int) page[T] {
	t.Helper()
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	res := c.Do(http.MethodGet, path+sep+q.Encode(), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var p page[T]
	res.JSON(t, &p)
	return p
}

// listAll reads every page of path.
func listAll[T any](t *testing.T, c *apptest.Client, path string) []T {
	t.Helper()
	var all []T
	cursor := ""
	for {
		p := nextPage[T](t, c, path, cursor, 500)
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		cursor = *p.NextCursor
	}
}

// addCards adds n cards named after prefix to deckID and returns them.
func addCards(t *testing.T, c *apptest.Client, deckID, prefix string, n int) []cardItem {
	t.Helper()
	batch := make([]map[string]string, n)
	for i := range batch {
		batch[i] = map[string]string{"front": prefix + " " + strconv.Itoa(i), "back": "back of " + prefix}
	}
	res := c.Do(http.MethodPost, "/v1/decks/"+deckID+"/cards", map[string]any{"cards": batch})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var added struct{ Cards []cardItem }
	res.JSON(t, &added)
	require.Len(t, added.Cards, n)
	return added.Cards
}

// TestCORSPreflight: a preflight from an allowed origin gets the CORS headers, with
// credentials and a cached answer; one from another origin gets none.
func TestCORSPreflight(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			const allowed = "https://app.example.com"
			a := apptest.Start(t, s, map[string]string{"CORS_ALLOWED_ORIGINS": allowed})
			preflight := func(origin string) *apptest.Response {
				c := a.Client()
				c.Header.Set("Origin", origin)
				c.Header.Set("Access-Control-Request-Method", http.MethodPost)
				c.Header.Set("Access-Control-Request-Headers", "authorization,content-type") // as browsers send it: sorted
				return c.Do(http.MethodOptions, "/v1/decks", nil)
			}
			res := preflight(allowed)
			assert.Less(t, res.StatusCode, 300, "body: %s", res.Body)
			assert.Equal(t, allowed, res.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
			assert.Contains(t, res.Header.Get("Access-Control-Allow-Methods"), http.MethodPost)
			assert.NotEmpty(t, res.Header.Get("Access-Control-Max-Age"), "the preflight is cached")

			res = preflight("https://evil.example")
			for name := range res.Header {
				assert.NotContains(t, name, "Access-Control-Allow", "another origin gets no CORS header")
			}
		})
	}
}

// TestPagesHoldStillUnderWrites: 120 cards read 50 at a time while 10 are added and 5
// deleted between the pages give every card that stayed exactly once, in the order they
// were added, with the added ones at the end and no deleted one after its deletion.
func TestPagesHoldStillUnderWrites(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c, _ := studyUser(t, a.Client(), "pages@example.com")
			deckID, original := createStudyDeck(t, c, 120)
			path := "/v1/decks/" + deckID + "/cards"

			first := nextPage[cardItem](t, c, path, "", 50)
			require.Len(t, first.Items, 50)
			require.NotNil(t, first.NextCursor)
			added := addCards(t, c, deckID, "later", 10)
			deleted := map[string]bool{}
			for _, id := range []string{first.Items[3].ID, first.Items[10].ID, original[70].ID, original[90].ID, original[118].ID} {
				res := c.Do(http.MethodDelete, path+"/"+id, nil)
				require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
				deleted[id] = true
			}

			seen := map[string]int{}
			var order []string
			for _, card := range first.Items {
				seen[card.ID]++
				order = append(order, card.ID)
			}
			for cursor := *first.NextCursor; ; {
				p := nextPage[cardItem](t, c, path, cursor, 50)
				for _, card := range p.Items {
					seen[card.ID]++
					order = append(order, card.ID)
					assert.False(t, deleted[card.ID], "a card listed after its deletion")
				}
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
			}
			for id, n := range seen {
				assert.Equal(t, 1, n, "card %s listed %d times", id, n)
			}
			assert.Len(t, seen, 120-3+10, "the 120, less the 3 deleted before their page, and the 10 added")
			for _, card := range added {
				assert.Equal(t, 1, seen[card.ID], "an added card is listed")
			}
			assert.Equal(t, added[9].ID, order[len(order)-1], "in the order the cards were added")
		})
	}
}

// TestConditionalRequests: an unchanged ETag is 304 without a body; an If-Match naming an
// older version is 412 and changes nothing; the current one lets the write through.
func TestConditionalRequests(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c, _ := studyUser(t, a.Client(), "etag@example.com")
			deckID, cards := createStudyDeck(t, c, 2)
			deckPath, cardPath := "/v1/decks/"+deckID, "/v1/decks/"+deckID+"/cards/"+cards[0].ID

			for _, path := range []string{deckPath, cardPath, "/v1/decks", "/v1/decks/" + deckID + "/cards"} {
				res := c.Do(http.MethodGet, path, nil)
				tag := res.Header.Get("ETag")
				require.NotEmpty(t, tag, path)
				c.Header.Set("If-None-Match", tag)
				res = c.Do(http.MethodGet, path, nil)
				c.Header.Del("If-None-Match")
				assert.Equal(t, http.StatusNotModified, res.StatusCode, path)
				assert.Empty(t, res.Body, path)
			}

			old := c.Do(http.MethodGet, deckPath, nil).Header.Get("ETag")
			res := c.Do(http.MethodPatch, deckPath, map[string]string{"name": "Renamed"})
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			current := res.Header.Get("ETag")
			require.NotEqual(t, old, current, "a change makes a new tag")

			c.Header.Set("If-Match", old)
			res = c.Do(http.MethodPatch, deckPath, map[string]string{"name": "Lost update"})
			assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode, "body: %s", res.Body)
			assert.Equal(t, "precondition_failed", res.ProblemCode(t))
			res = c.Do(http.MethodDelete, deckPath, nil)
			assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode, "body: %s", res.Body)
			c.Header.Set("If-Match", current)
			res = c.Do(http.MethodPatch, deckPath, map[string]string{"name": "Second rename"})
			assert.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			c.Header.Del("If-Match")
			var deck deckItem
			c.Do(http.MethodGet, deckPath, nil).JSON(t, &deck)
			assert.Equal(t, "Second rename", deck.Name)

			oldCard := c.Do(http.MethodGet, cardPath, nil).Header.Get("ETag")
			require.Equal(t, http.StatusOK, c.Do(http.MethodPatch, cardPath, map[string]string{"back": "edited"}).StatusCode)
			c.Header.Set("If-Match", oldCard)
			assert.Equal(t, http.StatusPreconditionFailed, c.Do(http.MethodPatch, cardPath, map[string]string{"back": "lost"}).StatusCode)
			assert.Equal(t, http.StatusPreconditionFailed, c.Do(http.MethodDelete, cardPath, nil).StatusCode)
			c.Header.Del("If-Match")
			var card cardItem
			c.Do(http.MethodGet, cardPath, nil).JSON(t, &card)
			assert.Equal(t, "edited", card.Back)
		})
	}
}

// TestDueCounts: deck lists carry what today still holds for each deck, after the daily
// limits, and the summary totals them; both follow answers at once (the cached counts
// are invalidated by the review) and the learner's next day.
func TestDueCounts(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := startLearningApp(t, s, onDay(0))
			l := a.newLearner(t, "counts@example.com")
			big, _ := createStudyDeck(t, l.Client, 25)
			small, _ := createStudyDeck(t, l.Client, 3)
			type summary struct{ DueToday, NewToday, Decks int }
			counts := func() (map[string]deckItem, summary) {
				decks := map[string]deckItem{}
				for _, d := range listAll[deckItem](t, l.Client, "/v1/decks") {
					decks[d.ID] = d
				}
				var sum summary
				res := l.Do(http.MethodGet, "/v1/study/summary", nil)
				require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
				res.JSON(t, &sum)
				return decks, sum
			}
			decks, sum := counts()
			assert.Equal(t, 20, decks[big].NewToday, "capped by newCardsPerDay")
			assert.Equal(t, 3, decks[small].NewToday)
			assert.Equal(t, summary{DueToday: 0, NewToday: 23, Decks: 2}, sum)

			l.study(t, small, 5)
			decks, sum = counts()
			assert.Zero(t, decks[small].NewToday, "answered: counted at once")
			assert.Equal(t, summary{DueToday: 0, NewToday: 20, Decks: 2}, sum)

			l.at(t, onDay(1))
			decks, sum = counts()
			assert.Equal(t, 3, decks[small].DueToday, "due on the learner's next day")
			assert.Equal(t, summary{DueToday: 3, NewToday: 20, Decks: 2}, sum)
		})
	}
}

// TestOpenStudySessionsAreListedAndResumed: an app restarting mid-session finds its open
// study sessions, newest first, and resumes one where it stopped.
func TestOpenStudySessionsAreListedAndResumed(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c, _ := studyUser(t, a.Client(), "resume@example.com")
			deckID, _ := createStudyDeck(t, c, 4)
			older := startStudy(t, c, deckID, 2)
			newer := startStudy(t, c, deckID, 4)
			next := answerCard(t, c, newer.ID, newer.NextCard.ID, 5).NextCard
			require.NotNil(t, next)

			restarted := a.Client()
			restarted.Token = c.Token
			open := listAll[studySessionBody](t, restarted, "/v1/study/sessions?status=open")
			require.Len(t, open, 2)
			assert.Equal(t, []string{newer.ID, older.ID}, []string{open[0].ID, open[1].ID}, "newest first")
			assert.Equal(t, 1, open[0].Reviewed)

			var resumed studySessionBody
			restarted.Do(http.MethodGet, "/v1/study/sessions/"+open[0].ID, nil).JSON(t, &resumed)
			require.NotNil(t, resumed.NextCard)
			assert.Equal(t, next.ID, resumed.NextCard.ID, "resumed where it stopped")

			res := restarted.Do(http.MethodGet, "/v1/study/sessions?status=closed", nil)
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		})
	}
}
