package study

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// StartStudySession is the command to study DeckID, queueing at most MaxCards cards
// (1 to domain.MaxStudyCards; the HTTP layer supplies domain.DefaultStudyCards when the
// client names none).
type StartStudySession struct {
	UserID   string
	DeckID   string
	MaxCards int
}

// StartStudySessionHandler starts study sessions.
type StartStudySessionHandler struct {
	decks    ports.DeckRepo
	progress ports.ProgressRepo
	sessions ports.StudySessionStore
	clock    ports.Clock
}

// NewStartStudySessionHandler builds the handler.
func NewStartStudySessionHandler(decks ports.DeckRepo, progress ports.ProgressRepo, sessions ports.StudySessionStore, clock ports.Clock) *StartStudySessionHandler {
	return &StartStudySessionHandler{decks: decks, progress: progress, sessions: sessions, clock: clock}
}

// Handle queues the deck's cards due now, oldest due first, then its cards never
// studied, in deck order (see domain.BuildStudyQueue), and stores the new session. A
// deck with nothing to study gives an empty queue. A deck that is not the caller's is
// domain.ErrNotFound; MaxCards out of range a ValidationError for "maxCards".
func (h *StartStudySessionHandler) Handle(ctx context.Context, cmd StartStudySession) (*View, error) {
	if cmd.MaxCards < 1 || cmd.MaxCards > domain.MaxStudyCards {
		return nil, domain.NewValidationError("maxCards", fmt.Sprintf("must be an integer from 1 to %d", domain.MaxStudyCards))
	}
	cards, err := h.decks.ListCards(ctx, cmd.UserID, cmd.DeckID)
	if err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	progress, err := h.progress.ListByDeck(ctx, cmd.UserID, cmd.DeckID)
	if err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	now := h.clock.Now()
	queue := domain.BuildStudyQueue(cards, progress, now, cmd.MaxCards)
	sess := domain.NewStudySession(application.NewID(h.clock), cmd.UserID, cmd.DeckID, now, queue)
	if err := h.sessions.Create(ctx, sess); err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	view, err := newView(ctx, h.decks, sess, cards)
	if err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	return &view, nil
}
