package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callWith sends an authenticated request with extra headers.
func (s *deckStack) callWith(u user, method, target, body string, headers map[string]string) *httptest.ResponseRecorder {
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	} else {
		r = strings.NewReader("")
	}
	req := httptest.NewRequest(method, target, r)
	req.Header.Set("Authorization", "Bearer "+u.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return s.serve(req)
}

func TestConditional_ETagAndIfNoneMatch(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)
	deckID := s.createDeck(t, ada, "Tagged")
	path := "/v1/decks/" + deckID

	first := s.call(ada, http.MethodGet, path, "")
	require.Equal(t, http.StatusOK, first.Code)
	tag := first.Header().Get("ETag")
	require.Regexp(t, `^"[A-Za-z0-9_-]+"$`, tag, "a strong entity tag")
	assert.Equal(t, tag, s.call(ada, http.MethodGet, path, "").Header().Get("ETag"), "the same representation, the same tag")

	for _, header := range []string{tag, `"other", ` + tag, "W/" + tag, "*"} {
		rec := s.callWith(ada, http.MethodGet, path, "", map[string]string{"If-None-Match": header})
		assert.Equal(t, http.StatusNotModified, rec.Code, header)
		assert.Empty(t, rec.Body.String())
		assert.Equal(t, tag, rec.Header().Get("ETag"))
	}
	head := s.callWith(ada, http.MethodHead, path, "", map[string]string{"If-None-Match": tag})
	assert.Equal(t, http.StatusNotModified, head.Code)

	rec := s.call(ada, http.MethodPatch, path, `{"name":"Renamed"}`)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotEqual(t, tag, rec.Header().Get("ETag"), "a change, a new tag")
	rec = s.callWith(ada, http.MethodGet, path, "", map[string]string{"If-None-Match": tag})
	assert.Equal(t, http.StatusOK, rec.Code, "the client's copy is stale")

	list := s.call(ada, http.MethodGet, "/v1/decks", "")
	require.NotEmpty(t, list.Header().Get("ETag"), "lists carry tags too")
	rec = s.callWith(ada, http.MethodGet, "/v1/decks", "", map[string]string{"If-None-Match": list.Header().Get("ETag")})
	assert.Equal(t, http.StatusNotModified, rec.Code)
}

func TestConditional_IfMatchGuardsEveryWrite(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)
	deckID := s.createDeck(t, ada, "Guarded")
	cards := s.addCards(t, ada, deckID, 2)
	deckPath := "/v1/decks/" + deckID
	cardPath := deckPath + "/cards/" + cards[0].ID

	deckTag := s.call(ada, http.MethodGet, deckPath, "").Header().Get("ETag")
	cardTag := s.call(ada, http.MethodGet, cardPath, "").Header().Get("ETag")
	require.NotEmpty(t, cardTag)

	stale := map[string]string{"If-Match": `"stale"`}
	for _, tt := range []struct{ method, path, body string }{
		{http.MethodPatch, deckPath, `{"name":"Lost update"}`},
		{http.MethodPatch, cardPath, `{"front":"Lost update"}`},
		{http.MethodPatch, cardPath, `{"suspended":true}`},
		{http.MethodDelete, cardPath, ""},
		{http.MethodDelete, deckPath, ""},
	} {
		rec := s.callWith(ada, tt.method, tt.path, tt.body, stale)
		require.Equal(t, http.StatusPreconditionFailed, rec.Code, "%s %s: %s", tt.method, tt.path, rec.Body.String())
		assert.Equal(t, "precondition_failed", problemOf(t, rec).Code)
	}
	got := s.listCards(t, ada, deckID)
	require.Len(t, got, 2, "nothing was deleted")
	assert.Equal(t, cards[0].Front, got[0].Front, "nothing was changed")
	assert.False(t, got[0].Suspended)

	rec := s.callWith(ada, http.MethodPatch, cardPath, `{"front":"new front","back":"new back"}`, map[string]string{"If-Match": cardTag})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	edited := decodeInto[cardJSON](t, rec)
	assert.Equal(t, "new front", edited.Front)
	assert.True(t, edited.UpdatedAt.After(cards[0].UpdatedAt) || edited.UpdatedAt.Equal(cards[0].UpdatedAt))
	rec = s.callWith(ada, http.MethodPatch, cardPath, `{"front":"second writer"}`, map[string]string{"If-Match": cardTag})
	assert.Equal(t, http.StatusPreconditionFailed, rec.Code, "the tag the second writer read is gone")

	rec = s.callWith(ada, http.MethodPatch, deckPath, `{"name":"Renamed"}`, map[string]string{"If-Match": deckTag})
	assert.Equal(t, http.StatusOK, rec.Code, "the deck's tag still holds: editing a card leaves the deck as it was")
	rec = s.callWith(ada, http.MethodDelete, deckPath, "", map[string]string{"If-Match": "*"})
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, http.StatusNotFound, s.call(ada, http.MethodGet, deckPath, "").Code)
	assert.Equal(t, http.StatusNotFound, s.call(ada, http.MethodGet, cardPath, "").Code)
}

