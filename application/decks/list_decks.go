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

// ListDecksHandler lists a user's own decks, through the cache (`decks:list`).
type ListDecksHandler struct {
	decks ports.DeckRepo
	lists *ListCache
}

// NewListDecksHandler builds the handler.
func NewListDecksHandler(decks ports.DeckRepo, lists *ListCache) *ListDecksHandler {
	return &ListDecksHandler{decks: decks, lists: lists}
}

// Handle returns the user's decks with their card counts, newest first.
func (h *ListDecksHandler) Handle(ctx context.Context, q ListDecks) ([]domain.Deck, error) {
	decks, err := h.lists.get(ctx, q.UserID, func(ctx context.Context) ([]domain.Deck, error) {
		return h.decks.ListDecks(ctx, q.UserID)
	})
	if err != nil {
		return nil, fmt.Errorf("list decks: %w", err)
	}
	return decks, nil
}
