package progress

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListReviews is the query for a page of UserID's review log, of DeckID only when set.
type ListReviews struct {
	UserID string
	DeckID string
	Page   domain.Page
}

// ListReviewsHandler pages through a user's review log.
type ListReviewsHandler struct {
	reviews ports.ReviewRepo
	decks   ports.DeckRepo
}

// NewListReviewsHandler builds the handler.
func NewListReviewsHandler(reviews ports.ReviewRepo, decks ports.DeckRepo) *ListReviewsHandler {
	return &ListReviewsHandler{reviews: reviews, decks: decks}
}

// Handle returns a page of the log in the order it was written (answers and undos) and
// the position of the next page ("" after the last). A deck that is not the caller's is
// domain.ErrNotFound.
func (h *ListReviewsHandler) Handle(ctx context.Context, q ListReviews) ([]domain.Review, string, error) {
	if q.DeckID != "" {
		if _, err := h.decks.GetDeck(ctx, q.UserID, q.DeckID); err != nil {
			return nil, "", fmt.Errorf("list reviews: %w", err)
		}
	}
	reviews, next, err := h.reviews.Page(ctx, q.UserID, q.DeckID, q.Page)
	if err != nil {
		return nil, "", fmt.Errorf("list reviews: %w", err)
	}
	return reviews, next, nil
}
