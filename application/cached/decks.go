package cached

import (
	"context"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// featureDeckList caches each user's deck list with card counts; schema 1.
const (
	featureDeckList = "decks:list"
	deckListSchema  = 1
)

// Decks reads deck lists through the cache and drops a user's list whenever one of the
// user's decks or card counts changes. Everything else goes to the database.
type Decks struct {
	decks ports.DeckRepo
	deps  Deps
}

var _ ports.DeckRepo = (*Decks)(nil)

// NewDecks wraps the database's decks.
func NewDecks(decks ports.DeckRepo, deps Deps) *Decks { return &Decks{decks: decks, deps: deps} }

func deckListKey(userID string) cache.Key {
	return cache.NewKey(featureDeckList, deckListSchema, userID)
}

// ListDecks returns userID's decks from the cache, loading them on a miss.
func (d *Decks) ListDecks(ctx context.Context, userID string) ([]domain.Deck, error) {
	return cache.GetOrLoad(ctx, d.deps.Cache, deckListKey(userID), func(ctx context.Context) ([]domain.Deck, error) {
		return d.decks.ListDecks(ctx, userID)
	})
}

// CreateDeck inserts deck and drops its owner's list.
func (d *Decks) CreateDeck(ctx context.Context, deck *domain.Deck) error {
	if err := d.decks.CreateDeck(ctx, deck); err != nil {
		return err
	}
	d.deps.invalidate(ctx, featureDeckList, deckListKey(deck.UserID))
	return nil
}

// AddCards inserts cards and drops the owner's list (its card counts changed).
func (d *Decks) AddCards(ctx context.Context, userID, deckID string, cards []domain.Card) error {
	if err := d.decks.AddCards(ctx, userID, deckID, cards); err != nil {
		return err
	}
	d.deps.invalidate(ctx, featureDeckList, deckListKey(userID))
	return nil
}

// UpdateDeck changes the deck and drops its owner's list.
func (d *Decks) UpdateDeck(ctx context.Context, userID, deckID string, fn func(*domain.Deck) error) (*domain.Deck, error) {
	deck, err := d.decks.UpdateDeck(ctx, userID, deckID, fn)
	if err != nil {
		return nil, err
	}
	d.deps.invalidate(ctx, featureDeckList, deckListKey(userID))
	return deck, nil
}

// GetDeck returns the deck from the database.
func (d *Decks) GetDeck(ctx context.Context, userID, deckID string) (*domain.Deck, error) {
	return d.decks.GetDeck(ctx, userID, deckID)
}

// ListCards returns the deck's cards from the database.
func (d *Decks) ListCards(ctx context.Context, userID, deckID string) ([]domain.Card, error) {
	return d.decks.ListCards(ctx, userID, deckID)
}

// GetCards returns the listed cards from the database.
func (d *Decks) GetCards(ctx context.Context, userID, deckID string, cardIDs []string) ([]domain.Card, error) {
	return d.decks.GetCards(ctx, userID, deckID, cardIDs)
}
