package e2e_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/apptest"
)

// BenchmarkReview measures one answer through the ReviewCard use-case on PostgreSQL and
// Redis, as the service runs it: the session read, the card prefetch, the transaction
// that upserts progress and appends the review, the progress cache write and the
// optimistic study-session update. Each answer is graded 2, so the card goes to the back
// of a 200-card queue: the first 200 answers grade new cards, the rest are drills.
func BenchmarkReview(b *testing.B) {
	var (
		users  ports.UserRepo
		decks  ports.DeckRepo
		start  *study.StartStudySessionHandler
		review *study.ReviewCardHandler
	)
	apptest.Start(b, apptest.Real, nil, fx.Populate(&users, &decks, &start, &review))
	ctx := b.Context()

	userID, deckID := benchDeck(b, users, decks, domain.MaxStudyCards)
	view, err := start.Handle(ctx, study.StartStudySession{UserID: userID, DeckID: deckID, MaxCards: domain.MaxStudyCards})
	require.NoError(b, err)
	next := view.NextCard.ID

	for b.Loop() {
		res, err := review.Handle(context.Background(), study.ReviewCard{
			UserID: userID, SessionID: view.Session.ID, CardID: next, Grade: 2, DurationMs: 1500,
		})
		if err != nil {
			b.Fatal(err)
		}
		next = res.NextCard.ID
	}
}

// benchDeck creates a user with a deck of n cards through the repositories.
func benchDeck(b *testing.B, users ports.UserRepo, decks ports.DeckRepo, n int) (string, string) {
	b.Helper()
	ctx := b.Context()
	now := time.Now().UTC()
	user := &domain.User{
		ID: uuid.NewString(), Email: "bench-" + uuid.NewString() + "@example.com",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2g", DisplayName: "Bench",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(b, users.Create(ctx, user))
	deck := &domain.Deck{ID: uuid.NewString(), UserID: user.ID, Name: "Bench", Options: domain.DefaultStudyOptions(), CreatedAt: now}
	require.NoError(b, decks.CreateDeck(ctx, deck))
	cards := make([]domain.Card, n)
	for i := range cards {
		cards[i] = domain.Card{ID: uuid.NewString(), DeckID: deck.ID, Front: "q" + strconv.Itoa(i), Back: "a", CreatedAt: now}
	}
	require.NoError(b, decks.AddCards(ctx, user.ID, deck.ID, cards))
	return user.ID, deck.ID
}