func TestCards_EditAndDelete(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada, bob := s.newUser(t), s.newUser(t)
	deckID := s.createDeck(t, ada, "Editable")
	cards := s.addCards(t, ada, deckID, 3)
	cardPath := func(i int) string { return "/v1/decks/" + deckID + "/cards/" + cards[i].ID }

	rec := s.call(ada, http.MethodPatch, cardPath(1), `{"front":"  ","back":""}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	fields := []string{}
	for _, e := range problemOf(t, rec).Errors {
		fields = append(fields, e.Field)
	}
	assert.Equal(t, []string{"front", "back"}, fields, "both bad sides at once")

	rec = s.call(ada, http.MethodPatch, cardPath(1), `{"back":"only the back","suspended":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decodeInto[cardJSON](t, rec)
	assert.Equal(t, [3]any{"front 1", "only the back", true}, [3]any{got.Front, got.Back, got.Suspended})

	assert.Equal(t, http.StatusNotFound, s.call(bob, http.MethodDelete, cardPath(1), "").Code, "another user's card")
	require.Equal(t, http.StatusNoContent, s.call(ada, http.MethodDelete, cardPath(1), "").Code)
	assert.Equal(t, http.StatusNotFound, s.call(ada, http.MethodDelete, cardPath(1), "").Code, "gone already")
	left := s.listCards(t, ada, deckID)
	assert.Equal(t, []string{cards[0].ID, cards[2].ID}, []string{left[0].ID, left[1].ID})
	rec = s.call(ada, http.MethodGet, "/v1/decks/"+deckID, "")
	assert.Equal(t, 2, decodeInto[deckJSON](t, rec).CardCount)
}

func TestCards_Pages(t *testing.T) {
	t.Parallel()
	s := newDeckStack(t)
	ada := s.newUser(t)
	deckID := s.createDeck(t, ada, "Paged")
	cards := s.addCards(t, ada, deckID, 7)
	path := "/v1/decks/" + deckID + "/cards"

	var seen []string
	target := path + "?limit=3"
	for range 10 {
		rec := s.call(ada, http.MethodGet, target, "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		page := decodeInto[cardPageJSON](t, rec)
		for _, c := range page.Items {
			seen = append(seen, c.ID)
		}
		if page.NextCursor == nil {
			break
		}
		target = path + "?limit=3&cursor=" + *page.NextCursor
	}
	want := make([]string, len(cards))
	for i, c := range cards {
		want[i] = c.ID
	}
	assert.Equal(t, want, seen)

	first := decodeInto[cardPageJSON](t, s.call(ada, http.MethodGet, path+"?limit=3", ""))
	require.NotNil(t, first.NextCursor)
	for _, tt := range []struct{ query, field string }{
		{"?limit=0", "limit"},
		{"?limit=501", "limit"},
		{"?limit=ten", "limit"},
		{"?cursor=***", "cursor"},
		{"?cursor=bm90IGEgY3Vyc29y", "cursor"},
		{"?limit=0&cursor=x", "limit"},
	} {
		rec := s.call(ada, http.MethodGet, path+tt.query, "")
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, tt.query)
		assert.Equal(t, tt.field, problemOf(t, rec).Errors[0].Field, tt.query)
	}
	rec := s.call(ada, http.MethodGet, "/v1/decks?cursor="+*first.NextCursor, "")
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "a cursor of another list")
	rec = s.call(ada, http.MethodGet, fmt.Sprintf("%s?limit=500", path), "")
	assert.Len(t, decodeInto[cardPageJSON](t, rec).Items, 7)
}
