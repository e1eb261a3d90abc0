package e2e_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/ankitest"
	"github.com/studytool/studytool/test/apptest"
)

// transferRows are cards that CSV must carry unchanged: quotes, commas, line breaks,
// leading spaces and text beyond ASCII.
var transferRows = [][]string{
	{"plain", "text"},
	{`say "hello"`, "a, b, and c"},
	{"two\nlines", "three\nline\nanswer"},
	{"  padded  ", "trailing space "},
	{"日本語 🎌", "Grüße, naïve café"},
	{"<b>html</b> & more", `'single' "double"`},
	{"front", "back"}, // a row like the header, not the first: a card
}

// TestTransfer exercises the export and import endpoints on each stack.
func TestTransfer(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c, _ := studyUser(t, a.Client(), "porter@example.com")
			t.Run("CSVRoundTripIsLossless", func(t *testing.T) { csvRoundTrip(t, c) })
			t.Run("CSVBadRowsAreAllReported", func(t *testing.T) { csvBadRows(t, c) })
			t.Run("CSVNeedsItsMediaType", func(t *testing.T) { csvMediaType(t, c) })
			t.Run("AnkiPackageImports", func(t *testing.T) { ankiImport(t, c) })
			t.Run("AnkiNotesRefusedAreSkipped", func(t *testing.T) { ankiSkipped(t, c) })
			t.Run("ZipBombsAreRefused", func(t *testing.T) { zipBombs(t, c) })
			t.Run("OtherUsersDeckIsNotFound", func(t *testing.T) { foreignDeck(t, a, c) })
			t.Run("ImportsRefreshTheDeckList", func(t *testing.T) { deckListAfterImports(t, a) })
			t.Run("CrossSiteImportsAreRefused", func(t *testing.T) { crossSiteImports(t, a) })
			t.Run("KeyedImportRunsOnce", func(t *testing.T) { keyedImport(t, c) })
		})
	}
}

// send posts body with contentType and returns the response.
func send(t *testing.T, c *apptest.Client, path, contentType string, body []byte) *apptest.Response {
	t.Helper()
	c.Header.Set("Content-Type", contentType)
	defer c.Header.Del("Content-Type")
	return c.Do(http.MethodPost, path, string(body))
}

// encodeCSV writes rows as CSV.
func encodeCSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	require.NoError(t, w.WriteAll(rows))
	return buf.Bytes()
}

// newDeck creates a deck called name and returns its id.
func newDeck(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": name})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var d struct{ ID string }
	res.JSON(t, &d)
	return d.ID
}

// exportCSV exports deckID as CSV and returns its rows, header included.
func exportCSV(t *testing.T, c *apptest.Client, deckID string) [][]string {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/decks/"+deckID+"/export?format=csv", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
	rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	require.NoError(t, err)
	return rows
}

func csvRoundTrip(t *testing.T, c *apptest.Client) {
	t.Helper()
	deckID := newDeck(t, c, "Round trip")
	body := encodeCSV(t, append([][]string{{"Front", "BACK"}}, transferRows...))
	res := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", body)
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var imported struct {
		Imported int
		Deck     struct{ CardCount int }
	}
	res.JSON(t, &imported)
	assert.Equal(t, len(transferRows), imported.Imported, "the header is not a card")
	assert.Equal(t, len(transferRows), imported.Deck.CardCount)

	rows := exportCSV(t, c, deckID)
	assert.Equal(t, append([][]string{{"front", "back"}}, transferRows...), rows)

	// The export imports into another deck without a header row and exports the same.
	copyID := newDeck(t, c, "Copy")
	res = send(t, c, "/v1/decks/"+copyID+"/import", "text/csv; charset=utf-8", encodeCSV(t, rows[1:]))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, rows, exportCSV(t, c, copyID))

	res = c.Do(http.MethodGet, "/v1/decks/"+deckID+"/export", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	assert.Contains(t, res.Header.Get("Content-Disposition"), `filename="Round trip.json"`)
	var exported struct {
		Name  string
		Cards []struct{ Front, Back string }
	}
	res.JSON(t, &exported)
	assert.Equal(t, "Round trip", exported.Name)
	require.Len(t, exported.Cards, len(transferRows))
	for i, row := range transferRows {
		got := []string{exported.Cards[i].Front, exported.Cards[i].Back}
		assert.Equal(t, row, got)
	}

	res = c.Do(http.MethodGet, "/v1/decks/"+deckID+"/export?format=xml", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
}

func csvBadRows(t *testing.T, c *apptest.Client) {
	t.Helper()
	deckID := newDeck(t, c, "Bad rows")
	body := []byte("front,back\n" +
		"good,row\n" +
		",empty front\n" +
		"fine,also fine\n" +
		"three,fields,here\n" +
		"bell\a,back\n" +
		"only one field\n" +
		"front,\n")
	res := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", body)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, []string{"rows[1].front", "rows[3]", "rows[4].front", "rows[5]", "rows[6].back"}, res.ProblemFields(t))

	res = c.Do(http.MethodGet, "/v1/decks/"+deckID, nil)
	var d struct{ CardCount int }
	res.JSON(t, &d)
	assert.Zero(t, d.CardCount, "nothing of a refused import is stored")

	res = send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", []byte("front,back\n"))
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "a header alone imports nothing")
	res = send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", []byte("a,\"unclosed\n"))
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "broken quoting")
}

