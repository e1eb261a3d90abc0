package contract

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// changeLogProperties are the behaviours of the ChangeLog contract, one check each.
var changeLogProperties = []property[Repositories]{
	{"NothingChangedForANewUser", changesNone},
	{"ChangesCarryTheCurrentState", changesCurrentState},
	{"DeletionsAreTombstones", changesTombstones},
	{"LimitPagesTheLogWithoutGapsOrRepeats", changesPaged},
	{"ChangesAreConfinedToTheirUser", changesConfined},
}

// ChangeLog checks a ports.ChangeLog over the writes of the other repositories of the
// same Repositories (which must set Changes): every write of a deck, a card or progress
// is a change, read back as the entity's current state; every deletion is a tombstone;
// and reading the log a page at a time from the last change seen misses nothing.
func ChangeLog(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	repos := newRepos(t)
	requireComplete(t, "Repositories", map[string]bool{"Changes": repos.Changes != nil})
	runProperties(t, repos, changeLogProperties)
}

// changesAfter reads the whole log of userID after after, limit changes at a time, and
// merges the pages as a syncing client would: a later state replaces an earlier one; a
// deleted card takes its progress, a deleted deck its cards and their progress. It
// returns what the client holds, by "kind/id", and the last change it saw.
func changesAfter(t *testing.T, repos Repositories, userID string, after int64, limit int) (map[string]string, int64) {
	t.Helper()
	state := map[string]string{}
	deckOf := map[string]string{}
	put := func(key, deckID, value string) { state[key], deckOf[key] = value, deckID }
	last := after
	for range 1000 {
		set, err := repos.Changes.Changes(t.Context(), userID, last, limit)
		require.NoError(t, err)
		require.GreaterOrEqual(t, set.Last, last, "the log goes forward")
		for _, d := range set.Decks {
			put("deck/"+d.ID, d.ID, d.Name)
		}
		for _, c := range set.Cards {
			put("card/"+c.ID, c.DeckID, c.Front)
		}
		for _, p := range set.Progress {
			put("progress/"+p.CardID, p.DeckID, strconv.Itoa(p.Reviews))
		}
		for _, gone := range set.Deleted {
			switch gone.Kind {
			case domain.EntityDeck:
				for key := range state {
					if deckOf[key] == gone.ID {
						delete(state, key)
					}
				}
			case domain.EntityCard:
				delete(state, "card/"+gone.ID)
				delete(state, "progress/"+gone.ID)
			default:
				delete(state, string(gone.Kind)+"/"+gone.ID)
			}
		}
		last = set.Last
		if !set.More {
			return state, last
		}
	}
	t.Fatal("the log does not end")
	return nil, 0
}

// changesNone checks that a user who wrote nothing has no changes.
func changesNone(t *testing.T, repos Repositories) {
	u := newRepoFixture(t, repos).user()
	set, err := repos.Changes.Changes(t.Context(), u.ID, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, domain.ChangeSet{}, *set)
}

// changesCurrentState checks that the changes after a point hold each written entity
// once, as it is now, and that the changes after the last one are none.
func changesCurrentState(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(0))
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(1))

	set, err := repos.Changes.Changes(t.Context(), u.ID, 0, 100)
	require.NoError(t, err)
	require.Len(t, set.Decks, 1)
	assert.Equal(t, d.ID, set.Decks[0].ID)
	assert.Equal(t, 2, set.Decks[0].CardCount)
	assert.Equal(t, storedCards(cards), readCards(set.Cards))
	require.Len(t, set.Progress, 1, "two answers, one progress row")
	assert.Equal(t, 2, set.Progress[0].Reviews, "as it is now")
	assert.Empty(t, set.Deleted)
	assert.False(t, set.More)
	assert.Positive(t, set.Last)

	none, err := repos.Changes.Changes(t.Context(), u.ID, set.Last, 100)
	require.NoError(t, err)
	assert.Equal(t, domain.ChangeSet{Last: set.Last}, *none, "nothing after the last change")

	_, err = repos.Decks.UpdateCard(t.Context(), u.ID, d.ID, cards[1].ID, func(c *domain.Card) error {
		front := "edited"
		return c.Change(domain.CardChange{Front: &front}, day(2))
	})
	require.NoError(t, err)
	next, err := repos.Changes.Changes(t.Context(), u.ID, set.Last, 100)
	require.NoError(t, err)
	require.Len(t, next.Cards, 1)
	assert.Equal(t, "edited", next.Cards[0].Front)
	assert.Empty(t, next.Decks)
	assert.Empty(t, next.Progress)
	assert.Greater(t, next.Last, set.Last)
}

// changesTombstones checks that deleted cards and decks come back as tombstones naming
// their deck, and no longer as entities.
func changesTombstones(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, gone := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	f.cards(u.ID, gone.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(0))
	before, err := repos.Changes.Changes(t.Context(), u.ID, 0, 100)
	require.NoError(t, err)

	require.NoError(t, repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, cards[0].ID, day(1), func(*domain.Card) error { return nil }))
	_, err = repos.Decks.DeleteDeck(t.Context(), u.ID, gone.ID, day(1), func(*domain.Deck) error { return nil })
	require.NoError(t, err)

	set, err := repos.Changes.Changes(t.Context(), u.ID, before.Last, 100)
	require.NoError(t, err)
	assert.ElementsMatch(t, []domain.Tombstone{
		{Kind: domain.EntityCard, ID: cards[0].ID, DeckID: d.ID},
		{Kind: domain.EntityDeck, ID: gone.ID, DeckID: gone.ID},
	}, set.Deleted)
	for _, c := range set.Cards {
		assert.NotEqual(t, cards[0].ID, c.ID)
	}
	for _, deck := range set.Decks {
		assert.NotEqual(t, gone.ID, deck.ID)
	}

	all, err := repos.Changes.Changes(t.Context(), u.ID, 0, 100)
	require.NoError(t, err)
	for _, c := range all.Cards {
		assert.NotEqual(t, cards[0].ID, c.ID, "from the start, a deleted card is not an entity")
	}
	require.Empty(t, all.Progress, "the deleted card's progress went with it")
}

// changesPaged checks that reading the log limit changes at a time, each page after the
// last change of the one before, ends in the state of reading it at once.
func changesPaged(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	for i, c := range cards[:3] {
		answer(t, repos, u.ID, d.ID, c.ID, 4, day(i))
	}
	require.NoError(t, repos.Decks.DeleteCard(t.Context(), u.ID, d.ID, cards[3].ID, day(4), func(*domain.Card) error { return nil }))

	whole, wholeLast := changesAfter(t, repos, u.ID, 0, 1000)
	for _, limit := range []int{1, 2, 3} {
		paged, last := changesAfter(t, repos, u.ID, 0, limit)
		assert.Equal(t, whole, paged, "limit %d", limit)
		assert.Equal(t, wholeLast, last, "limit %d", limit)
	}
	assert.Len(t, whole, 1+3+3, "the deck, three cards, three progress rows")
	first, err := repos.Changes.Changes(t.Context(), u.ID, 0, 2)
	require.NoError(t, err)
	assert.True(t, first.More)
}

// changesConfined checks that one user's changes are not another's.
func changesConfined(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, _, _ := f.studyCard()
	other := f.user()
	set, err := repos.Changes.Changes(t.Context(), other.ID, 0, 100)
	require.NoError(t, err)
	assert.Equal(t, domain.ChangeSet{}, *set)
	mine, err := repos.Changes.Changes(t.Context(), u.ID, 0, 100)
	require.NoError(t, err)
	assert.Len(t, mine.Decks, 1)
}
