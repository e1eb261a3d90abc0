package contract

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// deckRepoProperties are the behaviours of the DeckRepo contract, one check each.
var deckRepoProperties = []property[Repositories]{
	{"CreateDeckThenGetDeck", deckCreateThenGet},
	{"CreateDeckRejectsTakenID", deckCreateRejectsTakenID},
	{"ForeignDeckIsNotFound", deckForeignNotFound},
	{"UnknownDeckIsNotFound", deckUnknownNotFound},
	{"ListDecksNewestFirstWithCounts", deckListNewestFirst},
	{"ListDecksOfUserWithoutDecks", deckListEmpty},
	{"CardsKeepInsertionOrder", deckCardsKeepOrder},
	{"AddCardsTakesFullBatch", deckAddFullBatch},
	{"AddCardsIsAllOrNothing", deckAddAllOrNothing},
	{"GetCardsInCreationOrder", deckGetCards},
}

// DeckRepo checks a ports.DeckRepo: decks and cards round-trip, every read and write is
// confined to the deck's owner, a batch of cards is atomic up to domain.MaxCardsPerBatch,
// cards keep their insertion order, pages of cards stay stable while cards come and go,
// and a deleted deck or card takes its progress and review log with it.
func DeckRepo(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	runProperties(t, newRepos(t), slices.Concat(deckRepoProperties, deckImportProperties, cardProperties))
}

// deckCreateThenGet checks that CreateDeck stores the deck GetDeck returns, with no
// cards.
func deckCreateThenGet(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)

	got, err := repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	want := *d
	want.CreatedAt, want.UpdatedAt = atMicro(d.CreatedAt), atMicro(d.UpdatedAt)
	got.CreatedAt, got.UpdatedAt = got.CreatedAt.Truncate(time.Microsecond), got.UpdatedAt.Truncate(time.Microsecond)
	assert.Equal(t, want, *got)
}

// deckCreateRejectsTakenID checks that CreateDeck rejects a taken id with ErrConflict.
func deckCreateRejectsTakenID(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	again := *d
	again.Name = "Other"
	require.ErrorIs(t, repos.Decks.CreateDeck(t.Context(), &again), domain.ErrConflict)
}

