package progress

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Disagreement is a stored progress row that differs from what the review log gives, or
// is missing (Stored is nil).
type Disagreement struct {
	Stored  *domain.Progress
	FromLog domain.Progress
}

// Verification is the outcome of checking stored progress against the review log.
type Verification struct {
	// Reviews and Rows are how many log rows were replayed into how many progress rows.
	Reviews, Rows int
	Disagreements []Disagreement
}

// VerifyProgressHandler recomputes progress from the review log (the data of record) and
// compares it with the stored progress: the operators' `progress verify`. It reads the
// database's own progress, never a cached copy.
type VerifyProgressHandler struct {
	reviews  ports.ReviewRepo
	progress ports.ProgressRepo
}

// NewVerifyProgressHandler builds the handler; progress must be the database's
// repository, not the cached one.
func NewVerifyProgressHandler(reviews ports.ReviewRepo, progress ports.ProgressRepo) *VerifyProgressHandler {
	return &VerifyProgressHandler{reviews: reviews, progress: progress}
}

// Handle replays userID's review log (everyone's when userID is "") through the
// scheduler, one (user, card) at a time in commit order, and reports every stored row
// that differs or is missing.
func (h *VerifyProgressHandler) Handle(ctx context.Context, userID string) (*Verification, error) {
	log, err := h.reviews.ListByUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("verify progress: %w", err)
	}
	replayed, err := domain.Replay(log)
	if err != nil {
		return nil, fmt.Errorf("verify progress: %w", err)
	}
	out := &Verification{Reviews: len(log), Rows: len(replayed)}
	for _, want := range replayed {
		stored, err := h.progress.Get(ctx, want.UserID, want.CardID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			out.Disagreements = append(out.Disagreements, Disagreement{FromLog: want})
		case err != nil:
			return nil, fmt.Errorf("verify progress: %w", err)
		case !SameSchedule(stored, &want):
			out.Disagreements = append(out.Disagreements, Disagreement{Stored: stored, FromLog: want})
		}
	}
	return out, nil
}

// SameSchedule compares the scheduling state of two progress rows (see
// domain.SameCardState; not their version, which counts commits, drills included).
func SameSchedule(a, b *domain.Progress) bool {
	return a.DeckID == b.DeckID && domain.SameCardState(a.CardState, b.CardState)
}
