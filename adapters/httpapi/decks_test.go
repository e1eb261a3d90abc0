package httpapi_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
)

// deckStack is the deck routes on the embedded stack: a migrated SQLite file, in-memory
// sessions and progress cache, and real use-cases.
type deckStack struct {
	harness
	decks      *gormdb.DeckRepo
	authn      *httpapi.Authenticator
	deckRoutes *httpapi.DeckHandlers
	progress   *gormdb.ProgressRepo
	users      *gormdb.UserRepo
	sessions   *memory.SessionStore
}

func newDeckStack(t *testing.T) *deckStack {
	t.Helper()
	db, err := gormdb.Open(t.Context(), gormdb.Config{SQLitePath: filepath.Join(t.TempDir(), "studytool.db")})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	require.NoError(t, db.MigrateUp(t.Context()))

	clk := clock.System{}
	deckRepo, progressRepo := gormdb.NewDeckRepo(db), gormdb.NewProgressRepo(db)
	sessions := memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute, MaxPerUser: 5,
	}, clk, nil)
	authn := httpapi.NewAuthenticator(auth.NewAuthenticateHandler(sessions, clk, auth.Binding{}),
		profile.NewGetPermissionsHandler(gormdb.NewProfileRepo(db)), httpapi.CookieConfig{}, nil)
	profileRepo := gormdb.NewProfileRepo(db)
	deckRoutes := httpapi.NewDeckHandlers(authn, httpapi.DeckUseCases{
		Create: decks.NewCreateDeckHandler(deckRepo, clk), List: decks.NewListDecksHandler(deckRepo, profileRepo, progressRepo, clk),
		Get: decks.NewGetDeckHandler(deckRepo), Update: decks.NewUpdateDeckHandler(deckRepo, profileRepo, progressRepo, clk),
		Delete: decks.NewDeleteDeckHandler(deckRepo, memory.NewStudySessionStore(time.Hour, clk), clk),
		Add:    decks.NewAddCardsHandler(deckRepo, clk), Cards: decks.NewListCardsHandler(deckRepo),
		GetCard: decks.NewGetCardHandler(deckRepo), UpdateCard: decks.NewUpdateCardHandler(deckRepo, progressRepo, clk),
		DeleteCard: decks.NewDeleteCardHandler(deckRepo, clk),
	})
	progressRoutes := httpapi.NewProgressHandlers(authn,
		progress.NewDeckProgressHandler(deckRepo, profileRepo, progressRepo, clk),
		progress.NewGetProgressHandler(progressRepo, deckRepo, clk))
	return &deckStack{
		harness:    newHarness(t, httpapi.RouterConfig{}, deckRoutes, progressRoutes),
		decks:      deckRepo,
		authn:      authn,
		deckRoutes: deckRoutes,
		progress:   progressRepo,
		users:      gormdb.NewUserRepo(db),
		sessions:   sessions,
	}
}

// user is a registered user with a live bearer token.
type user struct {
	id    string
	token string
}

