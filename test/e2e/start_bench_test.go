package e2e_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	appdecks "github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/apptest"
)

// Sizes of the deck BenchmarkStartStudySession starts sessions on.
const (
	benchCards   = 50_000
	benchStudied = 20_000
	benchDue     = 10_000
)

// BenchmarkStartStudySession measures starting a study session, as the service runs it
// on PostgreSQL and Redis, on a deck of 50,000 cards of which 20,000 were studied and
// 10,000 are due: the deck and profile reads, the day's counts from the review log, the
// due query, the new-card query when the due cards leave room, the queue, and the
// session write. Sub-benchmarks cover an SM-2 deck, the same deck under FSRS (ordered by
// recall), and a session of new cards only (nothing due: the new-card query skips the
// 20,000 studied cards). It logs the plans of the due and new-card queries (EXPLAIN
// ANALYZE) so docs/performance.md can show them.
func BenchmarkStartStudySession(b *testing.B) {
	var (
		users ports.UserRepo
		decks ports.DeckRepo
		start *study.StartStudySessionHandler
	)
	a := apptest.Start(b, apptest.Real, nil, fx.Populate(&users, &decks, &start))
	userID, deckID := benchDeck(b, users, decks, 0)
	db, err := sql.Open("pgx", a.Database().URL)
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	seedLargeDeck(b, db, userID, deckID)

	now := time.Now().UTC()
	for _, q := range []struct{ name, sql string }{
		{"due (SM-2)", `SELECT card_id, due_at, last_reviewed_at, stability FROM progress
			WHERE user_id = $1 AND deck_id = $2 AND due_at < $3 AND last_reviewed_at IS NOT NULL AND NOT suspended
			ORDER BY due_at, card_id LIMIT 200`},
		{"due (FSRS)", `SELECT card_id, due_at, last_reviewed_at, stability FROM progress
			WHERE user_id = $1 AND deck_id = $2 AND due_at < $3 AND last_reviewed_at IS NOT NULL AND NOT suspended
			ORDER BY stability > 0, EXTRACT(EPOCH FROM ($3::timestamptz - last_reviewed_at)) / NULLIF(stability, 0) DESC,
			due_at, card_id LIMIT 200`},
		{"new cards", `SELECT id FROM cards WHERE deck_id = $2 AND id NOT IN (SELECT card_id FROM progress
			WHERE user_id = $1 AND deck_id = $2 AND (last_reviewed_at IS NOT NULL OR suspended)) AND $3::timestamptz IS NOT NULL
			ORDER BY seq LIMIT 20`},
	} {
		b.Logf("EXPLAIN ANALYZE of the %s query:\n%s", q.name, explain(b, db, q.sql, userID, deckID, now.AddDate(0, 0, 1)))
	}

	cmd := study.StartStudySession{UserID: userID, DeckID: deckID, MaxCards: domain.MaxStudyCards}
	run := func(b *testing.B, want int) {
		b.Helper()
		for b.Loop() {
			view, err := start.Handle(b.Context(), cmd)
			if err != nil {
				b.Fatal(err)
			}
			if view.Session.Remaining() != want {
				b.Fatalf("queued %d cards, want %d", view.Session.Remaining(), want)
			}
		}
	}
	setOptions := func(b *testing.B, change domain.DeckChange) {
		b.Helper()
		_, err := decks.UpdateDeck(b.Context(), userID, deckID, func(d *domain.Deck) error { return d.Change(change) })
		require.NoError(b, err)
	}
	b.Run("sm2", func(b *testing.B) { run(b, domain.MaxStudyCards) })
	b.Run("fsrs", func(b *testing.B) {
		fsrs := domain.SchedulerFSRS
		setOptions(b, domain.DeckChange{Scheduler: &fsrs})
		run(b, domain.MaxStudyCards)
	})
	b.Run("new-only", func(b *testing.B) {
		none := 0
		setOptions(b, domain.DeckChange{ReviewsPerDay: &none})
		run(b, domain.DefaultNewCardsPerDay)
	})
}

// benchNeighbours is how many other learners, each with a deck like the benchmark's,
// share the tables: with the learner's rows alone the planner rightly scans whole
// tables, which says nothing of a service with many learners.
const benchNeighbours = 3

