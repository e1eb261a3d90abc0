package progress

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ExportReviews is the query for UserID's review log, of DeckID only when it is set.
type ExportReviews struct {
	UserID string
	DeckID string
}

// ExportReviewsHandler hands a learner their review log, in the shape the FSRS optimizer
// reads (so they can fit weights to their own history and give them back to a deck).
type ExportReviewsHandler struct {
	reviews ports.ReviewRepo
	decks   ports.DeckRepo
}

// NewExportReviewsHandler builds the handler.
func NewExportReviewsHandler(reviews ports.ReviewRepo, decks ports.DeckRepo) *ExportReviewsHandler {
	return &ExportReviewsHandler{reviews: reviews, decks: decks}
}

// ReviewExport is a prepared export: everything that can fail before the first row is
// checked, so a caller streaming the rows has sent nothing when Prepare fails.
type ReviewExport struct {
	q       ExportReviews
	reviews ports.ReviewRepo
	// undone holds the ids of the answers an undo took back.
	undone map[string]bool
}

// Prepare checks the deck (domain.ErrNotFound when it is not the caller's) and reads
// which answers were taken back.
func (h *ExportReviewsHandler) Prepare(ctx context.Context, q ExportReviews) (*ReviewExport, error) {
	if q.DeckID != "" {
		if _, err := h.decks.GetDeck(ctx, q.UserID, q.DeckID); err != nil {
			return nil, fmt.Errorf("export reviews: %w", err)
		}
	}
	undone := make(map[string]bool)
	err := h.reviews.Each(ctx, q.UserID, q.DeckID, func(r domain.Review) error {
		if r.Kind == domain.ReviewUndo {
			undone[r.UndoneID] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export reviews: %w", err)
	}
	return &ReviewExport{q: q, reviews: h.reviews, undone: undone}, nil
}

// Each hands fn the answers of the log in commit order: every answer (new, review,
// drill, repeat) that no undo took back. Undo rows themselves are left out. An error
// from fn stops the export and is returned.
func (e *ReviewExport) Each(ctx context.Context, fn func(domain.Review) error) error {
	return e.reviews.Each(ctx, e.q.UserID, e.q.DeckID, func(r domain.Review) error {
		if r.Kind == domain.ReviewUndo || e.undone[r.ID] {
			return nil
		}
		return fn(r)
	})
}