// newUser stores a user and a session, and returns the session's bearer token.
func (s *deckStack) newUser(t *testing.T) user {
	t.Helper()
	now := time.Now().UTC()
	u := &domain.User{
		ID: uuid.NewString(), Email: uuid.NewString() + "@example.com", PasswordHash: "x", DisplayName: "Learner",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(t, s.users.Create(t.Context(), u))
	raw := make([]byte, 32)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	token := base64.RawURLEncoding.EncodeToString(raw)
	_, err = s.sessions.Create(t.Context(), &domain.Session{
		ID: auth.SessionID(token), UserID: u.ID, OrganizationID: u.OrganizationID,
		OrganizationType: domain.OrgORG, CreatedAt: now,
	})
	require.NoError(t, err)
	return user{id: u.ID, token: token}
}

// call sends an authenticated request; an empty body sends none.
func (s *deckStack) call(u user, method, target, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Content-Type", "application/json")
	return s.serve(req)
}

// createDeck creates a deck of u and returns its id.
func (s *deckStack) createDeck(t *testing.T, u user, name string) string {
	t.Helper()
	rec := s.call(u, http.MethodPost, "/v1/decks", fmt.Sprintf(`{"name":%q}`, name))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	return decodeInto[deckJSON](t, rec).ID
}

// addCards adds cards "front i"/"back i" for i in [0, n) as one batch.
func (s *deckStack) addCards(t *testing.T, u user, deckID string, n int) []cardJSON {
	t.Helper()
	rec := s.call(u, http.MethodPost, "/v1/decks/"+deckID+"/cards", batchBody(n))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	return decodeInto[cardListJSON](t, rec).Cards
}

// listCards reads the first page (of up to 500) of the deck's cards.
func (s *deckStack) listCards(t *testing.T, u user, deckID string) []cardJSON {
	t.Helper()
	rec := s.call(u, http.MethodGet, "/v1/decks/"+deckID+"/cards?limit=500", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return decodeInto[cardPageJSON](t, rec).Items
}

func batchBody(n int) string {
	cards := make([]string, n)
	for i := range cards {
		cards[i] = fmt.Sprintf(`{"front":"front %d","back":"back %d"}`, i, i)
	}
	return `{"cards":[` + strings.Join(cards, ",") + `]}`
}

// The response shapes of openapi.yaml, decoded strictly: an unknown field fails.
type deckJSON struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	CardCount        int       `json:"cardCount"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	NewCardsPerDay   int       `json:"newCardsPerDay"`
	ReviewsPerDay    int       `json:"reviewsPerDay"`
	LeechThreshold   int       `json:"leechThreshold"`
	LeechAction      string    `json:"leechAction"`
	Fuzz             bool      `json:"fuzz"`
	Scheduler        string    `json:"scheduler"`
	DesiredRetention float64   `json:"desiredRetention"`
	FSRSWeights      []float64 `json:"fsrsWeights"`
}

type cardJSON struct {
	ID        string    `json:"id"`
	DeckID    string    `json:"deckId"`
	Front     string    `json:"front"`
	Back      string    `json:"back"`
	Suspended bool      `json:"suspended"`
	Leech     bool      `json:"leech"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// deckListJSON is a page of decks: each deck with today's counts.
type deckListJSON struct {
	Items []struct {
		deckJSON
		DueToday int `json:"dueToday"`
		NewToday int `json:"newToday"`
	} `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// cardPageJSON is a page of cards.
type cardPageJSON struct {
	Items      []cardJSON `json:"items"`
	NextCursor *string    `json:"nextCursor"`
}

type cardListJSON struct {
	Cards []cardJSON `json:"cards"`
}

func decodeInto[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v))
	return v
}

// keysOf returns the sorted field names of a JSON object.
func keysOf(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestDecks_CreateGetList(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)

	rec := s.call(ada, http.MethodPost, "/v1/decks", `{"name":"  French ","description":"A1 words"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Equal(t, []string{
		"cardCount", "createdAt", "description", "desiredRetention", "fsrsWeights", "fuzz", "id", "leechAction",
		"leechThreshold", "name", "newCardsPerDay", "reviewsPerDay", "scheduler", "updatedAt",
	}, keysOf(t, rec.Body.Bytes()))
	created := decodeInto[deckJSON](t, rec)
	assert.Equal(t, deckJSON{
		ID: created.ID, Name: "French", Description: "A1 words", CreatedAt: created.CreatedAt, UpdatedAt: created.CreatedAt,
		NewCardsPerDay: 20, ReviewsPerDay: 200, LeechThreshold: 8, LeechAction: "suspend", Scheduler: "sm2",
		DesiredRetention: 0.9, FSRSWeights: domain.DefaultFSRSWeights[:],
	}, created, "a new deck has the default study options")
	assert.Equal(t, "/v1/decks/"+created.ID, rec.Header().Get("Location"))
	assert.Equal(t, "French", created.Name)
	assert.Equal(t, "A1 words", created.Description)
	assert.Zero(t, created.CardCount)
	assert.Equal(t, time.UTC, created.CreatedAt.Location())

	s.addCards(t, ada, created.ID, 3)
	rec = s.call(ada, http.MethodGet, "/v1/decks/"+created.ID, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decodeInto[deckJSON](t, rec)
	assert.Equal(t, 3, got.CardCount)
	assert.True(t, created.CreatedAt.Equal(got.CreatedAt))

	rec = s.call(ada, http.MethodPost, "/v1/decks", `{"name":"Spanish"}`)
	require.Equal(t, http.StatusCreated, rec.Code)
	assert.Empty(t, decodeInto[deckJSON](t, rec).Description, "description defaults to empty")

	rec = s.call(ada, http.MethodGet, "/v1/decks", "")
	require.Equal(t, http.StatusOK, rec.Code)
	list := decodeInto[deckListJSON](t, rec)
	require.Len(t, list.Items, 2)
	assert.Equal(t, "Spanish", list.Items[0].Name, "newest first")
	assert.Equal(t, 3, list.Items[1].CardCount)
	assert.Equal(t, 3, list.Items[1].NewToday, "three new cards, within the deck's daily limit")
	assert.Zero(t, list.Items[1].DueToday)
	assert.Nil(t, list.NextCursor, "one page holds them")

	rec = s.call(s.newUser(t), http.MethodGet, "/v1/decks", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"items":[],"nextCursor":null}`, rec.Body.String(), "a user without decks gets an empty list")
}

func TestDecks_AnotherUsersDeckIsNotFound(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	owner, other := s.newUser(t), s.newUser(t)
	deckID := s.createDeck(t, owner, "Mine")
	cards := s.addCards(t, owner, deckID, 2)

	requests := []struct{ name, method, path, body string }{
		{"get the deck", http.MethodGet, "/v1/decks/" + deckID, ""},
		{"list its cards", http.MethodGet, "/v1/decks/" + deckID + "/cards", ""},
		{"add one card", http.MethodPost, "/v1/decks/" + deckID + "/cards", `{"front":"f","back":"b"}`},
		{"add a batch", http.MethodPost, "/v1/decks/" + deckID + "/cards", batchBody(2)},
		{"read its progress", http.MethodGet, "/v1/decks/" + deckID + "/progress", ""},
		{"get a deck nobody has", http.MethodGet, "/v1/decks/" + uuid.NewString(), ""},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			rec := s.call(other, r.method, r.path, r.body)
			require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
			p := problemOf(t, rec)
			assert.Equal(t, "not_found", p.Code)
			assert.NotContains(t, rec.Body.String(), deckID, "the problem does not echo the deck")
		})
	}

	rec := s.call(other, http.MethodGet, "/v1/decks", "")
	assert.JSONEq(t, `{"items":[],"nextCursor":null}`, rec.Body.String(), "the owner's deck is not listed for others")
	assert.Len(t, s.listCards(t, owner, deckID), len(cards), "the other user added nothing")
}

func TestDecks_AddCards(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)
	deckID := s.createDeck(t, ada, "Vocabulary")

	t.Run("a batch answers the cards in request order", func(t *testing.T) {
		rec := s.call(ada, http.MethodPost, "/v1/decks/"+deckID+"/cards", batchBody(25))
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		var raw struct {
			Cards []json.RawMessage `json:"cards"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
		require.NotEmpty(t, raw.Cards)
		assert.Equal(t, []string{"back", "createdAt", "deckId", "front", "id", "leech", "suspended", "updatedAt"}, keysOf(t, raw.Cards[0]))

		cards := decodeInto[cardListJSON](t, rec)
		require.Len(t, cards.Cards, 25)
		for i, c := range cards.Cards {
			assert.Equal(t, fmt.Sprintf("front %d", i), c.Front)
			assert.Equal(t, fmt.Sprintf("back %d", i), c.Back)
			assert.Equal(t, deckID, c.DeckID)
			assert.NotEmpty(t, c.ID)
		}
	})

	t.Run("a single card answers a list of one", func(t *testing.T) {
		rec := s.call(ada, http.MethodPost, "/v1/decks/"+deckID+"/cards", `{"front":"chat","back":"cat"}`)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
		cards := decodeInto[cardListJSON](t, rec).Cards
		require.Len(t, cards, 1)
		assert.Equal(t, "chat", cards[0].Front)
	})

	t.Run("the deck lists every card in insertion order", func(t *testing.T) {
		cards := s.listCards(t, ada, deckID)
		require.Len(t, cards, 26)
		for i := range 25 {
			assert.Equal(t, fmt.Sprintf("front %d", i), cards[i].Front)
		}
		assert.Equal(t, "chat", cards[25].Front)
	})
}

func TestDecks_MalformedBodiesAreClientErrors(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)
	deckID := s.createDeck(t, ada, "Target")
	cardsPath := "/v1/decks/" + deckID + "/cards"
	badThird := `{"cards":[{"front":"a","back":"b"},{"front":"c","back":"d"},{"front":"e","back":"f"},{"front":" ","back":"h"}]}`

	tests := []struct {
		name   string
		path   string
		body   string
		status int
		// field, when set, is the field the validation problem names.
		field string
	}{
		{"empty body", cardsPath, "", http.StatusBadRequest, ""},
		{"truncated json", cardsPath, `{"front":`, http.StatusBadRequest, ""},
		{"trailing data", cardsPath, `{"front":"a","back":"b"} {}`, http.StatusBadRequest, ""},
		{"both forms", cardsPath, `{"front":"a","back":"b","cards":[{"front":"c","back":"d"}]}`, http.StatusUnprocessableEntity, ""},
		{"neither form", cardsPath, `{}`, http.StatusUnprocessableEntity, ""},
		{"null body", cardsPath, `null`, http.StatusUnprocessableEntity, ""},
		{"array body", cardsPath, `[{"front":"a","back":"b"}]`, http.StatusUnprocessableEntity, ""},
		{"only a front", cardsPath, `{"front":"a"}`, http.StatusUnprocessableEntity, "back"},
		{"front of the wrong type", cardsPath, `{"front":5,"back":"b"}`, http.StatusUnprocessableEntity, "front"},
		{"empty batch", cardsPath, `{"cards":[]}`, http.StatusUnprocessableEntity, "cards"},
		{"batch of the wrong type", cardsPath, `{"cards":"a,b"}`, http.StatusUnprocessableEntity, "cards"},
		{"null card in a batch", cardsPath, `{"cards":[null]}`, http.StatusUnprocessableEntity, "cards[0].front"},
		{"blank side in a batch", cardsPath, badThird, http.StatusUnprocessableEntity, "cards[3].front"},
		{"unknown field in a card", cardsPath, `{"cards":[{"front":"a","back":"b","hint":"c"}]}`, http.StatusUnprocessableEntity, "hint"},
		{"1001 cards", cardsPath, batchBody(domain.MaxCardsPerBatch + 1), http.StatusUnprocessableEntity, "cards"},
		{"oversized body", cardsPath, `{"front":"` + strings.Repeat("x", 1<<20) + `","back":"b"}`, http.StatusRequestEntityTooLarge, ""},
		{"deck without a name", "/v1/decks", `{"description":"d"}`, http.StatusUnprocessableEntity, "name"},
		{"deck with an unknown field", "/v1/decks", `{"name":"n","color":"red"}`, http.StatusUnprocessableEntity, "color"},
		{"deck name of the wrong type", "/v1/decks", `{"name":["n"]}`, http.StatusUnprocessableEntity, "name"},
		{"deck body not json", "/v1/decks", `name=n`, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.call(ada, http.MethodPost, tt.path, tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			p := problemOf(t, rec)
			if tt.field != "" {
				require.NotEmpty(t, p.Errors, rec.Body.String())
				assert.Equal(t, tt.field, p.Errors[0].Field)
			}
		})
	}

	assert.Empty(t, s.listCards(t, ada, deckID), "no refused request stored a card")
	rec := s.call(ada, http.MethodGet, "/v1/decks", "")
	assert.Len(t, decodeInto[deckListJSON](t, rec).Items, 1, "no refused request created a deck")
}

func TestDecks_Progress(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada, bob := s.newUser(t), s.newUser(t)
	deckID := s.createDeck(t, ada, "Progress")
	cards := s.addCards(t, ada, deckID, 4)

	rec := s.call(ada, http.MethodGet, "/v1/progress/"+cards[0].ID, "")
	require.Equal(t, http.StatusOK, rec.Code, "never studied: the new-card state")
	added := cards[0].CreatedAt.UTC().Format(time.RFC3339Nano)
	assert.JSONEq(t, fmt.Sprintf(`{"cardId":%q,"repetitions":0,"easinessFactor":2.5,"intervalDays":0,"dueAt":%q,
		"lastReviewedAt":null,"lapses":0,"reviews":0,"suspended":false,"leech":false,"updatedAt":%q}`,
		cards[0].ID, added, added), rec.Body.String())

	rec = s.call(ada, http.MethodGet, "/v1/decks/"+deckID+"/progress", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"counts":{"new":4,"learning":0,"due":0,"suspended":0,"total":4},"cards":[]}`, rec.Body.String())

	// Three grade-5 reviews of card 0, each when it is due (EF 2.80, I 17), and one
	// grade-4 of card 1 (I 1), reviewed long ago so that it is due now. The learner's day
	// is UTC's, starting at midnight.
	reviewed := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	s.review(t, ada.id, deckID, cards[0].ID, 5, reviewed.AddDate(0, 0, -7))
	s.review(t, ada.id, deckID, cards[0].ID, 5, reviewed.AddDate(0, 0, -6))
	s.review(t, ada.id, deckID, cards[0].ID, 5, reviewed)
	s.review(t, ada.id, deckID, cards[1].ID, 4, reviewed.AddDate(0, 0, -3))

	rec = s.call(ada, http.MethodGet, "/v1/progress/"+cards[0].ID, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	y, m, d := reviewed.Date()
	want := fmt.Sprintf(`{"cardId":%q,"repetitions":3,"easinessFactor":2.8,"intervalDays":17,"dueAt":%q,
		"lastReviewedAt":%q,"lapses":0,"reviews":3,"suspended":false,"leech":false,"updatedAt":%q}`,
		cards[0].ID, time.Date(y, m, d+17, 0, 0, 0, 0, time.UTC).Format(time.RFC3339), reviewed.Format(time.RFC3339),
		reviewed.Format(time.RFC3339))
	assert.JSONEq(t, want, rec.Body.String())
	again := s.call(ada, http.MethodGet, "/v1/progress/"+cards[0].ID, "")
	assert.JSONEq(t, want, again.Body.String(), "a read served from the cache answers the same")

	rec = s.call(bob, http.MethodGet, "/v1/progress/"+cards[0].ID, "")
	assert.Equal(t, http.StatusNotFound, rec.Code, "another user's progress is not visible")
	rec = s.call(ada, http.MethodGet, "/v1/progress/not:a*key", "")
	assert.Equal(t, http.StatusNotFound, rec.Code, "an id no cache key can hold is simply unknown")

	rec = s.call(ada, http.MethodGet, "/v1/decks/"+deckID+"/progress", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var summary struct {
		Counts map[string]int    `json:"counts"`
		Cards  []json.RawMessage `json:"cards"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &summary))
	assert.Equal(t, map[string]int{"new": 2, "learning": 0, "due": 1, "suspended": 0, "total": 4}, summary.Counts)
	require.Len(t, summary.Cards, 2)
	assert.Contains(t, string(summary.Cards[0]), cards[1].ID, "the due card comes first")
	assert.JSONEq(t, want, string(summary.Cards[1]))
}

