package cached

import (
	"context"
	"time"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// featureDeckList caches each user's deck list with card counts; schema 1.
const (
	featureDeckList = "decks:list"
	deckListSchema  = 1
)

// Decks reads deck lists through the cache and drops a user's list (and their study
// counts) whenever one of the user's decks or card counts changes; deleting a deck or a
// card also drops the progress copies of the cards gone. Everything else goes to the
// database.
type Decks struct {
	decks  ports.DeckRepo
	copies ports.ProgressCache
	deps   Deps
}

var _ ports.DeckRepo = (*Decks)(nil)

// NewDecks wraps the database's decks; copies are the progress copies.
func NewDecks(decks ports.DeckRepo, copies ports.ProgressCache, deps Deps) *Decks {
	return &Decks{decks: decks, copies: copies, deps: deps}
}

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
	d.deps.invalidate(ctx, featureDeckList, deckListKey(userID), countsKey(userID))
	return nil
}

// ImportDecks creates the decks and adds the cards, then drops the owner's list and
// study counts.
func (d *Decks) ImportDecks(ctx context.Context, userID string, decks []domain.Deck, cards []domain.Card) error {
	if err := d.decks.ImportDecks(ctx, userID, decks, cards); err != nil {
		return err
	}
	d.deps.invalidate(ctx, featureDeckList, deckListKey(userID), countsKey(userID))
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

// PageCards returns a page of the deck's cards from the database.
func (d *Decks) PageCards(ctx context.Context, userID, deckID string, page domain.Page) ([]domain.Card, string, error) {
	return d.decks.PageCards(ctx, userID, deckID, page)
}

// GetCard returns the card from the database.
func (d *Decks) GetCard(ctx context.Context, userID, cardID string) (*domain.Card, error) {
	return d.decks.GetCard(ctx, userID, cardID)
}

// UpdateCard changes the card in the database.
func (d *Decks) UpdateCard(ctx context.Context, userID, deckID, cardID string, fn func(*domain.Card) error) (*domain.Card, error) {
	return d.decks.UpdateCard(ctx, userID, deckID, cardID, fn)
}

// DeleteCard deletes the card, then drops the owner's list and study counts and the
// card's progress copy.
func (d *Decks) DeleteCard(ctx context.Context, userID, deckID, cardID string, at time.Time, check func(*domain.Card) error) error {
	if err := d.decks.DeleteCard(ctx, userID, deckID, cardID, at, check); err != nil {
		return err
	}
	d.dropCopies(context.WithoutCancel(ctx), userID, []string{cardID})
	return nil
}

// DeleteDeck deletes the deck, then drops the owner's list and study counts and the
// progress copies of its studied cards.
func (d *Decks) DeleteDeck(ctx context.Context, userID, deckID string, at time.Time, check func(*domain.Deck) error) ([]string, error) {
	studied, err := d.decks.DeleteDeck(ctx, userID, deckID, at, check)
	if err != nil {
		return nil, err
	}
	d.dropCopies(context.WithoutCancel(ctx), userID, studied)
	return studied, nil
}

// dropCopies drops the caches a deletion outdates; a failure is absorbed (the copies of
// cards that no longer exist are never read again, and expire).
func (d *Decks) dropCopies(ctx context.Context, userID string, cardIDs []string) {
	d.deps.invalidate(ctx, featureDeckList, deckListKey(userID), countsKey(userID))
	if err := d.copies.DeleteMany(ctx, userID, cardIDs); err != nil {
		d.deps.absorbed(ctx, featureProgress, "invalidate", err)
	}
}
