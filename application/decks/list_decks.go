package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListDecks is the query for the decks of UserID.
type ListDecks struct {
	UserID string
}

// ListDecksHandler lists a user's own decks.
type ListDecksHandler struct {
	decks ports.DeckRepo
}

// NewListDecksHandler builds the handler.
func NewListDecksHandler(decks ports.DeckRepo) *ListDecksHandler {
	return &ListDecksHandler{decks: decks}
}

// Handle returns the user's decks with their card counts, newest first.
func (h *ListDecksHandler) Handle(ctx context.Context, q ListDecks) ([]domain.Deck, error) {
	decks, err := h.decks.ListDecks(ctx, q.UserID)
	if err != nil {
		return nil, fmt.Errorf("list decks: %w", err)
	}
	return decks, nil
}
