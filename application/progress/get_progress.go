package progress

import (
	"context"
	"errors"
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

// Handle returns the progress; a card the user never studied has the new-card state
// (due since it was added). A card that is not the caller's is domain.ErrNotFound.
func (h *GetProgressHandler) Handle(ctx context.Context, q GetProgress) (*domain.ProgressView, error) {
	p, err := h.repo.Get(ctx, q.UserID, q.CardID)
	if errors.Is(err, domain.ErrNotFound) {
		p, err = h.unstudied(ctx, q)
	}
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

// unstudied returns the progress of a card of the user's that has no progress row yet.
func (h *GetProgressHandler) unstudied(ctx context.Context, q GetProgress) (*domain.Progress, error) {
	card, err := h.decks.GetCard(ctx, q.UserID, q.CardID)
	if err != nil {
		return nil, err
	}
	p := domain.NewProgress(q.UserID, card.ID, card.DeckID)
	p.DueAt, p.UpdatedAt = card.CreatedAt, card.CreatedAt
	p.Suspended, p.Leech = card.Suspended, card.Leech
	return &p, nil
}
