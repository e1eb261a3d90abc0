package e2e_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// TestContractClientAPI walks every route of the client API, with its conditional
// requests, HEAD and its refusals, so that each response is validated against
// openapi.yaml (apptest validates every response a Client sees).
func TestContractClientAPI(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c := a.Client()
			res := c.Do(http.MethodPost, "/v1/auth/register", map[string]string{"email": "x", "password": "short"})
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.Equal(t, []string{"email", "password", "displayName"}, res.ProblemFields(t), "every bad field at once")
			c.Register("contract@example.com")
			contractOperations(t, a.Client())
			contractSessions(t, a, "contract@example.com")
			c.Token = c.Login("contract@example.com").Token

			deckID := contractDecks(t, c)
			cardID := contractCards(t, c, deckID)
			contractStudy(t, c, deckID, cardID)
			contractLists(t, c, deckID)
			contractDeletions(t, c, deckID, cardID)
			contractAccount(t, c)
		})
	}
}

// contractOperations reads the unauthenticated operations, with GET and HEAD.
func contractOperations(t *testing.T, anon *apptest.Client) {
	t.Helper()
	for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml"} {
		assert.Equal(t, http.StatusOK, anon.Do(http.MethodGet, path, nil).StatusCode, path)
		assert.Equal(t, http.StatusOK, anon.Do(http.MethodHead, path, nil).StatusCode, path)
	}
}

// contractSessions logs in a second device, changes the password from it (which ends
// the other sessions), lists and revokes sessions and logs out.
func contractSessions(t *testing.T, a *apptest.App, email string) {
	t.Helper()
	first, second := a.Client(), a.Client()
	first.Token = first.Login(email).Token
	second.Token = second.Login(email).Token
	res := second.Do(http.MethodPost, "/v1/me/password", map[string]string{
		"currentPassword": "wrong", "newPassword": "short",
	})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	res = second.Do(http.MethodGet, "/v1/auth/sessions", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var sessions struct {
		Items []struct {
			ID      string
			Current bool
		}
	}
	res.JSON(t, &sessions)
	for _, s := range sessions.Items {
		if !s.Current {
			assert.Equal(t, http.StatusNoContent, second.Do(http.MethodDelete, "/v1/auth/sessions/"+s.ID, nil).StatusCode)
		}
	}
	assert.Equal(t, http.StatusUnauthorized, first.Do(http.MethodGet, "/v1/me", nil).StatusCode)
	assert.Equal(t, http.StatusNoContent, second.Do(http.MethodPost, "/v1/auth/logout", nil).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, second.Do(http.MethodPost, "/v1/auth/logout-all", nil).StatusCode)
}

// withHeader sends one request with an extra header.
func withHeader(c *apptest.Client, name, value, method, path string, body any) *apptest.Response {
	c.Header.Set(name, value)
	defer c.Header.Del(name)
	return c.Do(method, path, body)
}

// contractDecks creates a deck and reads and changes it conditionally.
func contractDecks(t *testing.T, c *apptest.Client) string {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": "Contract"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var deck struct{ ID string }
	res.JSON(t, &deck)
	path := "/v1/decks/" + deck.ID

	res = c.Do(http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tag := res.Header.Get("ETag")
	require.NotEmpty(t, tag)
	assert.Equal(t, http.StatusNotModified, withHeader(c, "If-None-Match", tag, http.MethodGet, path, nil).StatusCode)
	assert.Equal(t, http.StatusNotModified, withHeader(c, "If-None-Match", tag, http.MethodHead, path, nil).StatusCode)
	head := c.Do(http.MethodHead, path, nil)
	assert.Equal(t, http.StatusOK, head.StatusCode)
	assert.Empty(t, head.Body)

	res = withHeader(c, "If-Match", `"stale"`, http.MethodPatch, path, map[string]any{"name": "Renamed"})
	assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
	assert.Equal(t, "precondition_failed", res.ProblemCode(t))
	res = withHeader(c, "If-Match", tag, http.MethodPatch, path, map[string]any{"name": "Renamed"})
	assert.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)

	res = c.Do(http.MethodPost, "/v1/decks", map[string]any{"name": 1, "color": "red"})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Equal(t, []string{"color", "name"}, res.ProblemFields(t), "every bad field at once")
	c.Header.Set("Content-Type", "text/plain")
	res = c.Do(http.MethodPost, "/v1/decks", `{"name":"x"}`)
	c.Header.Del("Content-Type")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode)
	return deck.ID
}

