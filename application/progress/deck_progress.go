package progress

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// DeckProgress is the query for UserID's progress on DeckID.
type DeckProgress struct {
	UserID string
	DeckID string
}

// Counts classifies a deck's cards on the learner's day. New, Learning, Due and
// Suspended are disjoint; the rest of Total are learned cards not yet due.
type Counts struct {
	// New cards were never studied (and are not suspended).
	New int
	// Learning cards were studied, are not due nor suspended, and have fewer than 2 repetitions
	// (SM-2's fixed first steps, relearning after a lapse included).
	Learning int
	// Due cards were studied, are not suspended, and fall due before the learner's next
	// day starts.
	Due int
	// Suspended cards never enter a study session.
	Suspended int
	// Total is every card of the deck.
	Total int
}

// DeckSummary is a user's progress on one deck: the counts and the progress of every
// studied card, earliest due first.
type DeckSummary struct {
	Counts Counts
	Cards  []domain.ProgressView
}

// DeckProgressHandler summarises a user's progress on one of their decks. It reads the
// database directly: one indexed query answers for the whole deck, where the per-card
// cache would need a round trip per card and still the database for the card count.
type DeckProgressHandler struct {
	decks    ports.DeckRepo
	profiles ports.ProfileRepo
	progress ports.ProgressRepo
	clock    ports.Clock
}

// NewDeckProgressHandler builds the handler.
func NewDeckProgressHandler(decks ports.DeckRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo, clock ports.Clock) *DeckProgressHandler {
	return &DeckProgressHandler{decks: decks, profiles: profiles, progress: progress, clock: clock}
}

// Handle returns the summary, or domain.ErrNotFound when the deck does not exist or
// belongs to another user.
func (h *DeckProgressHandler) Handle(ctx context.Context, q DeckProgress) (*DeckSummary, error) {
	deck, err := h.decks.GetDeck(ctx, q.UserID, q.DeckID)
	if err != nil {
		return nil, fmt.Errorf("deck progress: %w", err)
	}
	profile, err := h.profiles.GetProfile(ctx, q.UserID)
	if err != nil {
		return nil, fmt.Errorf("deck progress: %w", err)
	}
	rows, err := h.progress.ListByDeck(ctx, q.UserID, q.DeckID)
	if err != nil {
		return nil, fmt.Errorf("deck progress: %w", err)
	}
	return summarize(deck, rows, profile.LearnerDay(), h.clock.Now()), nil
}

// summarize counts the deck's cards against the progress rows on the learner day of now.
func summarize(deck *domain.Deck, rows []domain.Progress, day domain.LearnerDay, now time.Time) *DeckSummary {
	studied := make([]domain.ProgressView, 0, len(rows))
	counts := Counts{Total: deck.CardCount}
	suspendedNew := 0
	for _, p := range rows {
		if p.Suspended {
			counts.Suspended++
		}
		if p.IsNew() {
			if p.Suspended {
				suspendedNew++
			}
			continue
		}
		studied = append(studied, domain.ViewProgress(p, deck.Options, now))
		switch {
		case p.Suspended:
		case day.DueToday(p.DueAt, now):
			counts.Due++
		case p.State.Repetitions < 2:
			counts.Learning++
		}
	}
	// A card added and studied between the two reads may be missing from total: never
	// report a negative count.
	counts.New = max(deck.CardCount-len(studied)-suspendedNew, 0)
	slices.SortFunc(studied, func(a, b domain.ProgressView) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.CardID, b.CardID))
	})
	return &DeckSummary{Counts: counts, Cards: studied}
}
