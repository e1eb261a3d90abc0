package study

import (
	"context"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// learner reads what scheduling needs: the learner's day (their profile) and the deck's
// study options (which also proves the deck is theirs).
type learner struct {
	decks    ports.DeckRepo
	profiles ports.ProfileRepo
}

// context returns userID's learner day and deckID's options; a deck that is not the
// user's is domain.ErrNotFound.
func (l learner) context(ctx context.Context, userID, deckID string) (domain.LearnerDay, *domain.Deck, error) {
	deck, err := l.decks.GetDeck(ctx, userID, deckID)
	if err != nil {
		return domain.LearnerDay{}, nil, err
	}
	profile, err := l.profiles.GetProfile(ctx, userID)
	if err != nil {
		return domain.LearnerDay{}, nil, err
	}
	return profile.LearnerDay(), deck, nil
}