// contractCards adds two cards, reads and changes one, and returns it.
func contractCards(t *testing.T, c *apptest.Client, deckID string) string {
	t.Helper()
	cards := "/v1/decks/" + deckID + "/cards"
	res := c.Do(http.MethodPost, cards, map[string]any{"cards": []map[string]string{
		{"front": "un", "back": "one"}, {"front": "deux", "back": "two"},
	}})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var added struct{ Cards []struct{ ID string } }
	res.JSON(t, &added)
	require.Len(t, added.Cards, 2)
	card := cards + "/" + added.Cards[0].ID

	res = c.Do(http.MethodGet, card, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	res = withHeader(c, "If-Match", res.Header.Get("ETag"), http.MethodPatch, card, map[string]any{"front": "une", "suspended": false})
	assert.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	res = c.Do(http.MethodGet, "/v1/progress/"+added.Cards[1].ID, nil)
	assert.Equal(t, http.StatusOK, res.StatusCode, "a card never studied has the new-card state")
	return added.Cards[0].ID
}

// contractStudy starts a session, lists it and answers a card.
func contractStudy(t *testing.T, c *apptest.Client, deckID, cardID string) {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"deckId": deckID})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var session struct{ ID string }
	res.JSON(t, &session)
	res = c.Do(http.MethodPost, "/v1/study/sessions", map[string]any{"maxCards": 0})
	assert.Equal(t, []string{"deckId", "maxCards"}, res.ProblemFields(t), "every bad field at once")
	res = c.Do(http.MethodPost, "/v1/study/sessions/"+session.ID+"/reviews", map[string]any{"cardId": cardID, "grade": 9, "durationMs": -1})
	assert.Equal(t, []string{"grade", "durationMs"}, res.ProblemFields(t), "every bad field at once")
	res = c.Do(http.MethodGet, "/v1/reviews/export?deckId=nope&format=xml", nil)
	assert.Equal(t, []string{"deckId", "format"}, res.ProblemFields(t), "every bad field at once")
	assert.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/study/sessions?status=open", nil).StatusCode)
	res = c.Do(http.MethodGet, "/v1/study/sessions?status=finished", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	res = c.Do(http.MethodPost, "/v1/study/sessions/"+session.ID+"/reviews", map[string]any{"cardId": cardID, "grade": 4})
	assert.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/study/summary", nil).StatusCode)
	assert.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/decks/"+deckID+"/progress", nil).StatusCode)
}

// contractLists pages every list and refuses bad page parameters.
func contractLists(t *testing.T, c *apptest.Client, deckID string) {
	t.Helper()
	for _, path := range []string{
		"/v1/decks", "/v1/decks/" + deckID + "/cards", "/v1/auth/sessions", "/v1/study/sessions",
		"/v1/reviews", "/v1/reviews?deckId=" + deckID,
	} {
		sep := "?"
		if u, err := url.Parse(path); err == nil && u.RawQuery != "" {
			sep = "&"
		}
		res := c.Do(http.MethodGet, path+sep+"limit=1", nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %s", path, res.Body)
		res = withHeader(c, "If-None-Match", res.Header.Get("ETag"), http.MethodGet, path+sep+"limit=1", nil)
		assert.Equal(t, http.StatusNotModified, res.StatusCode, path)
		res = c.Do(http.MethodGet, path+sep+"limit=0&cursor=bogus", nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, path)
		assert.Equal(t, []string{"limit", "cursor"}, res.ProblemFields(t), path)
	}
	res := c.Do(http.MethodGet, "/v1/sync?limit=2", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var page struct {
		Cursor  string
		HasMore bool
	}
	res.JSON(t, &page)
	assert.True(t, page.HasMore)
	assert.Equal(t, http.StatusOK, c.Do(http.MethodGet, "/v1/sync?since="+page.Cursor, nil).StatusCode)
	res = c.Do(http.MethodGet, "/v1/sync?since=bogus&limit=0", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.ElementsMatch(t, []string{"limit", "since"}, res.ProblemFields(t))
}

// contractDeletions deletes the card and then the deck, conditionally.
func contractDeletions(t *testing.T, c *apptest.Client, deckID, cardID string) {
	t.Helper()
	card := "/v1/decks/" + deckID + "/cards/" + cardID
	res := withHeader(c, "If-Match", `"stale"`, http.MethodDelete, card, nil)
	assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
	assert.Equal(t, http.StatusNoContent, c.Do(http.MethodDelete, card, nil).StatusCode)
	assert.Equal(t, http.StatusNotFound, c.Do(http.MethodGet, card, nil).StatusCode)
	assert.Equal(t, http.StatusNoContent, c.Do(http.MethodDelete, "/v1/decks/"+deckID, nil).StatusCode)
	assert.Equal(t, http.StatusNotFound, c.Do(http.MethodGet, "/v1/decks/"+deckID, nil).StatusCode)
}

// contractAccount changes the profile conditionally and deletes the account.
func contractAccount(t *testing.T, c *apptest.Client) {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/me", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	tag := res.Header.Get("ETag")
	assert.Equal(t, http.StatusNotModified, withHeader(c, "If-None-Match", tag, http.MethodGet, "/v1/me", nil).StatusCode)
	res = withHeader(c, "If-Match", `"stale"`, http.MethodPatch, "/v1/me", map[string]any{"displayName": "Renamed"})
	assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)

	res = c.Do(http.MethodDelete, "/v1/me", map[string]string{"password": "not the password"})
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Equal(t, []string{"password"}, res.ProblemFields(t))
	res = c.Do(http.MethodDelete, "/v1/me", map[string]string{"password": apptest.Password})
	assert.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, http.StatusUnauthorized, c.Do(http.MethodGet, "/v1/me", nil).StatusCode)
}
