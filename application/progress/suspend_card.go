package progress

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// SuspendCard is the command to suspend (or, with Suspended false, resume) CardID of
// UserID's deck DeckID.
type SuspendCard struct {
	UserID    string
	DeckID    string
	CardID    string
	Suspended bool
}

// SuspendCardHandler suspends and resumes cards. A suspended card never enters a study
// session; resuming it brings it back with its schedule as it was.
type SuspendCardHandler struct {
	decks    ports.DeckRepo
	progress ports.ProgressRepo
}

// NewSuspendCardHandler builds the handler.
func NewSuspendCardHandler(decks ports.DeckRepo, progress ports.ProgressRepo) *SuspendCardHandler {
	return &SuspendCardHandler{decks: decks, progress: progress}
}

// Handle sets the flag and returns the card with its flags. A card that is not in the
// caller's deck is domain.ErrNotFound.
func (h *SuspendCardHandler) Handle(ctx context.Context, cmd SuspendCard) (*domain.Card, error) {
	if _, err := h.progress.SetSuspended(ctx, cmd.UserID, cmd.CardID, cmd.DeckID, cmd.Suspended); err != nil {
		return nil, fmt.Errorf("suspend card: %w", err)
	}
	cards, err := h.decks.GetCards(ctx, cmd.UserID, cmd.DeckID, []string{cmd.CardID})
	if err != nil {
		return nil, fmt.Errorf("suspend card: %w", err)
	}
	if len(cards) == 0 {
		return nil, fmt.Errorf("suspend card: %w", domain.ErrNotFound)
	}
	return &cards[0], nil
}
