package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListCards is the query for a page of the cards of one deck of UserID.
type ListCards struct {
	UserID string
	DeckID string
	Page   domain.Page
}

// ListCardsHandler lists the cards of one of the caller's decks.
type ListCardsHandler struct {
	decks ports.DeckRepo
}

// NewListCardsHandler builds the handler.
func NewListCardsHandler(decks ports.DeckRepo) *ListCardsHandler {
	return &ListCardsHandler{decks: decks}
}

// Handle returns a page of the deck's cards in the order they were added and the
// position of the next page ("" after the last), or domain.ErrNotFound when the deck
// does not exist or belongs to another user.
func (h *ListCardsHandler) Handle(ctx context.Context, q ListCards) ([]domain.Card, string, error) {
	cards, next, err := h.decks.PageCards(ctx, q.UserID, q.DeckID, q.Page)
	if err != nil {
		return nil, "", fmt.Errorf("list cards: %w", err)
	}
	return cards, next, nil
}
