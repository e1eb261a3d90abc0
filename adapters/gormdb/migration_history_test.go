package gormdb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
)

func TestSQLite_LearningEngineMigrationKeepsHistory(t *testing.T) {
	t.Parallel()
	testLearningEngineMigration(t, sqliteBackend, "?")
}

func TestPostgres_LearningEngineMigrationKeepsHistory(t *testing.T) {
	t.Parallel()
	testLearningEngineMigration(t, postgresBackend, "$")
}

// testLearningEngineMigration writes a study history in the schema of migration 3 (SM-2
// states only), migrates to the latest and checks that the history reads back as legacy rows
// that replay to the stored progress, that the card goes on from there, and that
// migrating down and up again keeps the answers that stand.
func testLearningEngineMigration(t *testing.T, b backend, placeholder string) {
	t.Helper()
	ctx := t.Context()
	db, inspect := b.open(t)
	require.NoError(t, db.MigrateUp(ctx))
	require.NoError(t, db.MigrateDown(ctx, latestVersion-3)) // to the schema of migration 3

	exec := func(query string, args ...any) {
		t.Helper()
		if placeholder == "$" {
			for i := 1; strings.Contains(query, "?"); i++ {
				query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
			}
		}
		_, err := inspect.ExecContext(ctx, query, args...)
		require.NoError(t, err, query)
	}
	userID, deckID, cardID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	first := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	second := first.AddDate(0, 0, 1)
	exec(`INSERT INTO users (id, email, password_hash, display_name, organization_id, permissions, created_at, updated_at)
		VALUES (?, ?, 'h', 'Old timer', ?, '[]', ?, ?)`, userID, userID+"@example.com", domain.DefaultOrganizationID, first, first)
	exec(`INSERT INTO decks (id, user_id, name, description, created_at) VALUES (?, ?, 'Old deck', '', ?)`, deckID, userID, first)
	exec(`INSERT INTO cards (id, deck_id, front, back, created_at) VALUES (?, ?, 'f', 'b', ?)`, cardID, deckID, first)
	exec(`INSERT INTO reviews (id, user_id, card_id, deck_id, reviewed_at, grade, kind,
		before_n, before_ef, before_interval, after_n, after_ef, after_interval)
		VALUES (?, ?, ?, ?, ?, 5, 'new', 0, 250, 0, 1, 260, 1)`, uuid.NewString(), userID, cardID, deckID, first)
	exec(`INSERT INTO reviews (id, user_id, card_id, deck_id, reviewed_at, grade, kind,
		before_n, before_ef, before_interval, after_n, after_ef, after_interval)
		VALUES (?, ?, ?, ?, ?, 5, 'review', 1, 260, 1, 2, 270, 6)`, uuid.NewString(), userID, cardID, deckID, second)
	exec(`INSERT INTO progress (user_id, card_id, deck_id, repetitions, ef, interval_days, due_at, last_reviewed_at, lapses, version)
		VALUES (?, ?, ?, 2, 270, 6, ?, ?, 0, 2)`, userID, cardID, deckID, second.AddDate(0, 0, 6), second)

	require.NoError(t, db.MigrateUp(ctx))
	repos := repositories(db)

	profile, err := gormdb.NewProfileRepo(db).GetProfile(ctx, userID)
	require.NoError(t, err)
	assert.Equal(t, "UTC", profile.TimeZone)
	assert.Equal(t, domain.DefaultDayStartHour, profile.DayStartHour)
	deck, err := repos.Decks.GetDeck(ctx, userID, deckID)
	require.NoError(t, err)
	assert.Equal(t, domain.DefaultStudyOptions(), deck.Options, "an old deck gets the default options")

	stored, err := repos.Progress.Get(ctx, userID, cardID)
	require.NoError(t, err)
	assert.Equal(t, domain.SchedState{Repetitions: 2, EF: 270, IntervalDays: 6}, stored.State)
	assert.Equal(t, 6, stored.IntervalDays)
	assert.Equal(t, 2, stored.Reviews, "counted from the log")
	log, err := repos.Reviews.ListByUser(ctx, userID)
	require.NoError(t, err)
	require.Len(t, log, 2)
	assert.True(t, log[0].Legacy && log[1].Legacy, "rows from before whole schedules were logged")
	replayed, err := domain.Replay(log)
	require.NoError(t, err)
	require.Len(t, replayed, 1)
	replayed[0].Version = stored.Version
	assert.Equal(t, *stored, replayed[0], "the old log replays to the migrated progress")

	// The card goes on: due six days after the second answer, graded then, and the
	// mixed log still replays.
	_, err = repos.Progress.RecordReview(ctx, userID, cardID, deckID, func(p *domain.Progress) (*domain.Review, error) {
		r, err := p.Apply(domain.Answer{Grade: 4, At: stored.DueAt})
		return &r, err
	})
	require.NoError(t, err)
	log, err = repos.Reviews.ListByUser(ctx, userID)
	require.NoError(t, err)
	require.Len(t, log, 3)
	assert.Equal(t, domain.ReviewReview, log[2].Kind)
	_, err = domain.Replay(log)
	require.NoError(t, err)

	// Down past 0004 and up again: the answers that stand survive.
	require.NoError(t, db.MigrateDown(ctx, latestVersion-3))
	require.NoError(t, db.MigrateUp(ctx))
	log, err = repos.Reviews.ListByUser(ctx, userID)
	require.NoError(t, err)
	assert.Len(t, log, 3)
	_, err = domain.Replay(log)
	require.NoError(t, err)
}
