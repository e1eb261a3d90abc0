package decks

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// DeckToday is a deck with what its owner's learner day still holds for it: the reviews
// and the new cards a study session may bring today, after the deck's daily limits.
type DeckToday struct {
	domain.Deck
	DueToday int
	NewToday int
}

// today counts a user's learner day across their decks.
type today struct {
	profiles ports.ProfileRepo
	progress ports.ProgressRepo
	clock    ports.Clock
}

// decks returns decks with their counts of the user's current learner day (in the
// user's time zone, from their day-start hour), counted by ProgressRepo.CountsByDeck.
func (t today) decks(ctx context.Context, userID string, decks []domain.Deck) ([]DeckToday, error) {
	profile, err := t.profiles.GetProfile(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("learner day: %w", err)
	}
	day, now := profile.LearnerDay(), t.clock.Now()
	counts, err := t.progress.CountsByDeck(ctx, userID, day.Start(now), day.NextStart(now))
	if err != nil {
		return nil, fmt.Errorf("learner day: %w", err)
	}
	out := make([]DeckToday, len(decks))
	for i, d := range decks {
		due, fresh := counts[d.ID].Today(d.Options)
		out[i] = DeckToday{Deck: d, DueToday: due, NewToday: fresh}
	}
	return out, nil
}
