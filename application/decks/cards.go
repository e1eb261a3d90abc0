package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// GetCard is the query for one card of UserID's deck DeckID.
type GetCard struct {
	UserID string
	DeckID string
	CardID string
}

// GetCardHandler reads one of the caller's cards.
type GetCardHandler struct {
	decks ports.DeckRepo
}

// NewGetCardHandler builds the handler.
func NewGetCardHandler(decks ports.DeckRepo) *GetCardHandler {
	return &GetCardHandler{decks: decks}
}

// Handle returns the card with its flags; a card that is not in the caller's deck is
// domain.ErrNotFound.
func (h *GetCardHandler) Handle(ctx context.Context, q GetCard) (*domain.Card, error) {
	card, err := h.decks.GetCard(ctx, q.UserID, q.CardID)
	if err != nil {
		return nil, fmt.Errorf("get card: %w", err)
	}
	if card.DeckID != q.DeckID {
		return nil, fmt.Errorf("get card: %w", domain.ErrNotFound)
	}
	return card, nil
}

// UpdateCard is the command to change CardID of UserID's deck DeckID: the sides that
// Change sets and, when Suspended is set, the suspension. Check, when set, is the
// client's precondition on the card as stored (an If-Match); its error refuses the
// change.
type UpdateCard struct {
	UserID    string
	DeckID    string
	CardID    string
	Change    domain.CardChange
	Suspended *bool
	Check     func(*domain.Card) error
}

// UpdateCardHandler edits cards and suspends or resumes them. A suspended card never
// enters a study session; resuming it brings it back with its schedule as it was.
type UpdateCardHandler struct {
	decks    ports.DeckRepo
	progress ports.ProgressRepo
	clock    ports.Clock
}

// NewUpdateCardHandler builds the handler.
func NewUpdateCardHandler(decks ports.DeckRepo, progress ports.ProgressRepo, clock ports.Clock) *UpdateCardHandler {
	return &UpdateCardHandler{decks: decks, progress: progress, clock: clock}
}

// Handle checks the precondition and changes the sides in one transaction (every bad
// side reported at once), then sets the suspension, and returns the card with its
// flags. A card that is not in the caller's deck is domain.ErrNotFound.
func (h *UpdateCardHandler) Handle(ctx context.Context, cmd UpdateCard) (*domain.Card, error) {
	now := h.clock.Now()
	sides := cmd.Change.Front != nil || cmd.Change.Back != nil
	if sides {
		probe := domain.Card{Front: "-", Back: "-"} // validate before touching the store
		if err := probe.Change(cmd.Change, now); err != nil {
			return nil, err
		}
	}
	var card *domain.Card
	if sides || cmd.Check != nil {
		updated, err := h.decks.UpdateCard(ctx, cmd.UserID, cmd.DeckID, cmd.CardID, func(c *domain.Card) error {
			if cmd.Check != nil {
				if err := cmd.Check(c); err != nil {
					return err
				}
			}
			if !sides {
				return nil
			}
			return c.Change(cmd.Change, now)
		})
		if err != nil {
			return nil, fmt.Errorf("update card: %w", err)
		}
		card = updated
	}
	if cmd.Suspended != nil && (card == nil || card.Suspended != *cmd.Suspended) {
		if _, err := h.progress.SetSuspended(ctx, cmd.UserID, cmd.CardID, cmd.DeckID, *cmd.Suspended, now); err != nil {
			return nil, fmt.Errorf("update card: %w", err)
		}
		card = nil // its flags changed: read it again
	}
	if card != nil {
		return card, nil
	}
	cards, err := h.decks.GetCards(ctx, cmd.UserID, cmd.DeckID, []string{cmd.CardID})
	if err != nil {
		return nil, fmt.Errorf("update card: %w", err)
	}
	if len(cards) == 0 {
		return nil, fmt.Errorf("update card: %w", domain.ErrNotFound)
	}
	return &cards[0], nil
}

// DeleteCard is the command to delete CardID of UserID's deck DeckID, once Check (when
// set) accepts the card as stored.
type DeleteCard struct {
	UserID string
	DeckID string
	CardID string
	Check  func(*domain.Card) error
}

// DeleteCardHandler deletes cards with their progress and review log.
type DeleteCardHandler struct {
	decks ports.DeckRepo
	clock ports.Clock
}

// NewDeleteCardHandler builds the handler.
func NewDeleteCardHandler(decks ports.DeckRepo, clock ports.Clock) *DeleteCardHandler {
	return &DeleteCardHandler{decks: decks, clock: clock}
}

// Handle deletes the card; a card that is not in the caller's deck is
// domain.ErrNotFound. A study session that still holds the card skips it.
func (h *DeleteCardHandler) Handle(ctx context.Context, cmd DeleteCard) error {
	if err := h.decks.DeleteCard(ctx, cmd.UserID, cmd.DeckID, cmd.CardID, h.clock.Now(), orAccept(cmd.Check)); err != nil {
		return fmt.Errorf("delete card: %w", err)
	}
	return nil
}

// orAccept returns check, or a check that accepts anything when it is nil.
func orAccept[T any](check func(*T) error) func(*T) error {
	if check != nil {
		return check
	}
	return func(*T) error { return nil }
}

// DeleteDeck is the command to delete UserID's deck DeckID, once Check (when set)
// accepts the deck as stored.
type DeleteDeck struct {
	UserID string
	DeckID string
	Check  func(*domain.Deck) error
}

// DeleteDeckHandler deletes decks with everything of them.
type DeleteDeckHandler struct {
	decks    ports.DeckRepo
	sessions ports.StudySessionStore
	clock    ports.Clock
}

// NewDeleteDeckHandler builds the handler.
func NewDeleteDeckHandler(decks ports.DeckRepo, sessions ports.StudySessionStore, clock ports.Clock) *DeleteDeckHandler {
	return &DeleteDeckHandler{decks: decks, sessions: sessions, clock: clock}
}

// Handle deletes the deck with its cards, their progress and review log (and, through
// the cached repository, their cache entries), then ends the user's open study sessions
// of the deck. A deck that is not the caller's is domain.ErrNotFound. The deletion is
// done once the repository commits: failing to end a study session then is reported
// (the session would otherwise answer 404 for the deck's cards until it expires).
func (h *DeleteDeckHandler) Handle(ctx context.Context, cmd DeleteDeck) error {
	if _, err := h.decks.DeleteDeck(ctx, cmd.UserID, cmd.DeckID, h.clock.Now(), orAccept(cmd.Check)); err != nil {
		return fmt.Errorf("delete deck: %w", err)
	}
	open, err := h.sessions.List(ctx, cmd.UserID)
	if err != nil {
		return fmt.Errorf("delete deck: deck deleted, study sessions not ended: %w", err)
	}
	for _, s := range open {
		if s.DeckID != cmd.DeckID {
			continue
		}
		if err := h.sessions.Delete(ctx, cmd.UserID, s.ID); err != nil {
			return fmt.Errorf("delete deck: deck deleted, study sessions not ended: %w", err)
		}
	}
	return nil
}
