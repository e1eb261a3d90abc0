package decks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// NewCard is the content of one card to add.
type NewCard struct {
	Front string
	Back  string
}

// AddCards is the command to add cards to DeckID of UserID. Batch marks a request that
// sent a list (`{cards: […]}`), even of one card, so that validation errors name fields
// the way the client sent them: `front` for a single card, `cards[3].front` in a batch.
// A command that is not a batch carries exactly one card.
type AddCards struct {
	UserID string
	DeckID string
	Cards  []NewCard
	Batch  bool
}

// AddCardsHandler adds cards to one of the caller's decks.
type AddCardsHandler struct {
	decks ports.DeckRepo
	clock ports.Clock
}

// NewAddCardsHandler builds the handler.
func NewAddCardsHandler(decks ports.DeckRepo, clock ports.Clock) *AddCardsHandler {
	return &AddCardsHandler{decks: decks, clock: clock}
}

// Handle validates every card, then stores them all in one transaction, and returns them
// in command order. One invalid card refuses the whole command before anything is
// stored; a deck that does not exist or belongs to another user is domain.ErrNotFound.
func (h *AddCardsHandler) Handle(ctx context.Context, cmd AddCards) ([]domain.Card, error) {
	cards, err := h.build(cmd)
	if err != nil {
		return nil, err
	}
	if err := h.decks.AddCards(ctx, cmd.UserID, cmd.DeckID, cards); err != nil {
		return nil, fmt.Errorf("add cards: %w", err)
	}
	return cards, nil
}

// build validates the command and makes the cards to store.
func (h *AddCardsHandler) build(cmd AddCards) ([]domain.Card, error) {
	switch {
	case !cmd.Batch && len(cmd.Cards) != 1:
		return nil, fmt.Errorf("add cards: a single-card command carries %d cards", len(cmd.Cards))
	case len(cmd.Cards) == 0 || len(cmd.Cards) > domain.MaxCardsPerBatch:
		return nil, domain.NewValidationError("cards",
			"must hold 1 to "+strconv.Itoa(domain.MaxCardsPerBatch)+" cards")
	}
	now := h.clock.Now()
	cards := make([]domain.Card, len(cmd.Cards))
	for i, in := range cmd.Cards {
		field := ""
		if cmd.Batch {
			field = "cards[" + strconv.Itoa(i) + "]."
		}
		card, err := domain.NewCard(application.NewID(h.clock), cmd.DeckID, in.Front, in.Back, field, now)
		if err != nil {
			return nil, err
		}
		cards[i] = card
	}
	return cards, nil
}