// seedLargeDeck fills deckID with benchCards cards, benchStudied of them studied (the
// first benchDue due a day to a month ago, the rest due within a month), gives
// benchNeighbours other learners the same, and refreshes the planner's statistics.
func seedLargeDeck(b *testing.B, db *sql.DB, userID, deckID string) {
	b.Helper()
	ctx := b.Context()
	exec := func(query string, args ...any) {
		b.Helper()
		_, err := db.ExecContext(ctx, query, args...)
		require.NoError(b, err, query)
	}
	exec(`INSERT INTO users (id, email, password_hash, display_name, organization_id, permissions, created_at, updated_at)
		SELECT 'neighbour-' || g, 'neighbour-' || g || '@example.com', 'x', 'N', organization_id, '[]', now(), now()
		FROM users, generate_series(1, $2::int) g WHERE id = $1`, userID, benchNeighbours)
	exec(`INSERT INTO decks (id, user_id, name, description, created_at)
		SELECT 'neighbour-deck-' || g, 'neighbour-' || g, 'N', '', now() FROM generate_series(1, $1::int) g`, benchNeighbours)
	owners := `SELECT $1 AS user_id, $2 AS deck_id UNION ALL
		SELECT 'neighbour-' || g, 'neighbour-deck-' || g FROM generate_series(1, $3::int) g`
	exec(`INSERT INTO cards (id, deck_id, front, back, created_at)
		SELECT gen_random_uuid()::text, o.deck_id, 'question ' || g, 'answer ' || g, now()
		FROM (`+owners+`) o, generate_series(1, $4::int) g`, userID, deckID, benchNeighbours, benchCards)
	exec(`INSERT INTO progress (user_id, card_id, deck_id, repetitions, ef, interval_days, scheduled_days, due_at,
			last_reviewed_at, lapses, reviews, version, stability, difficulty)
		SELECT o.user_id, c.id, c.deck_id, 3, 250, 15, 15,
			CASE WHEN n <= $4 THEN now() - (n % 30 + 1) * interval '1 day' ELSE now() + (n % 30 + 1) * interval '1 day' END,
			now() - interval '20 days', 0, 3, 3, 5 + n % 40, 5
		FROM (SELECT id, deck_id, row_number() OVER (PARTITION BY deck_id ORDER BY seq) AS n FROM cards) c
		JOIN (`+owners+`) o ON o.deck_id = c.deck_id
		WHERE n <= $5::int`, userID, deckID, benchNeighbours, benchDue, benchStudied)
	exec(`UPDATE decks SET card_count = (SELECT count(*) FROM cards WHERE cards.deck_id = decks.id)`)
	for _, table := range []string{"cards", "progress", "reviews"} {
		exec("ANALYZE " + table)
	}
}

// explain returns PostgreSQL's EXPLAIN ANALYZE of query with args.
func explain(b *testing.B, db *sql.DB, query string, args ...any) string {
	b.Helper()
	rows, err := db.QueryContext(b.Context(), "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+query, args...)
	require.NoError(b, err)
	defer func() { _ = rows.Close() }()
	var lines []string
	for rows.Next() {
		var line string
		require.NoError(b, rows.Scan(&line))
		lines = append(lines, line)
	}
	require.NoError(b, rows.Err())
	return strings.Join(lines, "\n")
}

// BenchmarkSwitchDeckToFSRS measures the deck PATCH that makes a deck of 50,000 cards,
// 20,000 of them studied, schedule with FSRS (new weights each time, so every studied
// card's memory is replayed and written): one transaction over the deck and its 20,000
// progress rows, then the progress copies in Redis.
func BenchmarkSwitchDeckToFSRS(b *testing.B) {
	var (
		users  ports.UserRepo
		decks  ports.DeckRepo
		update *appdecks.UpdateDeckHandler
	)
	a := apptest.Start(b, apptest.Real, nil, fx.Populate(&users, &decks, &update))
	userID, deckID := benchDeck(b, users, decks, 0)
	db, err := sql.Open("pgx", a.Database().URL)
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	seedLargeDeck(b, db, userID, deckID)

	fsrs, weights := domain.SchedulerFSRS, domain.DefaultFSRSWeights
	for i := 0; b.Loop(); i++ {
		w := weights[:]
		w[0] = 0.2 + float64(i%50)/1000 // new weights: every card is replayed again
		_, err := update.Handle(b.Context(), appdecks.UpdateDeck{
			UserID: userID, DeckID: deckID, Change: domain.DeckChange{Scheduler: &fsrs, FSRSWeights: w},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
