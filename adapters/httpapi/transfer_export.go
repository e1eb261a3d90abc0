package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/transfer"
	"github.com/studytool/studytool/domain"
)

// exportFileName is the name an export is saved under: the deck's name with the
// characters file systems refuse replaced, and the format's extension.
func exportFileName(deckName, ext string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, deckName)
	if strings.Trim(name, "._ ") == "" {
		name = "deck"
	}
	return name + "." + ext
}

func (h *TransferHandlers) export(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	var w exportWriter
	switch format {
	case "json":
		w = &jsonExport{c: c}
	case "csv":
		w = &csvExport{c: c}
	default:
		WriteError(c, domain.NewValidationError("format", "must be one of: csv json"))
		return
	}
	err := h.uc.Export.Handle(c.Request.Context(), transfer.ExportDeck{UserID: mustSession(c).UserID, DeckID: c.Param("deckId")}, w)
	if err == nil {
		err = w.finish()
	}
	switch {
	case err != nil && !c.Writer.Written():
		WriteError(c, err)
	case err != nil:
		// The status is sent: break the response off so the client sees it cut short.
		loggerFrom(c.Request.Context()).LogAttrs(c.Request.Context(), slog.LevelError, "export failed midway", slog.Any("error", err))
		panic(http.ErrAbortHandler)
	}
}

// exportWriter writes an export as the response body.
type exportWriter interface {
	transfer.DeckWriter
	// finish ends the body once every card is written.
	finish() error
}

// startExport sends the export's headers.
func startExport(c *gin.Context, d *domain.Deck, contentType, ext string) {
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exportFileName(d.Name, ext)}))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
}

// csvExport writes a deck as CSV: a header row `front,back`, then one row per card.
type csvExport struct {
	c *gin.Context
	w *csv.Writer
}

func (e *csvExport) Deck(d *domain.Deck) error {
	startExport(e.c, d, "text/csv; charset=utf-8", "csv")
	e.w = csv.NewWriter(e.c.Writer)
	return e.w.Write([]string{"front", "back"})
}

func (e *csvExport) Card(card *domain.Card) error {
	return e.w.Write([]string{card.Front, card.Back})
}

func (e *csvExport) finish() error {
	e.w.Flush()
	return e.w.Error()
}

// jsonExport writes a deck as JSON: `{"name": …, "cards": [{"front": …, "back": …}, …]}`,
// a card at a time.
type jsonExport struct {
	c     *gin.Context
	cards int
}

// exportedCard is a card as an export holds it.
type exportedCard struct {
	Front string `json:"front"`
	Back  string `json:"back"`
}

func (e *jsonExport) Deck(d *domain.Deck) error {
	startExport(e.c, d, "application/json; charset=utf-8", "json")
	name, err := json.Marshal(d.Name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.c.Writer, `{"name":%s,"cards":[`, name)
	return err
}

func (e *jsonExport) Card(card *domain.Card) error {
	raw, err := json.Marshal(exportedCard{Front: card.Front, Back: card.Back})
	if err != nil {
		return err
	}
	if e.cards > 0 {
		raw = append([]byte{','}, raw...)
	}
	e.cards++
	_, err = e.c.Writer.Write(raw)
	return err
}

func (e *jsonExport) finish() error {
	_, err := io.WriteString(e.c.Writer, "]}")
	return err
}
