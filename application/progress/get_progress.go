package progress

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// GetProgress is the query for UserID's progress on CardID.
type GetProgress struct {
	UserID string
	CardID string
}

// GetProgressHandler reads one card's progress (through its copy: the repository is the
// cached one), with the FSRS view when its deck schedules with FSRS.
type GetProgressHandler struct {
	repo  ports.ProgressRepo
	decks ports.DeckRepo
	clock ports.Clock
}

// NewGetProgressHandler builds the handler.
func NewGetProgressHandler(repo ports.ProgressRepo, decks ports.DeckRepo, clock ports.Clock) *GetProgressHandler {
	return &GetProgressHandler{repo: repo, decks: decks, clock: clock}
}

// Handle returns the progress, or domain.ErrNotFound when the user never studied the
// card (or it is not theirs).
func (h *GetProgressHandler) Handle(ctx context.Context, q GetProgress) (*domain.ProgressView, error) {
	p, err := h.repo.Get(ctx, q.UserID, q.CardID)
	if err != nil {
		return nil, fmt.Errorf("get progress: %w", err)
	}
	deck, err := h.decks.GetDeck(ctx, q.UserID, p.DeckID)
	if err != nil {
		return nil, fmt.Errorf("get progress: %w", err)
	}
	view := domain.ViewProgress(*p, deck.Options, h.clock.Now())
	return &view, nil
}
