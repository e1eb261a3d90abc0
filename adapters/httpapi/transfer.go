package httpapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/transfer"
	"github.com/studytool/studytool/domain"
)

// The routes that take uploads, whose bodies have the upload limit
// (RouterConfig.MaxUploadBytes) instead of the request body limit.
const (
	routeImportCSV     = "/v1/decks/:deckId/import"
	routeImportPackage = "/v1/decks/import/apkg"
)

// uploadRoutes are the full paths of the routes that take uploads.
var uploadRoutes = map[string]bool{routeImportCSV: true, routeImportPackage: true}

// packageField is the multipart form field that carries an Anki package.
const packageField = "file"

// utf8BOM is the byte order mark spreadsheets put in front of UTF-8 CSV files.
var utf8BOM = []byte("\uFEFF")

// TransferHandlers serves the export and import of decks.
type TransferHandlers struct {
	authn *Authenticator
	uc    TransferUseCases
}

var _ RouteRegistrar = (*TransferHandlers)(nil)

// TransferUseCases are the use-cases behind the export and import endpoints.
type TransferUseCases struct {
	Export        *transfer.ExportDeckHandler
	ImportCards   *transfer.ImportCardsHandler
	ImportPackage *transfer.ImportPackageHandler
}

// NewTransferHandlers builds the export and import endpoints.
func NewTransferHandlers(authn *Authenticator, uc TransferUseCases) *TransferHandlers {
	return &TransferHandlers{authn: authn, uc: uc}
}

// Register implements RouteRegistrar.
func (h *TransferHandlers) Register(r gin.IRouter) {
	g := r.Group("", h.authn.Required(), requireUUIDs("deckId"))
	g.GET("/v1/decks/:deckId/export", h.export)
	g.POST(routeImportCSV, h.importCSV)
	g.POST(routeImportPackage, h.importPackage)
}

// mediaTypeError reports a request body of another media type than want.
type mediaTypeError struct{ want string }

func (e *mediaTypeError) Error() string { return "the request body must be sent as " + e.want }

// requireMediaType checks that the request declares a body of media type want.
func requireMediaType(c *gin.Context, want string) error {
	media, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || media != want {
		return &mediaTypeError{want: want}
	}
	return nil
}

// importedCardsResponse is the answer to a CSV import: the deck and the cards added.
type importedCardsResponse struct {
	Imported int          `json:"imported"`
	Deck     deckResponse `json:"deck"`
}

func (h *TransferHandlers) importCSV(c *gin.Context) {
	rows, err := readCSV(c)
	if err != nil {
		WriteError(c, err)
		return
	}
	out, err := h.uc.ImportCards.Handle(c.Request.Context(), transfer.ImportCards{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), Rows: rows,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, importedCardsResponse{Imported: out.Imported, Deck: newDeckResponse(out.Deck)})
}

// readCSV reads the rows of a text/csv request body (a UTF-8 byte order mark is
// skipped), at most one more than an import takes.
func readCSV(c *gin.Context) ([][]string, error) {
	if err := requireMediaType(c, "text/csv"); err != nil {
		return nil, err
	}
	body := bufio.NewReader(c.Request.Body)
	if head, err := body.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = body.Discard(len(utf8BOM))
	}
	r := csv.NewReader(body)
	r.FieldsPerRecord = -1 // a row of the wrong width is reported with the others
	var rows [][]string
	for len(rows) <= domain.MaxImportCards+1 { // the header and one row too many
		row, err := r.Read()
		var parse *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return rows, nil
		case errors.As(err, &parse) && !errors.As(err, new(*http.MaxBytesError)):
			return nil, domain.NewValidationError("body",
				fmt.Sprintf("is not valid CSV: line %d, column %d: %v", parse.Line, parse.Column, parse.Err))
		case err != nil:
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// importedPackageResponse is the answer to a package import: the decks made and the
// notes left out.
type importedPackageResponse struct {
	Decks   []importedDeck `json:"decks"`
	Skipped []skippedNote  `json:"skipped"`
}

type importedDeck struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CardCount int    `json:"cardCount"`
}

type skippedNote struct {
	NoteID int64  `json:"noteId"`
	Reason string `json:"reason"`
}

func newImportedPackageResponse(out *transfer.ImportedPackage) importedPackageResponse {
	resp := importedPackageResponse{Decks: make([]importedDeck, len(out.Decks)), Skipped: make([]skippedNote, len(out.Skipped))}
	for i, d := range out.Decks {
		resp.Decks[i] = importedDeck{ID: d.ID, Name: d.Name, CardCount: d.CardCount}
	}
	for i, s := range out.Skipped {
		resp.Skipped[i] = skippedNote{NoteID: s.NoteID, Reason: s.Reason}
	}
	return resp
}

func (h *TransferHandlers) importPackage(c *gin.Context) {
	file, size, err := receivePackage(c)
	if file != nil {
		defer removeTemp(c, file)
	}
	if err != nil {
		WriteError(c, err)
		return
	}
	out, err := h.uc.ImportPackage.Handle(c.Request.Context(), transfer.ImportPackage{
		UserID: mustSession(c).UserID, File: file, Size: size,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, newImportedPackageResponse(out))
}

// receivePackage copies the multipart field `file` of the request to a temporary file
// (the body limit bounds it) and returns the file, to remove once read, and its size.
func receivePackage(c *gin.Context) (*os.File, int64, error) {
	if err := requireMediaType(c, "multipart/form-data"); err != nil {
		return nil, 0, err
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, 0, domain.NewValidationError("body", "is not a valid multipart form")
	}
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return nil, 0, domain.NewValidationError(packageField, "is required")
		case errors.As(err, new(*http.MaxBytesError)):
			return nil, 0, err
		case err != nil:
			return nil, 0, domain.NewValidationError("body", "is not a valid multipart form")
		}
		if part.FormName() != packageField {
			continue
		}
		return copyToTemp(part)
	}
}

// copyToTemp copies r to a new temporary file and returns it, with its size.
func copyToTemp(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "studytool-upload-*.apkg")
	if err != nil {
		return nil, 0, fmt.Errorf("receive package: %w", err)
	}
	n, err := io.Copy(f, r)
	if errors.As(err, new(*http.MaxBytesError)) {
		return f, 0, err
	}
	if err != nil {
		return f, 0, fmt.Errorf("receive package: %w", err)
	}
	return f, n, nil
}

// removeTemp closes and removes a temporary file, logging a failure.
func removeTemp(c *gin.Context, f *os.File) {
	if err := errors.Join(f.Close(), os.Remove(f.Name())); err != nil {
		loggerFrom(c.Request.Context()).LogAttrs(c.Request.Context(), slog.LevelWarn, "temporary upload not removed", slog.Any("error", err))
	}
}
