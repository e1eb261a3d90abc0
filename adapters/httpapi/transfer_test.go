package httpapi_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/anki"
	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/application/transfer"
)

// Small limits, so the tests reach them cheaply.
const (
	testBodyLimit   = 1024
	testUploadLimit = 8192
)

// newTransferStack is the deck stack with the transfer routes, a body limit of 1 KiB and
// an upload limit of 8 KiB.
func newTransferStack(t *testing.T) *deckStack {
	t.Helper()
	s := newDeckStack(t)
	deckRepo, clk := s.decks, clock.System{}
	routes := httpapi.NewTransferHandlers(s.authn, httpapi.TransferUseCases{
		Export:        transfer.NewExportDeckHandler(deckRepo),
		ImportCards:   transfer.NewImportCardsHandler(deckRepo, clk),
		ImportPackage: transfer.NewImportPackageHandler(anki.NewReader(anki.Config{TempDir: t.TempDir()}), deckRepo, clk),
	})
	s.harness = newHarness(t, httpapi.RouterConfig{MaxBodyBytes: testBodyLimit, MaxUploadBytes: testUploadLimit},
		s.deckRoutes, routes)
	return s
}

// send sends an authenticated body of contentType.
func (s *deckStack) send(u user, method, target, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Content-Type", contentType)
	return s.serve(req)
}

// csvRows returns n rows of CSV, each about 20 bytes.
func csvRows(n int) []byte {
	return []byte(strings.Repeat("some front,some back\n", n))
}

func TestTransfer_UploadLimitIsPerRoute(t *testing.T) {
	t.Parallel()
	s := newTransferStack(t)
	u := s.newUser(t)
	deckID := s.createDeck(t, u, "Limits")

	rec := s.send(u, http.MethodPost, "/v1/decks/"+deckID+"/import", "text/csv", csvRows(200)) // ~4 KiB
	require.Equal(t, http.StatusCreated, rec.Code, "an import may exceed the body limit: %s", rec.Body)

	rec = s.send(u, http.MethodPost, "/v1/decks/"+deckID+"/import", "text/csv", csvRows(500)) // ~10 KiB
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())

	req := httptest.NewRequest(http.MethodPost, "/v1/decks/"+deckID+"/import", strings.NewReader(string(csvRows(500))))
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Content-Type", "text/csv")
	req.ContentLength = -1 // streamed: refused on read
	assert.Equal(t, http.StatusRequestEntityTooLarge, s.serve(req).Code)

	rec = s.send(u, http.MethodPost, "/v1/decks", "application/json", []byte(`{"name":"`+strings.Repeat("x", 2000)+`"}`))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "other routes keep the body limit")

	rec = s.send(u, http.MethodPost, "/v1/decks/import/apkg", "multipart/form-data; boundary=x", bytes.Repeat([]byte("x"), 10000))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
}

func TestTransfer_PackageUploadRefusals(t *testing.T) {
	t.Parallel()
	s := newTransferStack(t)
	u := s.newUser(t)

	rec := s.send(u, http.MethodPost, "/v1/decks/import/apkg", "application/zip", []byte("PK"))
	assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)

	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("other", "value"))
	require.NoError(t, w.Close())
	rec = s.send(u, http.MethodPost, "/v1/decks/import/apkg", w.FormDataContentType(), buf.Bytes())
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), `"field":"file"`)
}

func TestTransfer_ExportNamesTheFile(t *testing.T) {
	t.Parallel()
	s := newTransferStack(t)
	u := s.newUser(t)
	deckID := s.createDeck(t, u, `Grüße/Ü "quoted"`)

	rec := s.call(u, http.MethodGet, "/v1/decks/"+deckID+"/export?format=csv", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, `attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe_%C3%9C%20_quoted_.csv`, rec.Header().Get("Content-Disposition"))
	assert.Equal(t, "front,back\n", rec.Body.String(), "an empty deck exports its header")

	rec = s.call(u, http.MethodGet, "/v1/decks/"+deckID+"/export", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"name":"Grüße/Ü \"quoted\"","cards":[]}`, rec.Body.String())
}
