package study

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// View is a study session as clients see it, with the card it expects next.
type View struct {
	Session *domain.StudySession
	// NextCard is the card at the head of the queue; nil when the queue is empty.
	NextCard *domain.Card
}

// newView completes sess with its next card, taken from known when it is there and read
// from the deck otherwise. A queued card deleted since the session started leaves the
// queue for good (the session is updated), and the card after it is next.
func newView(ctx context.Context, decks ports.DeckRepo, sessions ports.StudySessionStore, sess *domain.StudySession, known []domain.Card) (View, error) {
	for {
		id, ok := sess.Next()
		if !ok {
			return View{Session: sess}, nil
		}
		for i := range known {
			if known[i].ID == id {
				return View{Session: sess, NextCard: &known[i]}, nil
			}
		}
		cards, err := decks.GetCards(ctx, sess.UserID, sess.DeckID, []string{id})
		if err != nil {
			return View{}, fmt.Errorf("next card: %w", err)
		}
		if len(cards) > 0 {
			return View{Session: sess, NextCard: &cards[0]}, nil
		}
		sess, err = sessions.Update(ctx, sess.UserID, sess.ID, func(s *domain.StudySession) error {
			s.Drop(id)
			return nil
		})
		if err != nil {
			return View{}, fmt.Errorf("next card: drop deleted card: %w", err)
		}
	}
}
