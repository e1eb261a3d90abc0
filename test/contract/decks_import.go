package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// deckImportProperties are the behaviours of DeckRepo.ImportDecks.
var deckImportProperties = []property[Repositories]{
	{"ImportDecksCreatesDecksAndCards", deckImportCreates},
	{"ImportDecksIsAllOrNothing", deckImportAllOrNothing},
}

// deckImportCreates checks that ImportDecks creates new decks with their cards, adds
// cards to an existing deck, counts them all and logs every change.
func deckImportCreates(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	existing := f.deck(u.ID, repoTime)
	fresh := domain.Deck{
		ID: f.newID(), Name: "Imported", Options: domain.DefaultStudyOptions(), CreatedAt: repoTime, UpdatedAt: repoTime,
	}
	cards := append(f.buildCards(fresh.ID, 3), f.buildCards(existing.ID, 2)...)
	require.NoError(t, repos.Decks.ImportDecks(t.Context(), u.ID, []domain.Deck{fresh}, cards))

	got, err := repos.Decks.GetDeck(t.Context(), u.ID, fresh.ID)
	require.NoError(t, err)
	assert.Equal(t, "Imported", got.Name)
	assert.Equal(t, 3, got.CardCount)
	listed, err := repos.Decks.ListCards(t.Context(), u.ID, fresh.ID)
	require.NoError(t, err)
	require.Len(t, listed, 3)
	for i := range listed {
		assert.Equal(t, cards[i].Front, listed[i].Front, "cards keep their order")
	}
	got, err = repos.Decks.GetDeck(t.Context(), u.ID, existing.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.CardCount)

	set, err := repos.Changes.Changes(t.Context(), u.ID, 0, 100)
	require.NoError(t, err)
	assert.Len(t, set.Cards, 5, "every imported card is in the change log")
	assert.Len(t, set.Decks, 2)
}

// deckImportAllOrNothing checks that a card of another user's deck refuses the whole
// import: no deck is created and no card added.
func deckImportAllOrNothing(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, stranger := f.user(), f.user()
	foreign := f.deck(stranger.ID, repoTime)
	fresh := domain.Deck{
		ID: f.newID(), Name: "Imported", Options: domain.DefaultStudyOptions(), CreatedAt: repoTime, UpdatedAt: repoTime,
	}
	cards := append(f.buildCards(fresh.ID, 2), f.buildCards(foreign.ID, 1)...)
	err := repos.Decks.ImportDecks(t.Context(), u.ID, []domain.Deck{fresh}, cards)
	require.ErrorIs(t, err, domain.ErrNotFound)

	_, err = repos.Decks.GetDeck(t.Context(), u.ID, fresh.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	got, err := repos.Decks.GetDeck(t.Context(), stranger.ID, foreign.ID)
	require.NoError(t, err)
	assert.Zero(t, got.CardCount)
}
