package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// CreateDeck is the command to create a deck owned by UserID.
type CreateDeck struct {
	UserID      string
	Name        string
	Description string
}

// CreateDeckHandler creates decks.
type CreateDeckHandler struct {
	decks ports.DeckRepo
	clock ports.Clock
}

// NewCreateDeckHandler builds the handler.
func NewCreateDeckHandler(decks ports.DeckRepo, clock ports.Clock) *CreateDeckHandler {
	return &CreateDeckHandler{decks: decks, clock: clock}
}

// Handle validates and stores the deck and returns it (with no cards yet).
func (h *CreateDeckHandler) Handle(ctx context.Context, cmd CreateDeck) (*domain.Deck, error) {
	deck, err := domain.NewDeck(application.NewID(h.clock), cmd.UserID, cmd.Name, cmd.Description, h.clock.Now())
	if err != nil {
		return nil, err
	}
	if err := h.decks.CreateDeck(ctx, &deck); err != nil {
		return nil, fmt.Errorf("create deck: %w", err)
	}
	return &deck, nil
}
