package study

import (
	"context"
	"errors"
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
	learner  learner
	progress ports.ProgressRepo
	reviews  ports.ReviewRepo
	sessions ports.StudySessionStore
	clock    ports.Clock
}

// NewStartStudySessionHandler builds the handler.
func NewStartStudySessionHandler(decks ports.DeckRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo,
	reviews ports.ReviewRepo, sessions ports.StudySessionStore, clock ports.Clock,
) *StartStudySessionHandler {
	return &StartStudySessionHandler{
		learner: learner{decks: decks, profiles: profiles}, progress: progress, reviews: reviews, sessions: sessions, clock: clock,
	}
}

// Handle queues the deck's cards due by the learner's day, then its cards never studied
// in the order they were added, within what the deck's daily limits still allow today —
// counted from the review log, across every session and device (see
// domain.BuildStudyQueue) — and stores the new session. Suspended cards never enter. A
// deck with nothing to study gives an empty queue. A deck that is not the caller's is
// domain.ErrNotFound; a missing DeckID and MaxCards out of range are ValidationErrors
// for "deckId" and "maxCards", both named when both are wrong.
func (h *StartStudySessionHandler) Handle(ctx context.Context, cmd StartStudySession) (*View, error) {
	if err := cmd.validate(); err != nil {
		return nil, err
	}
	queue, err := h.queue(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	sess := domain.NewStudySession(application.NewID(h.clock), cmd.UserID, cmd.DeckID, h.clock.Now(), queue)
	if err := h.sessions.Create(ctx, sess); err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	view, err := newView(ctx, h.learner.decks, h.sessions, sess, nil)
	if err != nil {
		return nil, fmt.Errorf("start study session: %w", err)
	}
	return &view, nil
}

// queue picks the session's cards.
func (h *StartStudySessionHandler) queue(ctx context.Context, cmd StartStudySession) ([]string, error) {
	day, deck, err := h.learner.context(ctx, cmd.UserID, cmd.DeckID)
	if err != nil {
		return nil, err
	}
	now := h.clock.Now()
	newToday, reviewsToday, err := h.reviews.CountGraded(ctx, cmd.UserID, cmd.DeckID, day.Start(now))
	if err != nil {
		return nil, err
	}
	reviewsLeft := deck.Options.ReviewsPerDay - reviewsToday
	due, err := h.progress.Due(ctx, cmd.UserID, cmd.DeckID, domain.NewDueQuery(day, now, deck.Options, min(reviewsLeft, cmd.MaxCards)))
	if err != nil {
		return nil, err
	}
	// New cards fill what the due ones leave of the session, within the day's limit.
	newLeft := deck.Options.NewCardsPerDay - newToday
	var fresh []string
	if slots := min(newLeft, cmd.MaxCards-len(due)); slots > 0 {
		if fresh, err = h.progress.Unstudied(ctx, cmd.UserID, cmd.DeckID, slots); err != nil {
			return nil, err
		}
	}
	return domain.BuildStudyQueue(domain.QueueRequest{
		Due: due, New: fresh, Now: now, Options: deck.Options,
		ReviewsLeft: reviewsLeft, NewLeft: newLeft, Limit: cmd.MaxCards,
	}), nil
}

// validate names every bad field of the command at once.
func (cmd StartStudySession) validate() error {
	var errs []error
	if cmd.DeckID == "" {
		errs = append(errs, domain.NewValidationError("deckId", "is required"))
	}
	if cmd.MaxCards < 1 || cmd.MaxCards > domain.MaxStudyCards {
		errs = append(errs, domain.NewValidationError("maxCards", fmt.Sprintf("must be an integer from 1 to %d", domain.MaxStudyCards)))
	}
	return errors.Join(errs...)
}
