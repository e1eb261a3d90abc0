package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ImportPackage is the command to import the package file File of Size bytes (an Anki
// .apkg) as new decks of UserID.
type ImportPackage struct {
	UserID string
	File   io.ReaderAt
	Size   int64
}

// ImportedPackage is what an import of a package did: the decks it created, with their
// card counts, and the notes it left out.
type ImportedPackage struct {
	Decks   []domain.Deck
	Skipped []domain.PackageSkip
}

// ImportPackageHandler imports flashcard packages of other applications.
type ImportPackageHandler struct {
	reader ports.PackageReader
	decks  ports.DeckRepo
	clock  ports.Clock
}

// NewImportPackageHandler builds the handler.
func NewImportPackageHandler(reader ports.PackageReader, decks ports.DeckRepo, clock ports.Clock) *ImportPackageHandler {
	return &ImportPackageHandler{reader: reader, decks: decks, clock: clock}
}

// Handle reads the package and creates one deck per package deck with a card to import,
// one card per note (its first field the front, its second the back, kept as they are),
// all in one transaction. A note whose sides domain.NewCard refuses (invalid UTF-8, NUL,
// empty or too long), or with fewer than two fields, or of a deck whose name is refused,
// is skipped and listed with the reason.
func (h *ImportPackageHandler) Handle(ctx context.Context, cmd ImportPackage) (*ImportedPackage, error) {
	pkg, err := h.reader.Read(ctx, cmd.File, cmd.Size)
	if err != nil {
		return nil, fmt.Errorf("import package: %w", err)
	}
	out := &ImportedPackage{Decks: []domain.Deck{}, Skipped: append([]domain.PackageSkip{}, pkg.Skipped...)}
	var cards []domain.Card
	now := h.clock.Now()
	for _, pd := range pkg.Decks {
		deck, err := domain.NewDeck(application.NewID(h.clock), cmd.UserID, pd.Name, "", now)
		if err != nil {
			for _, n := range pd.Notes {
				out.Skipped = append(out.Skipped, domain.PackageSkip{NoteID: n.ID, Reason: "deck " + reason(err)})
			}
			continue
		}
		deckCards := h.cards(deck.ID, pd.Notes, now, out)
		if len(deckCards) == 0 {
			continue
		}
		deck.CardCount = len(deckCards)
		out.Decks = append(out.Decks, deck)
		cards = append(cards, deckCards...)
	}
	if len(cards) > domain.MaxImportCards {
		return nil, domain.NewValidationError("file", fmt.Sprintf("holds more than %d notes to import", domain.MaxImportCards))
	}
	if len(out.Decks) > 0 {
		if err := h.decks.ImportDecks(ctx, cmd.UserID, out.Decks, cards); err != nil {
			return nil, fmt.Errorf("import package: %w", err)
		}
	}
	return out, nil
}

// cards makes the cards of a deck's notes, adding the notes it skips to out.
func (h *ImportPackageHandler) cards(deckID string, notes []domain.PackageNote, now time.Time, out *ImportedPackage) []domain.Card {
	cards := make([]domain.Card, 0, len(notes))
	for _, n := range notes {
		if len(n.Fields) < 2 {
			out.Skipped = append(out.Skipped, domain.PackageSkip{NoteID: n.ID, Reason: "has fewer than two fields"})
			continue
		}
		card, err := domain.NewCard(application.NewID(h.clock), deckID, n.Fields[0], n.Fields[1], "", now)
		if err != nil {
			out.Skipped = append(out.Skipped, domain.PackageSkip{NoteID: n.ID, Reason: reason(err)})
			continue
		}
		cards = append(cards, card)
	}
	return cards
}

// reason tells why validation refused something: the fields and reasons of err's
// ValidationErrors, joined.
func reason(err error) string {
	var parts []string
	collect(err, &parts)
	if len(parts) == 0 {
		return err.Error()
	}
	return strings.Join(parts, "; ")
}

// collect appends the "field: reason" of every ValidationError in err's tree to parts.
func collect(err error, parts *[]string) {
	var v *domain.ValidationError
	switch e := err.(type) { //nolint:errorlint // walks the tree itself, joined errors included
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			collect(inner, parts)
		}
	case *domain.ValidationError:
		*parts = append(*parts, strings.TrimPrefix(e.Field+": "+e.Reason, ": "))
	default:
		if errors.As(err, &v) {
			*parts = append(*parts, v.Field+": "+v.Reason)
		}
	}
}