// review records one graded review of cardID at the given time, as the study use-case
// does.
func (s *deckStack) review(t *testing.T, userID, deckID, cardID string, q domain.Grade, at time.Time) {
	t.Helper()
	_, err := s.progress.RecordReview(t.Context(), userID, cardID, deckID, func(p *domain.Progress) (*domain.Review, error) {
		r, err := p.Apply(domain.Answer{Grade: q, At: at})
		return &r, err
	})
	require.NoError(t, err)
}

func TestDecks_RequireAuthentication(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	for _, path := range []string{"/v1/decks", "/v1/decks/x", "/v1/decks/x/cards", "/v1/decks/x/progress", "/v1/progress/x"} {
		rec := s.do(http.MethodGet, path, "")
		require.Equal(t, http.StatusUnauthorized, rec.Code, path)
		assert.Equal(t, "session_invalid", problemOf(t, rec).Code)
	}
}

func TestDecks_UpdateNameAndStudyOptions(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada, bob := s.newUser(t), s.newUser(t)
	deckID := s.createDeck(t, ada, "Options")

	rec := s.call(ada, http.MethodPatch, "/v1/decks/"+deckID,
		`{"name":" Renamed ","newCardsPerDay":5,"reviewsPerDay":50,"leechThreshold":4,"leechAction":"tag","fuzz":true,"desiredRetention":0.85}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decodeInto[deckJSON](t, rec)
	assert.Equal(t, "Renamed", got.Name)
	assert.Empty(t, got.Description, "fields not sent are kept")
	assert.Equal(t, [5]any{5, 50, 4, "tag", true}, [5]any{got.NewCardsPerDay, got.ReviewsPerDay, got.LeechThreshold, got.LeechAction, got.Fuzz})
	assert.InDelta(t, 0.85, got.DesiredRetention, 1e-12)
	rec = s.call(ada, http.MethodGet, "/v1/decks/"+deckID, "")
	assert.Equal(t, got, decodeInto[deckJSON](t, rec), "stored")

	rec = s.call(ada, http.MethodPatch, "/v1/decks/"+deckID,
		`{"newCardsPerDay":-1,"scheduler":"anki","desiredRetention":0.5,"fsrsWeights":[1,2],"leechAction":"delete"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	fields := []string{}
	for _, e := range problemOf(t, rec).Errors {
		fields = append(fields, e.Field)
	}
	assert.ElementsMatch(t, []string{"newCardsPerDay", "scheduler", "desiredRetention", "fsrsWeights", "leechAction"}, fields,
		"every bad field at once")
	rec = s.call(ada, http.MethodGet, "/v1/decks/"+deckID, "")
	assert.Equal(t, got, decodeInto[deckJSON](t, rec), "a refused change changes nothing")

	rec = s.call(bob, http.MethodPatch, "/v1/decks/"+deckID, `{"name":"Mine"}`)
	assert.Equal(t, http.StatusNotFound, rec.Code, "another user's deck")
	rec = s.call(ada, http.MethodPatch, "/v1/decks/"+deckID, `{"colour":"red"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "an unknown field is refused")
}

func TestDecks_SuspendACard(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada, bob := s.newUser(t), s.newUser(t)
	deckID := s.createDeck(t, ada, "Suspend")
	cards := s.addCards(t, ada, deckID, 2)
	path := "/v1/decks/" + deckID + "/cards/" + cards[1].ID

	rec := s.call(ada, http.MethodPatch, path, `{"suspended":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decodeInto[cardJSON](t, rec)
	assert.True(t, got.Suspended)
	assert.False(t, got.Leech)
	list := s.listCards(t, ada, deckID)
	assert.Equal(t, []bool{false, true}, []bool{list[0].Suspended, list[1].Suspended})

	rec = s.call(ada, http.MethodPatch, path, `{"suspended":false}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.False(t, decodeInto[cardJSON](t, rec).Suspended)

	assert.Equal(t, http.StatusNotFound, s.call(bob, http.MethodPatch, path, `{"suspended":true}`).Code, "another user's card")
	assert.Equal(t, http.StatusNotFound, s.call(ada, http.MethodPatch, "/v1/decks/"+deckID+"/cards/"+uuid.NewString(), `{"suspended":true}`).Code)
	assert.Equal(t, http.StatusNotFound, s.call(ada, http.MethodPatch, "/v1/decks/"+deckID+"/cards/not-a-uuid", `{"suspended":true}`).Code)
	rec = s.call(ada, http.MethodPatch, path, `{}`)
	require.Equal(t, http.StatusOK, rec.Code, "an empty change changes nothing")
	assert.Equal(t, cards[1].Front, decodeInto[cardJSON](t, rec).Front)
	assert.Equal(t, http.StatusUnprocessableEntity, s.call(ada, http.MethodPatch, path, `{"hint":"x"}`).Code, "an unknown field")
	assert.Equal(t, http.StatusUnprocessableEntity, s.call(ada, http.MethodPatch, path, `{"suspended":null}`).Code, "a null field")
}
