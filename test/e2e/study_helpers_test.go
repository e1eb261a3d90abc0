package e2e_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/apptest"
)

// studyApp is an app under test with its own connection to the app's database, to check
// what the app committed.
type studyApp struct {
	*apptest.App
	reviews  *gormdb.ReviewRepo
	progress *gormdb.ProgressRepo
}

// startStudyApp starts the whole application on stack s with a database connection of
// the test's own beside it.
func startStudyApp(t *testing.T, s apptest.Stack) *studyApp {
	t.Helper()
	a := apptest.Start(t, s, nil)
	db := openStudyDB(t, a.Database())
	return &studyApp{App: a, reviews: gormdb.NewReviewRepo(db), progress: gormdb.NewProgressRepo(db)}
}

// openStudyDB opens a (migrated) database the app under test also uses.
func openStudyDB(t testing.TB, cfg gormdb.Config) *gormdb.DB {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	db, err := gormdb.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// studyUser registers and logs in email with the new client c; c carries its token.
func studyUser(t *testing.T, c *apptest.Client, email string) (*apptest.Client, string) {
	t.Helper()
	c.Register(email)
	body := c.Login(email)
	c.Token = body.Token
	return c, body.User.ID
}

type studyCardBody struct {
	ID     string `json:"id"`
	DeckID string `json:"deckId"`
	Front  string `json:"front"`
	Back   string `json:"back"`
}

type nextCardBody struct {
	ID    string `json:"id"`
	Front string `json:"front"`
	Back  string `json:"back"`
}

type studySessionBody struct {
	ID        string        `json:"id"`
	DeckID    string        `json:"deckId"`
	StartedAt time.Time     `json:"startedAt"`
	Reviewed  int           `json:"reviewed"`
	Remaining int           `json:"remaining"`
	NextCard  *nextCardBody `json:"nextCard"`
}

type progressBody struct {
	CardID         string     `json:"cardId"`
	Repetitions    int        `json:"repetitions"`
	EasinessFactor float64    `json:"easinessFactor"`
	IntervalDays   int        `json:"intervalDays"`
	DueAt          time.Time  `json:"dueAt"`
	LastReviewedAt *time.Time `json:"lastReviewedAt"`
	Lapses         int        `json:"lapses"`
	Reviews        int        `json:"reviews"`
	Suspended      bool       `json:"suspended"`
	Leech          bool       `json:"leech"`
	Stability      *float64   `json:"stability"`
	Difficulty     *float64   `json:"difficulty"`
	Retrievability *float64   `json:"retrievability"`
}

type reviewBody struct {
	Progress  progressBody  `json:"progress"`
	Reviewed  int           `json:"reviewed"`
	Remaining int           `json:"remaining"`
	NextCard  *nextCardBody `json:"nextCard"`
}

// createStudyDeck creates a deck with n cards, added in one batch, and returns its id and
// the cards in deck order.
func createStudyDeck(t *testing.T, c *apptest.Client, n int) (string, []studyCardBody) {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Capitals"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var deck struct{ ID string }
	res.JSON(t, &deck)

	batch := make([]map[string]string, n)
	for i := range batch {
		batch[i] = map[string]string{"front": "question " + strconv.Itoa(i+1), "back": "answer " + strconv.Itoa(i+1)}
	}
	res = c.Do(http.MethodPost, "/v1/decks/"+deck.ID+"/cards", map[string]any{"cards": batch})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var added struct{ Cards []studyCardBody }
	res.JSON(t, &added)
	require.Len(t, added.Cards, n)
	return deck.ID, added.Cards
}

// startStudy starts a study session over deckID and returns it.
func startStudy(t *testing.T, c *apptest.Client, deckID string, maxCards int) studySessionBody {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deckID, "maxCards": maxCards})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var s studySessionBody
	res.JSON(t, &s)
	assert.Equal(t, "/v1/study/sessions/"+s.ID, res.Header.Get("Location"))
	return s
}

// answerCard posts an answer and returns the 200 body.
func answerCard(t *testing.T, c *apptest.Client, sessionID, cardID string, grade int) reviewBody {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/study/sessions/"+sessionID+"/reviews", map[string]any{
		"cardId": cardID, "grade": grade, "durationMs": 1000 + grade,
	})
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var r reviewBody
	res.JSON(t, &r)
	return r
}

// newLearnerDay is a new account's learner day: UTC, starting at 04:00.
var newLearnerDay = domain.LearnerDay{Location: time.UTC, StartHour: domain.DefaultDayStartHour}

// requireProgressBody checks a progress body against the SM-2 state (n, EF in
// hundredths, I days) and lapses, and that the card is due at the start of the learner
// day I days after its review (a new account's day: UTC, from 04:00).
func requireProgressBody(t *testing.T, p progressBody, cardID string, n int, ef domain.EF, days, lapses int) {
	t.Helper()
	assert.Equal(t, cardID, p.CardID)
	assert.Equal(t, n, p.Repetitions, "repetitions")
	assert.InDelta(t, ef.Float(), p.EasinessFactor, 1e-9, "easinessFactor")
	assert.Equal(t, days, p.IntervalDays, "intervalDays")
	assert.Equal(t, lapses, p.Lapses, "lapses")
	require.NotNil(t, p.LastReviewedAt)
	assert.Equal(t, newLearnerDay.DueAt(*p.LastReviewedAt, days), p.DueAt, "due at the learner day's start I days on")
}

// progressOf returns the progress as the API shows it (GET /v1/progress/{cardId}).
func progressOf(t *testing.T, c *apptest.Client, cardID string) progressBody {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/progress/"+cardID, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var p progressBody
	res.JSON(t, &p)
	return p
}

// sameAsReplay asserts that the API's progress of a card equals what replaying the log
// computes for it.
func sameAsReplay(t *testing.T, got progressBody, want domain.Progress) {
	t.Helper()
	assert.Equal(t, want.State.Repetitions, got.Repetitions, "repetitions")
	assert.InDelta(t, want.State.EF.Float(), got.EasinessFactor, 1e-9, "easinessFactor")
	assert.Equal(t, want.IntervalDays, got.IntervalDays, "intervalDays")
	assert.Equal(t, want.Reviews, got.Reviews, "reviews")
	assert.Equal(t, want.Lapses, got.Lapses, "lapses")
	assert.True(t, want.DueAt.Equal(got.DueAt), "dueAt: replay %s, API %s", want.DueAt, got.DueAt)
	require.NotNil(t, got.LastReviewedAt)
	assert.True(t, want.LastReviewedAt.Equal(*got.LastReviewedAt), "lastReviewedAt")
}

// postStatus posts a JSON body with c's token and returns the response status, or 0
// when the exchange failed. Unlike Client.Do it is safe off the test goroutine.
func postStatus(c *apptest.Client, path string, body []byte) int {
	res, err := c.Try(http.MethodPost, path, string(body))
	if err != nil {
		return 0
	}
	return res.StatusCode
}