// deckForeignNotFound checks that another user's deck is ErrNotFound to every read and
// write.
func deckForeignNotFound(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	owner, stranger := f.user(), f.user()
	d := f.deck(owner.ID, repoTime)
	cards := f.cards(owner.ID, d.ID, 2)

	_, err := repos.Decks.GetDeck(t.Context(), stranger.ID, d.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Decks.ListCards(t.Context(), stranger.ID, d.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Decks.GetCards(t.Context(), stranger.ID, d.ID, []string{cards[0].ID})
	require.ErrorIs(t, err, domain.ErrNotFound)
	err = repos.Decks.AddCards(t.Context(), stranger.ID, d.ID, f.buildCards(d.ID, 3))
	require.ErrorIs(t, err, domain.ErrNotFound)

	decks, err := repos.Decks.ListDecks(t.Context(), stranger.ID)
	require.NoError(t, err)
	assert.Empty(t, decks)
	got, err := repos.Decks.GetDeck(t.Context(), owner.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.CardCount, "a stranger's AddCards changed the deck")
}

// deckUnknownNotFound checks that an unknown deck is ErrNotFound.
func deckUnknownNotFound(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	missing := f.newID()

	_, err := repos.Decks.GetDeck(t.Context(), u.ID, missing)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Decks.ListCards(t.Context(), u.ID, missing)
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.ErrorIs(t, repos.Decks.AddCards(t.Context(), u.ID, missing, f.buildCards(missing, 1)), domain.ErrNotFound)
}

// deckListNewestFirst checks that ListDecks returns the user's decks newest first with
// card counts.
func deckListNewestFirst(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, other := f.user(), f.user()
	oldest := f.deck(u.ID, repoTime.Add(-2*time.Hour))
	newest := f.deck(u.ID, repoTime)
	middle := f.deck(u.ID, repoTime.Add(-time.Hour))
	f.deck(other.ID, repoTime.Add(time.Hour))
	f.cards(u.ID, middle.ID, 3)

	decks, err := repos.Decks.ListDecks(t.Context(), u.ID)
	require.NoError(t, err)
	ids := make([]string, len(decks))
	counts := make([]int, len(decks))
	for i, d := range decks {
		ids[i], counts[i] = d.ID, d.CardCount
		assert.Equal(t, u.ID, d.UserID)
	}
	assert.Equal(t, []string{newest.ID, middle.ID, oldest.ID}, ids)
	assert.Equal(t, []int{0, 3, 0}, counts)
}

// deckListEmpty checks that ListDecks of a user without decks is empty.
func deckListEmpty(t *testing.T, repos Repositories) {
	decks, err := repos.Decks.ListDecks(t.Context(), newRepoFixture(t, repos).user().ID)
	require.NoError(t, err)
	assert.Empty(t, decks)
}

// deckCardsKeepOrder checks that cards round-trip and keep insertion order across
// batches.
func deckCardsKeepOrder(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	want := append(f.cards(u.ID, d.ID, 3), f.cards(u.ID, d.ID, 2)...)

	got, err := repos.Decks.ListCards(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, storedCards(want), readCards(got))
	deck, err := repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, len(want), deck.CardCount)
}

// deckAddFullBatch checks that AddCards stores a full batch of MaxCardsPerBatch.
func deckAddFullBatch(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	want := f.cards(u.ID, d.ID, domain.MaxCardsPerBatch)

	got, err := repos.Decks.ListCards(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, storedCards(want), readCards(got))
}

// deckAddAllOrNothing checks that AddCards is all or nothing.
func deckAddAllOrNothing(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	existing := f.cards(u.ID, d.ID, 1)[0]

	tests := []struct {
		name   string
		mutate func(batch []domain.Card)
	}{
		{"last card reuses a stored card's id", func(batch []domain.Card) { batch[len(batch)-1].ID = existing.ID }},
		{"two cards of the batch share an id", func(batch []domain.Card) { batch[len(batch)-1].ID = batch[0].ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := f.buildCards(d.ID, domain.MaxCardsPerBatch)
			tt.mutate(batch)

			err := repos.Decks.AddCards(t.Context(), u.ID, d.ID, batch)
			require.ErrorIs(t, err, domain.ErrConflict)
			got, err := repos.Decks.ListCards(t.Context(), u.ID, d.ID)
			require.NoError(t, err)
			assert.Equal(t, storedCards([]domain.Card{existing}), readCards(got), "a failed batch left cards behind")
		})
	}
}

// deckGetCards checks that GetCards returns the listed cards in creation order and skips
// unknown ids.
func deckGetCards(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	other := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	foreign := f.cards(u.ID, other.ID, 1)[0]

	tests := []struct {
		name string
		ids  []string
		want []domain.Card
	}{
		{"subset asked in reverse", []string{cards[3].ID, cards[1].ID}, []domain.Card{cards[1], cards[3]}},
		{"unknown id", []string{f.newID(), cards[2].ID}, []domain.Card{cards[2]}},
		{"card of another deck", []string{foreign.ID}, nil},
		{"no ids", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := repos.Decks.GetCards(t.Context(), u.ID, d.ID, tt.ids)
			require.NoError(t, err)
			assert.Equal(t, storedCards(tt.want), readCards(got))
		})
	}
}

// storedCards is cards as a store returns them; nil for none.
func storedCards(cards []domain.Card) []domain.Card {
	if len(cards) == 0 {
		return nil
	}
	out := make([]domain.Card, len(cards))
	for i, c := range cards {
		c.CreatedAt, c.UpdatedAt = atMicro(c.CreatedAt), atMicro(c.UpdatedAt)
		out[i] = c
	}
	return out
}

// readCards prepares cards read back for comparison with storedCards (see readUser).
func readCards(cards []domain.Card) []domain.Card {
	if len(cards) == 0 {
		return nil
	}
	out := make([]domain.Card, len(cards))
	for i, c := range cards {
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.Truncate(time.Microsecond), c.UpdatedAt.Truncate(time.Microsecond)
		out[i] = c
	}
	return out
}
