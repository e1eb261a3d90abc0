package decks_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

func TestCreateDeck(t *testing.T) {
	t.Parallel()

	t.Run("stores the trimmed deck of the caller", func(t *testing.T) {
		t.Parallel()
		repo := mocks.NewDeckRepo(t)
		repo.EXPECT().CreateDeck(mock.Anything, mock.MatchedBy(func(d *domain.Deck) bool {
			return d.ID != "" && d.UserID == "user-1" && d.Name == "French" && d.Description == "A1" && d.CreatedAt.Equal(epoch)
		})).Return(nil).Once()

		deck, err := decks.NewCreateDeckHandler(repo, clock.NewFake(epoch)).Handle(t.Context(),
			decks.CreateDeck{UserID: "user-1", Name: "  French ", Description: "A1"})
		require.NoError(t, err)
		assert.Equal(t, "French", deck.Name)
		assert.Zero(t, deck.CardCount)
	})

	invalid := []struct {
		name  string
		cmd   decks.CreateDeck
		field string
	}{
		{"blank name", decks.CreateDeck{Name: " \t"}, "name"},
		{"name too long", decks.CreateDeck{Name: strings.Repeat("n", domain.MaxDeckNameLength+1)}, "name"},
		{"description too long", decks.CreateDeck{Name: "ok", Description: strings.Repeat("d", domain.MaxDeckDescriptionLength+1)}, "description"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := mocks.NewDeckRepo(t)
			tt.cmd.UserID = "user-1"
			_, err := decks.NewCreateDeckHandler(repo, clock.NewFake(epoch)).Handle(t.Context(), tt.cmd)
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.field, verr.Field)
		})
	}
}
