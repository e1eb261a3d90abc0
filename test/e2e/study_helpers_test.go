package e2e_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/testenv"
)

// studyApp is an app under test with its own connection to the app's database, to check
// what the app committed, and, on the real stack, to its Redis keyspace.
type studyApp struct {
	*app
	reviews  *gormdb.ReviewRepo
	progress *gormdb.ProgressRepo
	// redis and prefix are set on the real stack only.
	redis  *redis.Client
	prefix string
	// environ is the database and Redis configuration the app runs with.
	environ map[string]string
}

// studyEnviron picks the database (and, on the real stack, the Redis prefix) of an app
// under test and returns its variables with the matching gormdb configuration.
func studyEnviron(t *testing.T, s stack) (map[string]string, gormdb.Config, *redis.Client, string) {
	t.Helper()
	switch s {
	case stackReal:
		client, prefix := testenv.Redis(t)
		url := testenv.Postgres(t)
		opts := client.Options()
		return map[string]string{
			"DATABASE_URL":     url,
			"REDIS_URL":        "redis://" + opts.Addr + "/" + strconv.Itoa(opts.DB),
			"REDIS_KEY_PREFIX": prefix,
		}, gormdb.Config{URL: url}, client, prefix
	default:
		path := filepath.Join(t.TempDir(), "study.db")
		return map[string]string{"SQLITE_PATH": path}, gormdb.Config{SQLitePath: path}, nil, ""
	}
}

// startStudyApp starts the whole application on stack s with a database connection of
// the test's own beside it.
func startStudyApp(t *testing.T, s stack) *studyApp {
	t.Helper()
	environ, dbCfg, rc, prefix := studyEnviron(t, s)
	a := startApp(t, s, environ)
	db := openStudyDB(t, dbCfg)
	return &studyApp{
		app: a, reviews: gormdb.NewReviewRepo(db), progress: gormdb.NewProgressRepo(db),
		redis: rc, prefix: prefix, environ: environ,
	}
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

// studyUser registers and logs in email; the client carries its token.
func studyUser(t *testing.T, a *app, email string) (*client, string) {
	t.Helper()
	c := a.client()
	register(t, c, email)
	body := login(t, c, email)
	c.token = body.Token
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
}

type reviewBody struct {
	Progress  progressBody  `json:"progress"`
	Reviewed  int           `json:"reviewed"`
	Remaining int           `json:"remaining"`
	NextCard  *nextCardBody `json:"nextCard"`
}

// createStudyDeck creates a deck with n cards, added in one batch, and returns its id and
// the cards in deck order.
func createStudyDeck(t *testing.T, c *client, n int) (string, []studyCardBody) {
	t.Helper()
	res := c.do(http.MethodPost, "/v1/decks", map[string]string{"name": "Capitals"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.body)
	var deck struct{ ID string }
	res.json(t, &deck)

	batch := make([]map[string]string, n)
	for i := range batch {
		batch[i] = map[string]string{"front": "question " + strconv.Itoa(i+1), "back": "answer " + strconv.Itoa(i+1)}
	}
	res = c.do(http.MethodPost, "/v1/decks/"+deck.ID+"/cards", map[string]any{"cards": batch})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.body)
	var added struct{ Cards []studyCardBody }
	res.json(t, &added)
	require.Len(t, added.Cards, n)
	return deck.ID, added.Cards
}

// startStudy starts a study session over deckID and returns it.
func startStudy(t *testing.T, c *client, deckID string, maxCards int) studySessionBody {
	t.Helper()
	res := c.do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deckID, "maxCards": maxCards})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.body)
	var s studySessionBody
	res.json(t, &s)
	assert.Equal(t, "/v1/study/sessions/"+s.ID, res.Header.Get("Location"))
	return s
}

// answerCard posts an answer and returns the 200 body.
func answerCard(t *testing.T, c *client, sessionID, cardID string, grade int) reviewBody {
	t.Helper()
	res := c.do(http.MethodPost, "/v1/study/sessions/"+sessionID+"/reviews", map[string]any{
		"cardId": cardID, "grade": grade, "durationMs": 1000 + grade,
	})
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.body)
	var r reviewBody
	res.json(t, &r)
	return r
}

// requireProgressBody checks a progress body against the SM-2 state (n, EF in
// hundredths, I days) and lapses, and that the card is due I days after its review.
func requireProgressBody(t *testing.T, p progressBody, cardID string, n int, ef domain.EF, days, lapses int) {
	t.Helper()
	assert.Equal(t, cardID, p.CardID)
	assert.Equal(t, n, p.Repetitions, "repetitions")
	assert.InDelta(t, ef.Float(), p.EasinessFactor, 1e-9, "easinessFactor")
	assert.Equal(t, days, p.IntervalDays, "intervalDays")
	assert.Equal(t, lapses, p.Lapses, "lapses")
	require.NotNil(t, p.LastReviewedAt)
	assert.Equal(t, p.LastReviewedAt.AddDate(0, 0, days), p.DueAt, "due I days after the review")
}

// progressOf returns the progress as the API shows it (GET /v1/progress/{cardId}).
func progressOf(t *testing.T, c *client, cardID string) progressBody {
	t.Helper()
	res := c.do(http.MethodGet, "/v1/progress/"+cardID, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.body)
	var p progressBody
	res.json(t, &p)
	return p
}

// sameAsReplay asserts that the API's progress of a card equals what replaying the log
// computes for it.
func sameAsReplay(t *testing.T, got progressBody, want domain.Progress) {
	t.Helper()
	assert.Equal(t, want.State.Repetitions, got.Repetitions, "repetitions")
	assert.InDelta(t, want.State.EF.Float(), got.EasinessFactor, 1e-9, "easinessFactor")
	assert.Equal(t, want.State.IntervalDays, got.IntervalDays, "intervalDays")
	assert.Equal(t, want.Lapses, got.Lapses, "lapses")
	assert.True(t, want.DueAt.Equal(got.DueAt), "dueAt: replay %s, API %s", want.DueAt, got.DueAt)
	require.NotNil(t, got.LastReviewedAt)
	assert.True(t, want.LastReviewedAt.Equal(*got.LastReviewedAt), "lastReviewedAt")
}

// postStatus posts a JSON body with c's token and returns the response status, or 0
// when the exchange failed. Unlike client.do it is safe off the test goroutine.
func postStatus(c *client, path string, body []byte) int {
	req, err := http.NewRequest(http.MethodPost, c.app.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
