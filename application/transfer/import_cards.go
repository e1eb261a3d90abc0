package transfer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ImportCards is the command to add the rows of a table (a CSV file: front, back) to
// UserID's deck DeckID. A first row reading `front,back` (in any case) is a header and
// is left out.
type ImportCards struct {
	UserID string
	DeckID string
	Rows   [][]string
}

// ImportedCards is what an import of cards did: the deck as it is now and how many
// cards it gained.
type ImportedCards struct {
	Deck     *domain.Deck
	Imported int
}

// ImportCardsHandler adds tables of cards to the caller's decks.
type ImportCardsHandler struct {
	decks ports.DeckRepo
	clock ports.Clock
}

// NewImportCardsHandler builds the handler.
func NewImportCardsHandler(decks ports.DeckRepo, clock ports.Clock) *ImportCardsHandler {
	return &ImportCardsHandler{decks: decks, clock: clock}
}

// Handle validates every row, then adds them all in one transaction. Every bad row is
// reported at once, as ValidationErrors joined, named `rows[i]` or `rows[i].front` /
// `rows[i].back` with i counting the rows after the header from 0; nothing is stored
// then. A deck that does not exist or belongs to another user is domain.ErrNotFound.
func (h *ImportCardsHandler) Handle(ctx context.Context, cmd ImportCards) (*ImportedCards, error) {
	cards, err := h.build(cmd)
	if err != nil {
		return nil, err
	}
	if err := h.decks.ImportDecks(ctx, cmd.UserID, nil, cards); err != nil {
		return nil, fmt.Errorf("import cards: %w", err)
	}
	deck, err := h.decks.GetDeck(ctx, cmd.UserID, cmd.DeckID)
	if err != nil {
		return nil, fmt.Errorf("import cards: cards added, deck not read: %w", err)
	}
	return &ImportedCards{Deck: deck, Imported: len(cards)}, nil
}

// build validates the rows and makes the cards to store.
func (h *ImportCardsHandler) build(cmd ImportCards) ([]domain.Card, error) {
	rows := cmd.Rows
	if len(rows) > 0 && isHeader(rows[0]) {
		rows = rows[1:]
	}
	if len(rows) == 0 || len(rows) > domain.MaxImportCards {
		return nil, domain.NewValidationError("rows", "must hold 1 to "+strconv.Itoa(domain.MaxImportCards)+" rows")
	}
	now := h.clock.Now()
	cards := make([]domain.Card, 0, len(rows))
	var errs []error
	for i, row := range rows {
		field := "rows[" + strconv.Itoa(i) + "]"
		if len(row) != 2 {
			errs = append(errs, domain.NewValidationError(field, "must hold 2 fields (front,back), not "+strconv.Itoa(len(row))))
			continue
		}
		card, err := domain.NewCard(application.NewID(h.clock), cmd.DeckID, row[0], row[1], field+".", now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cards = append(cards, card)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cards, nil
}

// isHeader reports whether row is the header `front,back`, in any case.
func isHeader(row []string) bool {
	return len(row) == 2 && strings.EqualFold(strings.TrimSpace(row[0]), "front") &&
		strings.EqualFold(strings.TrimSpace(row[1]), "back")
}
