package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// GetDeck is the query for one deck of UserID.
type GetDeck struct {
	UserID string
	DeckID string
}

// GetDeckHandler reads one of the caller's decks.
type GetDeckHandler struct {
	decks ports.DeckRepo
}

// NewGetDeckHandler builds the handler.
func NewGetDeckHandler(decks ports.DeckRepo) *GetDeckHandler {
	return &GetDeckHandler{decks: decks}
}

// Handle returns the deck with its card count, or domain.ErrNotFound when the deck does
// not exist or belongs to another user.
func (h *GetDeckHandler) Handle(ctx context.Context, q GetDeck) (*domain.Deck, error) {
	deck, err := h.decks.GetDeck(ctx, q.UserID, q.DeckID)
	if err != nil {
		return nil, fmt.Errorf("get deck: %w", err)
	}
	return deck, nil
}
