package decks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// batch returns n valid cards.
func batch(n int) []decks.NewCard {
	cards := make([]decks.NewCard, n)
	for i := range cards {
		cards[i] = decks.NewCard{Front: "front " + strings.Repeat("x", i%3), Back: "back"}
	}
	return cards
}

func TestAddCardsRefusesInvalidCommandsBeforeStoring(t *testing.T) {
	t.Parallel()
	withBadThird := batch(5)
	withBadThird[3].Front = "   "
	tests := []struct {
		name  string
		cmd   decks.AddCards
		field string
	}{
		{"1001 cards", decks.AddCards{Cards: batch(domain.MaxCardsPerBatch + 1), Batch: true}, "cards"},
		{"empty batch", decks.AddCards{Cards: []decks.NewCard{}, Batch: true}, "cards"},
		{"blank front in a batch", decks.AddCards{Cards: withBadThird, Batch: true}, "cards[3].front"},
		{"missing back of a single card", decks.AddCards{Cards: []decks.NewCard{{Front: "f"}}}, "back"},
		{"missing back in a batch of one", decks.AddCards{Cards: []decks.NewCard{{Front: "f"}}, Batch: true}, "cards[0].back"},
		{"side too long", decks.AddCards{Cards: []decks.NewCard{{Front: "f", Back: strings.Repeat("é", domain.MaxCardSideLength+1)}}}, "back"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := mocks.NewDeckRepo(t) // no expectation: any repository call fails the test
			tt.cmd.UserID, tt.cmd.DeckID = "user-1", "deck-1"

			_, err := decks.NewAddCardsHandler(repo, clock.NewFake(epoch)).Handle(t.Context(), tt.cmd)
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.field, verr.Field)
		})
	}
}

func TestAddCardsAcceptsTheLimit(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().AddCards(mock.Anything, "user-1", "deck-1", mock.Anything).Return(nil).Once()

	cards, err := decks.NewAddCardsHandler(repo, clock.NewFake(epoch)).Handle(t.Context(),
		decks.AddCards{UserID: "user-1", DeckID: "deck-1", Cards: batch(domain.MaxCardsPerBatch), Batch: true})
	require.NoError(t, err)
	assert.Len(t, cards, domain.MaxCardsPerBatch)
}

func TestAddCardsStoresInCommandOrder(t *testing.T) {
	t.Parallel()
	in := []decks.NewCard{{Front: "merci", Back: "thank you"}, {Front: "chat", Back: "cat"}, {Front: "chien", Back: "dog"}}
	var stored []domain.Card
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().AddCards(mock.Anything, "user-1", "deck-1", mock.Anything).
		Run(func(_ context.Context, _, _ string, cards []domain.Card) { stored = cards }).
		Return(nil).Once()

	out, err := decks.NewAddCardsHandler(repo, clock.NewFake(epoch)).Handle(t.Context(),
		decks.AddCards{UserID: "user-1", DeckID: "deck-1", Cards: in, Batch: true})
	require.NoError(t, err)
	require.Len(t, out, len(in))
	assert.Equal(t, stored, out, "the cards answered are the cards stored")
	ids := map[string]bool{}
	for i, c := range out {
		assert.Equal(t, in[i].Front, c.Front)
		assert.Equal(t, in[i].Back, c.Back)
		assert.Equal(t, "deck-1", c.DeckID)
		assert.Equal(t, epoch, c.CreatedAt)
		assert.NotEmpty(t, c.ID)
		ids[c.ID] = true
	}
	assert.Len(t, ids, len(in), "every card gets its own id")
}

func TestAddCardsReportsRepositoryErrors(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().AddCards(mock.Anything, "user-2", "deck-1", mock.Anything).Return(domain.ErrNotFound)

	_, err := decks.NewAddCardsHandler(repo, clock.NewFake(epoch)).Handle(t.Context(),
		decks.AddCards{UserID: "user-2", DeckID: "deck-1", Cards: batch(1)})
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's deck stays not found")
}

func TestAddCardsRefusesAMalformedSingleCardCommand(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	_, err := decks.NewAddCardsHandler(repo, clock.NewFake(epoch)).Handle(t.Context(),
		decks.AddCards{UserID: "user-1", DeckID: "deck-1", Cards: batch(2)})
	require.Error(t, err)
	var verr *domain.ValidationError
	assert.NotErrorAs(t, err, &verr, "a caller bug is not the client's validation error")
}