func csvMediaType(t *testing.T, c *apptest.Client) {
	t.Helper()
	deckID := newDeck(t, c, "Media")
	res := send(t, c, "/v1/decks/"+deckID+"/import", "application/json", []byte(`{"front":"a"}`))
	assert.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode, "body: %s", res.Body)
}

// uploadPackage posts pkg as the `file` field of a multipart form.
func uploadPackage(t *testing.T, c *apptest.Client, pkg []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", "deck.apkg")
	require.NoError(t, err)
	_, err = part.Write(pkg)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return send(t, c, "/v1/decks/import/apkg", w.FormDataContentType(), buf.Bytes())
}

type importedPackage struct {
	Decks []struct {
		ID        string
		Name      string
		CardCount int
	}
	Skipped []struct {
		NoteID int64
		Reason string
	}
}

func ankiImport(t *testing.T, c *apptest.Client) {
	t.Helper()
	decks := []ankitest.Deck{{Name: "Anki::Capitals"}, {Name: "Anki::Verbs"}}
	for i := range 12 {
		decks[0].Notes = append(decks[0].Notes, []string{fmt.Sprintf("Country %d", i), fmt.Sprintf("<i>Capital %d</i>", i)})
	}
	for i := range 18 {
		decks[1].Notes = append(decks[1].Notes, []string{fmt.Sprintf("verb %d", i), fmt.Sprintf("meaning %d", i), "extra field"})
	}
	res := uploadPackage(t, c, ankitest.Package(t, decks...))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var out importedPackage
	res.JSON(t, &out)
	assert.Empty(t, out.Skipped)
	require.Len(t, out.Decks, 2)
	for i, d := range out.Decks {
		assert.Equal(t, decks[i].Name, d.Name)
		assert.Equal(t, len(decks[i].Notes), d.CardCount)
		rows := exportCSV(t, c, d.ID)
		require.Len(t, rows, len(decks[i].Notes)+1)
		for j, note := range decks[i].Notes {
			assert.Equal(t, note[:2], rows[j+1], "deck %s card %d", d.Name, j)
		}
	}
}

func ankiSkipped(t *testing.T, c *apptest.Client) {
	t.Helper()
	res := uploadPackage(t, c, ankitest.Package(t, ankitest.Deck{Name: "Mixed", Notes: [][]string{
		{"good", "note"}, {"nul\x00inside", "back"}, {"bad utf-8 \xff", "back"}, {"one field"},
	}}))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var out importedPackage
	res.JSON(t, &out)
	require.Len(t, out.Decks, 1)
	assert.Equal(t, 1, out.Decks[0].CardCount)
	require.Len(t, out.Skipped, 3)
	for i, s := range out.Skipped {
		assert.Equal(t, int64(i+2), s.NoteID)
		assert.NotEmpty(t, s.Reason)
	}
}

