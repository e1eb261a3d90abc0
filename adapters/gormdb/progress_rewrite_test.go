package gormdb_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
)

func TestSQLite_RewriteProgress(t *testing.T) {
	t.Parallel()
	testRewriteProgress(t, sqliteBackend)
}

func TestPostgres_RewriteProgress(t *testing.T) {
	t.Parallel()
	testRewriteProgress(t, postgresBackend)
}

// testRewriteProgress checks that a rewrite over a version that is no longer stored
// writes nothing and is ErrConflict, and that one over the stored version replaces the
// row, raises its version and keeps its suspended flag.
func testRewriteProgress(t *testing.T, b backend) {
	t.Helper()
	db := b.migrated(t)
	repos := repositories(db)
	rewriter := gormdb.NewProgressRepo(db)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	user := &domain.User{
		ID: uuid.NewString(), Email: "rewrite@example.com", PasswordHash: "h", DisplayName: "R",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(t, repos.Users.Create(ctx, user))
	deck := &domain.Deck{ID: uuid.NewString(), UserID: user.ID, Name: "Deck", Options: domain.DefaultStudyOptions(), CreatedAt: now}
	require.NoError(t, repos.Decks.CreateDeck(ctx, deck))
	card := domain.Card{ID: uuid.NewString(), DeckID: deck.ID, Front: "f", Back: "b", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, repos.Decks.AddCards(ctx, user.ID, deck.ID, []domain.Card{card}))
	_, err := repos.Progress.RecordReview(ctx, user.ID, card.ID, deck.ID, func(p *domain.Progress) (*domain.Review, error) {
		r, err := p.Apply(domain.Answer{Grade: 4, At: now})
		return &r, err
	})
	require.NoError(t, err)
	_, err = repos.Progress.SetSuspended(ctx, user.ID, card.ID, deck.ID, true, now)
	require.NoError(t, err)
	stored, err := repos.Progress.Get(ctx, user.ID, card.ID)
	require.NoError(t, err)

	want := *stored
	want.State.Repetitions += 3
	want.Suspended = false
	stale := want
	stale.Version = stored.Version - 1
	require.ErrorIs(t, rewriter.RewriteProgress(ctx, user.ID, []domain.Progress{stale}, now), domain.ErrConflict)
	got, err := repos.Progress.Get(ctx, user.ID, card.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, got, "a stale rewrite writes nothing")

	require.NoError(t, rewriter.RewriteProgress(ctx, user.ID, []domain.Progress{want}, now.Add(time.Minute)))
	got, err = repos.Progress.Get(ctx, user.ID, card.ID)
	require.NoError(t, err)
	assert.Equal(t, want.State, got.State)
	assert.Equal(t, stored.Version+1, got.Version)
	assert.True(t, got.Suspended, "the learner's suspension is kept")
}
