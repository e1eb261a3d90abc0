package contract

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// cardProperties are the DeckRepo behaviours a client's reads and edits of single
// cards build on: paging, one card at a time, and deletion.
var cardProperties = []property[Repositories]{
	{"PageCardsVisitsEachCardOnceWhileCardsComeAndGo", cardPageUnderChange},
	{"PageCardsOfForeignDeckIsNotFound", cardPageForeign},
	{"PageCardsRejectsAPositionItDidNotHandOut", cardPageBadPosition},
	{"GetCardIsConfinedToItsOwner", cardGet},
	{"UpdateCardSavesTheSides", cardUpdate},
	{"FailedUpdateCardChangesNothing", cardFailedUpdate},
	{"DeleteCardTakesItsProgressAndCount", cardDelete},
	{"RefusedDeleteCardDeletesNothing", cardRefusedDelete},
	{"DeleteDeckTakesItsCardsProgressAndLog", deckDelete},
	{"RefusedDeleteDeckDeletesNothing", deckRefusedDelete},
}

// pageAll reads every page of the deck's cards, limit at a time, calling between(i)
// after page i; it returns the ids in the order read.
func pageAll(t *testing.T, repos Repositories, userID, deckID string, limit int, between func(i int)) []string {
	t.Helper()
	var ids []string
	after := ""
	for i := 0; ; i++ {
		cards, next, err := repos.Decks.PageCards(t.Context(), userID, deckID, domain.Page{Limit: limit, After: after})
		require.NoError(t, err)
		require.LessOrEqual(t, len(cards), limit)
		for _, c := range cards {
			ids = append(ids, c.ID)
		}
		if next == "" {
			return ids
		}
		require.Len(t, cards, limit, "a page before the last is full")
		between(i)
		after = next
		require.Less(t, i, 1000, "paging does not end")
	}
}

// cardPageUnderChange checks that paging a deck while cards are added and deleted
// visits every card that stays exactly once, in insertion order, and reaches the cards
// added meanwhile (they go to the end).
func cardPageUnderChange(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 12)
	var added []domain.Card
	deleted := map[string]bool{}
	got := pageAll(t, repos, u.ID, d.ID, 5, func(i int) {
		if i != 0 {
			return
		}
		added = f.cards(u.ID, d.ID, 3)
		for _, c := range []domain.Card{cards[1], cards[8]} { // one read, one not yet
			require.NoError(t, repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, c.ID, repoTime, func(*domain.Card) error { return nil }))
			deleted[c.ID] = true
		}
	})
	var want []string
	for _, c := range append(cards, added...) {
		if !deleted[c.ID] || c.ID == cards[1].ID {
			want = append(want, c.ID)
		}
	}
	assert.Equal(t, want, got)

	all := pageAll(t, repos, u.ID, d.ID, 100, func(int) {})
	assert.Len(t, all, 13, "one page holds them all")
	empty := f.deck(u.ID, repoTime)
	assert.Empty(t, pageAll(t, repos, u.ID, empty.ID, 5, func(int) {}))
}

// cardPageForeign checks that another user's deck is ErrNotFound to PageCards.
func cardPageForeign(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, _, _ := f.studyCard()
	_, _, err := repos.Decks.PageCards(t.Context(), f.user().ID, f.deck(u.ID, repoTime).ID, domain.Page{Limit: 5})
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// cardPageBadPosition checks that a position the repository did not hand out is a
// validation error, not a failure of the store.
func cardPageBadPosition(t *testing.T, repos Repositories) {
	u, d, _ := newRepoFixture(t, repos).studyCard()
	_, _, err := repos.Decks.PageCards(t.Context(), u.ID, d.ID, domain.Page{Limit: 5, After: "not a position"})
	var invalid *domain.ValidationError
	require.ErrorAs(t, err, &invalid)
}

// cardGet checks that GetCard finds the owner's card in any of their decks, and nobody
// else's.
func cardGet(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, _, c := f.studyCard()
	got, err := repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, storedCards([]domain.Card{c}), readCards([]domain.Card{*got}))
	_, err = repos.Decks.GetCard(t.Context(), f.user().ID, c.ID)
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's card")
	_, err = repos.Decks.GetCard(t.Context(), u.ID, f.newID())
	require.ErrorIs(t, err, domain.ErrNotFound, "an unknown card")
}

