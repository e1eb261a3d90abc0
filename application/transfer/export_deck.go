package transfer

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// exportPageSize is how many cards an export reads at a time, so a deck of any size is
// streamed in bounded memory.
const exportPageSize = 1000

// DeckWriter receives an exported deck: the deck once, then each of its cards in the
// order they were added.
type DeckWriter interface {
	// Deck starts the export of d; nothing was written before it.
	Deck(d *domain.Deck) error
	// Card writes one card.
	Card(c *domain.Card) error
}

// ExportDeck is the query for the export of UserID's deck DeckID.
type ExportDeck struct {
	UserID string
	DeckID string
}

// ExportDeckHandler exports decks.
type ExportDeckHandler struct {
	decks ports.DeckRepo
}

// NewExportDeckHandler builds the handler.
func NewExportDeckHandler(decks ports.DeckRepo) *ExportDeckHandler {
	return &ExportDeckHandler{decks: decks}
}

// Handle hands the deck, then its cards page by page, to w. A deck that does not exist
// or belongs to another user is domain.ErrNotFound before w hears of anything; an error
// afterwards (a page that fails, or w's) stops the export half done.
func (h *ExportDeckHandler) Handle(ctx context.Context, q ExportDeck, w DeckWriter) error {
	deck, err := h.decks.GetDeck(ctx, q.UserID, q.DeckID)
	if err != nil {
		return fmt.Errorf("export deck: %w", err)
	}
	if err := w.Deck(deck); err != nil {
		return fmt.Errorf("export deck: %w", err)
	}
	page := domain.Page{Limit: exportPageSize}
	for {
		cards, next, err := h.decks.PageCards(ctx, q.UserID, q.DeckID, page)
		if err != nil {
			return fmt.Errorf("export deck: %w", err)
		}
		for i := range cards {
			if err := w.Card(&cards[i]); err != nil {
				return fmt.Errorf("export deck: %w", err)
			}
		}
		if next == "" {
			return nil
		}
		page.After = next
	}
}
