package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on deck and card content.
const (
	MaxDeckNameLength        = 200
	MaxDeckDescriptionLength = 2000
	MaxCardSideLength        = 10000
	// MaxCardsPerBatch is the most cards one request may add.
	MaxCardsPerBatch = 1000
)

// Deck is a user's named collection of cards.
type Deck struct {
	ID          string
	UserID      string
	Name        string
	Description string
	CardCount   int
	CreatedAt   time.Time
}

// Card is one question/answer pair in a deck.
type Card struct {
	ID        string
	DeckID    string
	Front     string
	Back      string
	CreatedAt time.Time
}

// NewDeck validates and normalizes the fields of a deck about to be created: the name is
// one line of readable text, the description may span lines (see TextRules).
func NewDeck(id, userID, name, description string, now time.Time) (Deck, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxDeckNameLength {
		return Deck{}, NewValidationError("name", "must be 1 to 200 characters")
	}
	if err := ValidateText("name", name, SingleLineText); err != nil {
		return Deck{}, err
	}
	if utf8.RuneCountInString(description) > MaxDeckDescriptionLength {
		return Deck{}, NewValidationError("description", "must be at most 2000 characters")
	}
	description, err := NormalizeText("description", description, MultiLineText)
	if err != nil {
		return Deck{}, err
	}
	return Deck{ID: id, UserID: userID, Name: name, Description: description, CreatedAt: now}, nil
}

// NewCard validates the sides of a card about to be added: readable text that may span
// lines, line breaks stored as LF. field prefixes the error's field name (for example
// "cards[3].").
func NewCard(id, deckID, front, back, field string, now time.Time) (Card, error) {
	sides := []*string{&front, &back}
	for i, name := range []string{"front", "back"} {
		text := *sides[i]
		if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxCardSideLength {
			return Card{}, NewValidationError(field+name, "must be 1 to 10000 characters")
		}
		normalized, err := NormalizeText(field+name, text, MultiLineText)
		if err != nil {
			return Card{}, err
		}
		*sides[i] = normalized
	}
	return Card{ID: id, DeckID: deckID, Front: front, Back: back, CreatedAt: now}, nil
}
