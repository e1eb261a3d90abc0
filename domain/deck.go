package domain

import (
	"errors"
	"fmt"
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
	Options     StudyOptions
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Card is one question/answer pair in a deck. Suspended and Leech are the deck owner's
// flags on it, read from their progress (see CardState).
type Card struct {
	ID        string
	DeckID    string
	Front     string
	Back      string
	Suspended bool
	Leech     bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewDeck validates and normalizes the fields of a deck about to be created: the name is
// one line of readable text, the description may span lines (see TextRules).
func NewDeck(id, userID, name, description string, now time.Time) (Deck, error) {
	name, nameErr := normalizeDeckName(name)
	description, descriptionErr := normalizeDeckDescription(description)
	if err := errors.Join(nameErr, descriptionErr); err != nil {
		return Deck{}, err
	}
	return Deck{
		ID: id, UserID: userID, Name: name, Description: description, Options: DefaultStudyOptions(),
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

// normalizeDeckName trims a deck name and checks it is one line of 1 to 200 readable
// characters.
func normalizeDeckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxDeckNameLength {
		return "", NewValidationError("name", "must be 1 to 200 characters")
	}
	if err := ValidateText("name", name, SingleLineText); err != nil {
		return "", err
	}
	return name, nil
}

// normalizeDeckDescription checks a description of at most 2000 characters of readable
// text and stores its line breaks as LF.
func normalizeDeckDescription(description string) (string, error) {
	if utf8.RuneCountInString(description) > MaxDeckDescriptionLength {
		return "", NewValidationError("description", "must be at most 2000 characters")
	}
	return NormalizeText("description", description, MultiLineText)
}

// DeckChange is a change to a deck's name, description and study options: each field
// that is set replaces the deck's.
type DeckChange struct {
	Name             *string
	Description      *string
	NewCardsPerDay   *int
	ReviewsPerDay    *int
	LeechThreshold   *int
	LeechAction      *LeechAction
	Fuzz             *bool
	Scheduler        *Scheduler
	DesiredRetention *float64
	// FSRSWeights must hold the 21 FSRS-6 weights.
	FSRSWeights []float64
}

// Change applies c to d. Every field out of its range is reported at once, as
// ValidationErrors joined (errors.Join), and leaves d unchanged.
func (d *Deck) Change(c DeckChange) error {
	next := *d
	var errs []error
	set := func(field *string, value *string, normalize func(string) (string, error)) {
		if value == nil {
			return
		}
		v, err := normalize(*value)
		errs = append(errs, err)
		*field = v
	}
	set(&next.Name, c.Name, normalizeDeckName)
	set(&next.Description, c.Description, normalizeDeckDescription)
	o := &next.Options
	setIfSent(&o.NewCardsPerDay, c.NewCardsPerDay)
	setIfSent(&o.ReviewsPerDay, c.ReviewsPerDay)
	setIfSent(&o.LeechThreshold, c.LeechThreshold)
	setIfSent(&o.LeechAction, c.LeechAction)
	setIfSent(&o.Fuzz, c.Fuzz)
	setIfSent(&o.Scheduler, c.Scheduler)
	setIfSent(&o.DesiredRetention, c.DesiredRetention)
	if c.FSRSWeights != nil {
		if len(c.FSRSWeights) != len(o.FSRSWeights) {
			errs = append(errs, NewValidationError("fsrsWeights", fmt.Sprintf("must hold %d numbers", len(o.FSRSWeights))))
		} else {
			copy(o.FSRSWeights[:], c.FSRSWeights)
		}
	}
	errs = append(errs, o.Validate())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	*d = next
	return nil
}

// setIfSent sets *field to *value when value is not nil.
func setIfSent[T any](field, value *T) {
	if value != nil {
		*field = *value
	}
}

// NewCard validates the sides of a card about to be added: readable text that may span
// lines, line breaks stored as LF. field prefixes the error's field name (for example
// "cards[3]."). Both sides' errors are reported at once (errors.Join).
func NewCard(id, deckID, front, back, field string, now time.Time) (Card, error) {
	sides := []*string{&front, &back}
	var errs []error
	for i, name := range []string{"front", "back"} {
		text := *sides[i]
		if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > MaxCardSideLength {
			errs = append(errs, NewValidationError(field+name, "must be 1 to 10000 characters"))
			continue
		}
		normalized, err := NormalizeText(field+name, text, MultiLineText)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*sides[i] = normalized
	}
	if err := errors.Join(errs...); err != nil {
		return Card{}, err
	}
	return Card{ID: id, DeckID: deckID, Front: front, Back: back, CreatedAt: now, UpdatedAt: now}, nil
}

// CardChange is a change to a card's sides: each side that is set replaces the card's.
type CardChange struct {
	Front *string
	Back  *string
}

// Change applies ch to c at now, by the rules of NewCard. Every bad side is reported at
// once (errors.Join of ValidationErrors) and leaves c unchanged.
func (c *Card) Change(ch CardChange, now time.Time) error {
	front, back := c.Front, c.Back
	if ch.Front != nil {
		front = *ch.Front
	}
	if ch.Back != nil {
		back = *ch.Back
	}
	next, err := NewCard(c.ID, c.DeckID, front, back, "", c.CreatedAt)
	if err != nil {
		return err
	}
	c.Front, c.Back, c.UpdatedAt = next.Front, next.Back, now
	return nil
}