// cardUpdate checks that UpdateCard saves the sides and time fn sets and keeps the rest.
func cardUpdate(t *testing.T, repos Repositories) {
	u, d, c := newRepoFixture(t, repos).studyCard()
	updated, err := repos.Decks.UpdateCard(t.Context(), u.ID, d.ID, c.ID, func(card *domain.Card) error {
		assert.Equal(t, c.Front, card.Front, "fn sees the stored card")
		front := "new front"
		return card.Change(domain.CardChange{Front: &front}, day(1))
	})
	require.NoError(t, err)
	want := c
	want.Front, want.UpdatedAt = "new front", day(1)
	assert.Equal(t, storedCards([]domain.Card{want}), readCards([]domain.Card{*updated}))
	got, err := repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, storedCards([]domain.Card{want}), readCards([]domain.Card{*got}))
}

// cardFailedUpdate checks that fn's error is returned and nothing is saved, and that a
// card of another deck or user is ErrNotFound.
func cardFailedUpdate(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	refused := errors.New("refused")
	_, err := repos.Decks.UpdateCard(t.Context(), u.ID, d.ID, c.ID, func(card *domain.Card) error {
		card.Front = "changed"
		return refused
	})
	require.ErrorIs(t, err, refused)
	got, err := repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c.Front, got.Front)

	keep := func(*domain.Card) error { return nil }
	_, err = repos.Decks.UpdateCard(t.Context(), u.ID, f.deck(u.ID, repoTime).ID, c.ID, keep)
	require.ErrorIs(t, err, domain.ErrNotFound, "the card of another deck")
	_, err = repos.Decks.UpdateCard(t.Context(), f.user().ID, d.ID, c.ID, keep)
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's card")
}

// cardDelete checks that DeleteCard removes the card, its progress and its reviews, and
// counts it out of the deck.
func cardDelete(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(0))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 4, day(0))

	require.NoError(t, repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, cards[0].ID, day(1), func(*domain.Card) error { return nil }))
	_, err := repos.Decks.GetCard(t.Context(), u.ID, cards[0].ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Progress.Get(t.Context(), u.ID, cards[0].ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, log, 1, "the other card's review stays")
	assert.Equal(t, cards[1].ID, log[0].CardID)
	deck, err := repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, deck.CardCount)

	err = repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, cards[0].ID, day(1), func(*domain.Card) error { return nil })
	require.ErrorIs(t, err, domain.ErrNotFound, "deleted already")
}

// cardRefusedDelete checks that check's error is returned and nothing is deleted, and
// that check sees the card as stored.
func cardRefusedDelete(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	refused := errors.New("refused")
	err := repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, c.ID, day(1), func(card *domain.Card) error {
		assert.Equal(t, c.ID, card.ID)
		return refused
	})
	require.ErrorIs(t, err, refused)
	_, err = repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	err = repos.Decks.DeleteCard(t.Context(), f.user().ID, d.ID, c.ID, day(1), func(*domain.Card) error { return nil })
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's card")
}

// deckDelete checks that DeleteDeck removes the deck with its cards, their progress and
// the deck's reviews, returns the studied cards, and leaves the owner's other decks.
func deckDelete(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, kept := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 3)
	other := f.cards(u.ID, kept.ID, 1)[0]
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(0))
	answer(t, repos, u.ID, d.ID, cards[2].ID, 4, day(0))
	answer(t, repos, u.ID, kept.ID, other.ID, 4, day(0))

	studied, err := repos.Decks.DeleteDeck(t.Context(), u.ID, d.ID, day(1), func(deck *domain.Deck) error {
		assert.Equal(t, 3, deck.CardCount, "check sees the deck as stored")
		return nil
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{cards[0].ID, cards[2].ID}, studied)

	_, err = repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	for _, c := range cards {
		_, err = repos.Decks.GetCard(t.Context(), u.ID, c.ID)
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = repos.Progress.Get(t.Context(), u.ID, c.ID)
		require.ErrorIs(t, err, domain.ErrNotFound)
	}
	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, log, 1)
	assert.Equal(t, other.ID, log[0].CardID)
	left, err := repos.Progress.StudiedCards(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{other.ID}, left)
	decks, err := repos.Decks.ListDecks(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, decks, 1)
	assert.Equal(t, kept.ID, decks[0].ID)

	_, err = repos.Decks.DeleteDeck(t.Context(), u.ID, d.ID, day(1), func(*domain.Deck) error { return nil })
	require.ErrorIs(t, err, domain.ErrNotFound, "deleted already")
}

// deckRefusedDelete checks that check's error is returned and nothing is deleted, and
// that another user's deck is ErrNotFound.
func deckRefusedDelete(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	refused := errors.New("refused")
	_, err := repos.Decks.DeleteDeck(t.Context(), u.ID, d.ID, day(1), func(*domain.Deck) error { return refused })
	require.ErrorIs(t, err, refused)
	_, err = repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	_, err = repos.Decks.DeleteDeck(t.Context(), f.user().ID, d.ID, day(1), func(*domain.Deck) error { return nil })
	require.ErrorIs(t, err, domain.ErrNotFound)
}