func zipBombs(t *testing.T, c *apptest.Client) {
	t.Helper()
	res := uploadPackage(t, c, ankitest.Bomb(t, 300<<20))
	assert.Contains(t, []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}, res.StatusCode, "body: %s", res.Body)
	res = uploadPackage(t, c, ankitest.LyingBomb(t, 4096, 64<<20))
	assert.Contains(t, []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}, res.StatusCode, "body: %s", res.Body)
	res = uploadPackage(t, c, []byte("not a zip at all"))
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body)
	res = uploadPackage(t, c, ankitest.Zip(t, ankitest.Entry{Name: "../collection.anki2", Data: ankitest.Collection(t)}))
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body)
}

func foreignDeck(t *testing.T, a *apptest.App, owner *apptest.Client) {
	t.Helper()
	deckID := newDeck(t, owner, "Private")
	res := send(t, owner, "/v1/decks/"+deckID+"/import", "text/csv", []byte("secret,answer\n"))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)

	stranger, _ := studyUser(t, a.Client(), "stranger@example.com")
	for _, format := range []string{"csv", "json"} {
		res = stranger.Do(http.MethodGet, "/v1/decks/"+deckID+"/export?format="+format, nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, "export %s: %s", format, res.Body)
	}
	res = send(t, stranger, "/v1/decks/"+deckID+"/import", "text/csv", []byte("mine,now\n"))
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "body: %s", res.Body)
	assert.Len(t, exportCSV(t, owner, deckID), 2, "the stranger added nothing")
}

// deckCounts lists the caller's decks as name: card count (read through the cache).
func deckCounts(t *testing.T, c *apptest.Client) map[string]int {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/decks?limit=100", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var list struct {
		Items []struct {
			Name      string
			CardCount int
		}
	}
	res.JSON(t, &list)
	counts := map[string]int{}
	for _, d := range list.Items {
		counts[d.Name] = d.CardCount
	}
	return counts
}

func deckListAfterImports(t *testing.T, a *apptest.App) {
	t.Helper()
	c, _ := studyUser(t, a.Client(), "lister@example.com")
	deckID := newDeck(t, c, "Listed")
	assert.Equal(t, map[string]int{"Listed": 0}, deckCounts(t, c), "the list is cached now")

	res := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", encodeCSV(t, transferRows))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, map[string]int{"Listed": len(transferRows)}, deckCounts(t, c), "a CSV import drops the cached list")

	res = uploadPackage(t, c, ankitest.Package(t, ankitest.Deck{Name: "From Anki", Notes: [][]string{{"a", "b"}, {"c", "d"}}}))
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, map[string]int{"Listed": len(transferRows), "From Anki": 2}, deckCounts(t, c), "a package import drops the cached list")
}

// crossSiteImports sends the imports as a page of another site would make a browser
// send them, with the visitor's session cookie and a "simple" content type: refused.
func crossSiteImports(t *testing.T, a *apptest.App) {
	t.Helper()
	browser := a.Client() // authenticated by its session cookie alone
	browser.Register("visitor@example.com")
	browser.Login("visitor@example.com")
	deckID := newDeck(t, browser, "Visited")
	browser.Header = http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	res := send(t, browser, "/v1/decks/"+deckID+"/import", "text/csv", []byte("planted,card\n"))
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "body: %s", res.Body)
	res = uploadPackage(t, browser, ankitest.Package(t, ankitest.Deck{Name: "Planted", Notes: [][]string{{"a", "b"}}}))
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "body: %s", res.Body)
	browser.Header = http.Header{}
	assert.Equal(t, map[string]int{"Visited": 0}, deckCounts(t, browser))
}

// keyedImport sends one CSV import twice with one Idempotency-Key: the retry replays
// the first answer and adds nothing.
func keyedImport(t *testing.T, c *apptest.Client) {
	t.Helper()
	deckID := newDeck(t, c, "Keyed")
	c.Header.Set("Idempotency-Key", "import-"+deckID)
	defer c.Header.Del("Idempotency-Key")
	first := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", encodeCSV(t, transferRows))
	require.Equal(t, http.StatusCreated, first.StatusCode, "body: %s", first.Body)
	again := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", encodeCSV(t, transferRows))
	require.Equal(t, http.StatusCreated, again.StatusCode, "body: %s", again.Body)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.Len(t, exportCSV(t, c, deckID), len(transferRows)+1, "the cards were added once")
}
