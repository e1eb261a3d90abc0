package e2e_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// syncPage is one answer of GET /v1/sync.
type syncPage struct {
	Decks    []deckItem `json:"decks"`
	Cards    []cardItem `json:"cards"`
	Progress []struct {
		CardID      string `json:"cardId"`
		Repetitions int    `json:"repetitions"`
		UpdatedAt   string `json:"updatedAt"`
	} `json:"progress"`
	Deleted []struct {
		Kind   string `json:"kind"`
		ID     string `json:"id"`
		DeckID string `json:"deckId"`
	} `json:"deleted"`
	Cursor  string `json:"cursor"`
	HasMore bool   `json:"hasMore"`
}

// replica is what an offline client keeps of its user's data, built from the sync feed
// alone.
type replica struct {
	c        *apptest.Client
	cursor   string
	decks    map[string]string   // id → name
	cards    map[string]cardItem // id → card
	progress map[string]int      // card id → repetitions
}

func newReplica(c *apptest.Client) *replica {
	return &replica{c: c, decks: map[string]string{}, cards: map[string]cardItem{}, progress: map[string]int{}}
}

// sync applies every change since the replica's cursor, a few at a time so that paging
// is exercised.
func (r *replica) sync(t *testing.T) {
	t.Helper()
	for {
		res := r.c.Do(http.MethodGet, "/v1/sync?"+url.Values{"since": {r.cursor}, "limit": {"3"}}.Encode(), nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
		var p syncPage
		res.JSON(t, &p)
		r.apply(p)
		r.cursor = p.Cursor
		if !p.HasMore {
			return
		}
	}
}

func (r *replica) apply(p syncPage) {
	for _, d := range p.Decks {
		r.decks[d.ID] = d.Name
	}
	for _, c := range p.Cards {
		r.cards[c.ID] = c
	}
	for _, pr := range p.Progress {
		r.progress[pr.CardID] = pr.Repetitions
	}
	for _, gone := range p.Deleted {
		switch gone.Kind {
		case "deck":
			delete(r.decks, gone.ID)
			for id, c := range r.cards {
				if c.DeckID == gone.ID {
					delete(r.cards, id)
					delete(r.progress, id)
				}
			}
		case "card":
			delete(r.cards, gone.ID)
			delete(r.progress, gone.ID)
		case "progress":
			delete(r.progress, gone.ID)
		}
	}
}

// serverState reads the user's decks and cards through the lists, and the progress of
// every card studied.
func serverState(t *testing.T, c *apptest.Client, studied []string) *replica {
	t.Helper()
	s := newReplica(c)
	for _, d := range listAll[deckItem](t, c, "/v1/decks") {
		s.decks[d.ID] = d.Name
		for _, card := range listAll[cardItem](t, c, "/v1/decks/"+d.ID+"/cards") {
			s.cards[card.ID] = card
		}
	}
	for _, id := range studied {
		if _, ok := s.cards[id]; ok {
			s.progress[id] = progressOf(t, c, id).Repetitions
		}
	}
	return s
}

// TestSyncConverges: two devices of one user keep replicas from the sync feed alone;
// after each edits while the other is offline (adding, editing and deleting cards,
// renaming and deleting decks, studying), both replicas equal what the server lists.
func TestSyncConverges(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			phone, _ := studyUser(t, a.Client(), "sync@example.com")
			laptop := a.Client()
			laptop.Token = laptop.Login("sync@example.com").Token
			keep, keepCards := createStudyDeck(t, phone, 4)
			doomed, _ := createStudyDeck(t, phone, 3)

			onPhone, onLaptop := newReplica(phone), newReplica(laptop)
			onPhone.sync(t)
			onLaptop.sync(t)
			require.Len(t, onLaptop.decks, 2)
			require.Len(t, onLaptop.cards, 7)

			// The phone, offline from the laptop's point of view: studies, adds, edits.
			sess := startStudy(t, phone, keep, 2)
			answerCard(t, phone, sess.ID, sess.NextCard.ID, 5)
			studied := sess.NextCard.ID
			added := addCards(t, phone, keep, "from the phone", 2)
			require.Equal(t, http.StatusOK, phone.Do(http.MethodPatch, "/v1/decks/"+keep+"/cards/"+keepCards[1].ID,
				map[string]string{"front": "edited on the phone"}).StatusCode)
			// The laptop: renames a deck, deletes a card and a whole deck.
			require.Equal(t, http.StatusOK, laptop.Do(http.MethodPatch, "/v1/decks/"+keep, map[string]string{"name": "Renamed"}).StatusCode)
			require.Equal(t, http.StatusNoContent, laptop.Do(http.MethodDelete, "/v1/decks/"+keep+"/cards/"+keepCards[2].ID, nil).StatusCode)
			require.Equal(t, http.StatusNoContent, laptop.Do(http.MethodDelete, "/v1/decks/"+doomed, nil).StatusCode)

			onPhone.sync(t)
			onLaptop.sync(t)
			want := serverState(t, phone, []string{studied})
			for name, r := range map[string]*replica{"phone": onPhone, "laptop": onLaptop} {
				assert.Equal(t, want.decks, r.decks, "%s: decks", name)
				assert.Equal(t, want.cards, r.cards, "%s: cards", name)
				assert.Equal(t, want.progress, r.progress, "%s: progress", name)
			}
			assert.Equal(t, map[string]string{keep: "Renamed"}, want.decks)
			assert.Len(t, want.cards, 4-1+2)
			assert.Contains(t, want.cards, added[0].ID)
			assert.Equal(t, "edited on the phone", want.cards[keepCards[1].ID].Front)
			assert.Equal(t, 1, want.progress[studied])

			before := onLaptop.cursor
			onLaptop.sync(t)
			assert.Equal(t, before, onLaptop.cursor, "nothing changed: the cursor stays")
		})
	}
}
