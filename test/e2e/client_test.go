package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi/apiclient"
	"github.com/studytool/studytool/test/apptest"
)

// TestGeneratedClient drives the API on each stack through the Go client generated from
// openapi.yaml (adapters/httpapi/apiclient): the document is good enough to write a
// client against, and the client's requests are ones the server takes. The requests go
// through apptest's client, so every response is also validated against the document.
func TestGeneratedClient(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			ctx := t.Context()
			anon := newAPIClient(t, a, "")

			reg, err := anon.RegisterUserWithResponse(ctx, nil, apiclient.RegisterUserJSONRequestBody{
				Email: "client@example.com", Password: apptest.Password, DisplayName: "Client",
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, reg.StatusCode(), "body: %s", reg.Body)
			require.NotNil(t, reg.JSON201)
			assert.EqualValues(t, "client@example.com", reg.JSON201.User.Email)

			login, err := anon.LogInWithResponse(ctx, nil, apiclient.LogInJSONRequestBody{
				Email: "client@example.com", Password: apptest.Password,
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, login.StatusCode(), "body: %s", login.Body)
			require.NotNil(t, login.JSON200)
			c := newAPIClient(t, a, login.JSON200.Token)

			deckID := createDeckThroughClient(ctx, t, c, "Verbs")
			cards := addCardsThroughClient(ctx, t, c, deckID)
			require.Len(t, cards, 3)
			studyThroughClient(ctx, t, c, deckID, cards[0].Id)

			createDeckThroughClient(ctx, t, c, "Nouns")
			listDecksThroughClient(ctx, t, c)

			doc, err := anon.GetOpenApiDocumentWithResponse(ctx, nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, doc.StatusCode())
			assert.Equal(t, "application/yaml", doc.HTTPResponse.Header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(string(doc.Body), "openapi: 3.1"), "the document: %.40s", doc.Body)
		})
	}
}

// newAPIClient is a generated client of a that sends its requests through an apptest
// client (its cookie jar and its validation against openapi.yaml), with token as the
// bearer token when set.
func newAPIClient(t *testing.T, a *apptest.App, token string) *apiclient.ClientWithResponses {
	t.Helper()
	opts := []apiclient.ClientOption{apiclient.WithHTTPClient(a.Client().HTTP)}
	if token != "" {
		opts = append(opts, apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	}
	client, err := apiclient.NewClientWithResponses(a.BaseURL, opts...)
	require.NoError(t, err)
	return client
}

func createDeckThroughClient(ctx context.Context, t *testing.T, c *apiclient.ClientWithResponses, name string) string {
	t.Helper()
	res, err := c.CreateDeckWithResponse(ctx, nil, apiclient.CreateDeckJSONRequestBody{Name: name})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), "body: %s", res.Body)
	require.NotNil(t, res.JSON201)
	assert.Equal(t, name, res.JSON201.Name)
	return res.JSON201.Id
}

// addCardsThroughClient adds a batch of two cards and then one card, both through the
// AddCardsRequest union, and returns the three in the order they were added.
func addCardsThroughClient(ctx context.Context, t *testing.T, c *apiclient.ClientWithResponses, deckID string) []apiclient.Card {
	t.Helper()
	var batch, single apiclient.AddCardsRequest
	require.NoError(t, batch.FromNewCardBatch(apiclient.NewCardBatch{Cards: []apiclient.NewCard{
		{Front: "aller", Back: "to go"}, {Front: "venir", Back: "to come"},
	}}))
	require.NoError(t, single.FromNewCard(apiclient.NewCard{Front: "faire", Back: "to do"}))
	var added []apiclient.Card
	for _, body := range []apiclient.AddCardsRequest{batch, single} {
		res, err := c.AddCardsWithResponse(ctx, deckID, nil, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, res.StatusCode(), "body: %s", res.Body)
		require.NotNil(t, res.JSON201)
		added = append(added, res.JSON201.Cards...)
	}
	fronts := make([]string, len(added))
	for i, card := range added {
		fronts[i] = card.Front
	}
	assert.Equal(t, []string{"aller", "venir", "faire"}, fronts)
	return added
}

// studyThroughClient starts a session on the deck and answers its first card.
func studyThroughClient(ctx context.Context, t *testing.T, c *apiclient.ClientWithResponses, deckID, firstCard string) {
	t.Helper()
	started, err := c.StartStudySessionWithResponse(ctx, nil, apiclient.StartStudySessionJSONRequestBody{DeckId: deckID})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, started.StatusCode(), "body: %s", started.Body)
	session := started.JSON201
	require.NotNil(t, session)
	assert.Equal(t, 3, session.Remaining)
	require.NotNil(t, session.NextCard)
	require.Equal(t, firstCard, session.NextCard.Id)

	answered, err := c.SubmitReviewWithResponse(ctx, session.Id, nil, apiclient.SubmitReviewJSONRequestBody{
		CardId: firstCard, Grade: 5,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, answered.StatusCode(), "body: %s", answered.Body)
	result := answered.JSON200
	require.NotNil(t, result)
	assert.Equal(t, firstCard, result.Progress.CardId)
	assert.Equal(t, 1, result.Progress.Repetitions)
	assert.InDelta(t, 2.6, result.Progress.EasinessFactor, 1e-9)
	assert.Equal(t, 1, result.Reviewed)
	assert.Equal(t, 2, result.Remaining)
}

// listDecksThroughClient pages through the caller's two decks one at a time.
func listDecksThroughClient(ctx context.Context, t *testing.T, c *apiclient.ClientWithResponses) {
	t.Helper()
	limit := 1
	var names []string
	var cursor *string
	for range 3 {
		res, err := c.ListDecksWithResponse(ctx, &apiclient.ListDecksParams{Limit: &limit, Cursor: cursor})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), "body: %s", res.Body)
		require.NotNil(t, res.JSON200)
		require.Len(t, res.JSON200.Items, 1)
		deck := res.JSON200.Items[0]
		names = append(names, deck.Name)
		if deck.Name == "Verbs" {
			assert.Equal(t, 3, deck.CardCount)
			assert.Equal(t, 2, deck.NewToday, "two of the deck's cards were never studied")
		}
		if cursor = res.JSON200.NextCursor; cursor == nil {
			break
		}
	}
	assert.Equal(t, []string{"Nouns", "Verbs"}, names, "newest first, one a page, and the last page says so")
}
