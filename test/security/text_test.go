package security_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/test/apptest"
)

// TestUnstorableTextIsRefused_Postgres covers finding 3: NUL bytes and invalid UTF-8 in
// path ids and text fields reached PostgreSQL, which cannot store them, and came back
// as 500. Ids that are not UUIDs now name nothing (404), and text that PostgreSQL
// cannot store or that would not show as what it is (controls, bidirectional overrides,
// zero-width characters) is refused with 422 on its field; nothing is logged as an
// error.
func TestUnstorableTextIsRefused_Postgres(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c := signedIn(a, "text@example.com")
			deckID := createDeck(t, c, "Capitals")

			idsNameNothing(t, c, deckID)
			textIsRefused(t, c, deckID)
			assert.Equal(t, []string{"Capitals"}, deckNames(t, c), "a refused deck was stored")
			assert.Empty(t, a.ErrorLogs(), "the app logged errors")
		})
	}
}

// idsNameNothing requests ids holding NUL or an invalid UTF-8 byte in every kind of path
// id and expects 404 not_found.
func idsNameNothing(t *testing.T, c *apptest.Client, deckID string) {
	t.Helper()
	for _, path := range []string{
		"/v1/decks/%00", "/v1/decks/%ff", "/v1/decks/%00/cards", "/v1/decks/%ff/progress",
		"/v1/progress/%ff", "/v1/progress/%00", "/v1/study/sessions/%00", "/v1/study/sessions/%ff",
		"/v1/decks/" + deckID + "%00",
	} {
		res := c.Do(http.MethodGet, path, nil)
		if assert.Equal(t, http.StatusNotFound, res.StatusCode, "GET %s: %s", path, res.Body) {
			assert.Equal(t, "not_found", res.ProblemCode(t), "GET %s", path)
		}
	}
	res := c.Do(http.MethodPost, "/v1/study/sessions/%00/reviews", map[string]any{"cardId": "x", "grade": 3})
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "body: %s", res.Body)
}

// textIsRefused sends text fields holding characters that cannot be stored or would
// not show as what they are, and expects 422 naming the field.
func textIsRefused(t *testing.T, c *apptest.Client, deckID string) {
	t.Helper()
	cards := "/v1/decks/" + deckID + "/cards"
	for _, tc := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"NUL in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "a\x00b"}, "name"},
		{"NUL in a deck description", http.MethodPost, "/v1/decks", map[string]string{"name": "ok", "description": "a\x00b"}, "description"},
		{"NUL in a card front", http.MethodPost, cards, map[string]string{"front": "a\x00b", "back": "ok"}, "front"},
		{"NUL in a card of a batch", http.MethodPost, cards, map[string]any{"cards": []map[string]string{{"front": "ok", "back": "a\x00"}}}, "cards[0].back"},
		{"C0 control in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "a\x1bb"}, "name"},
		{"C1 control in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "a\u009bb"}, "name"},
		{"right-to-left override in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "invoice\u202Efdp.exe"}, "name"},
		{"bidirectional isolate in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "a\u2066b"}, "name"},
		{"zero-width space in a deck name", http.MethodPost, "/v1/decks", map[string]string{"name": "Capi\u200Btals"}, "name"},
		{"right-to-left override in a card side", http.MethodPost, cards, map[string]string{"front": "a\u202Eb", "back": "ok"}, "front"},
		{"zero-width space in a display name", http.MethodPatch, "/v1/me", map[string]string{"displayName": "Te\u200Bster"}, "displayName"},
		{"right-to-left override in a display name", http.MethodPatch, "/v1/me", map[string]string{"displayName": "a\u202Eb"}, "displayName"},
		{"C0 control in a display name", http.MethodPatch, "/v1/me", map[string]string{"displayName": "a\x07b"}, "displayName"},
		{"zero-width space in a display name at registration", http.MethodPost, "/v1/auth/register",
			registration("zw@example.com", apptest.Password, "\u200BTester"), "displayName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalid(t, c.Do(tc.method, tc.path, tc.body), tc.field)
		})
	}
}
