package gormdb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/pgtopo"
	"github.com/studytool/studytool/test/testenv"
)

// countingObserver counts the bounds' reports.
type countingObserver struct {
	mu       sync.Mutex
	waits    map[string]int
	timeouts map[string]int // "budget/kind"
}

func (o *countingObserver) DatabasePoolWait(_ context.Context, budget string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.waits[budget]++
}

func (o *countingObserver) DatabaseTimeout(_ context.Context, budget string, kind ports.DatabaseTimeoutKind) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.timeouts[budget+"/"+string(kind)]++
}

func (o *countingObserver) waitsOf(budget string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.waits[budget]
}

func (o *countingObserver) timeoutsOf(key string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.timeouts[key]
}

// boundedFixture is a migrated PostgreSQL database opened with small bounds, and a user
// with a deck of one card.
type boundedFixture struct {
	url      string
	db       *gormdb.DB
	observer *countingObserver
	repos    struct {
		decks    *gormdb.DeckRepo
		progress *gormdb.ProgressRepo
	}
	userID, deckID, cardID string
}

// The bounds of the fixture: an operation may take 300 ms and wait 100 ms for a
// connection; two of four connections serve the study budget.
const (
	fixtureQueryTimeout = 300 * time.Millisecond
	fixturePoolWait     = 100 * time.Millisecond
)

func newBoundedFixture(t *testing.T) *boundedFixture {
	t.Helper()
	f := &boundedFixture{url: testenv.Postgres(t), observer: &countingObserver{waits: map[string]int{}, timeouts: map[string]int{}}}
	migrated := openDB(t, gormdb.Config{URL: f.url})
	require.NoError(t, migrated.MigrateUp(t.Context()))
	f.db = openDB(t, gormdb.Config{
		URL: f.url, MaxOpenConns: 4, StudyConns: 2,
		QueryTimeout: fixtureQueryTimeout, PoolWaitTimeout: fixturePoolWait, Observer: f.observer,
	})
	f.repos.decks, f.repos.progress = gormdb.NewDeckRepo(f.db), gormdb.NewProgressRepo(f.db)
	repos := repositories(f.db)
	now := time.Now()
	user := &domain.User{
		ID: uuid.NewString(), Email: uuid.NewString() + "@example.com", PasswordHash: "h", DisplayName: "Bounded",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(t, repos.Users.Create(t.Context(), user))
	deck := &domain.Deck{ID: uuid.NewString(), UserID: user.ID, Name: "Deck", Options: domain.DefaultStudyOptions(), CreatedAt: now}
	require.NoError(t, repos.Decks.CreateDeck(t.Context(), deck))
	card := domain.Card{ID: uuid.NewString(), DeckID: deck.ID, Front: "f", Back: "b", CreatedAt: now}
	require.NoError(t, repos.Decks.AddCards(t.Context(), user.ID, deck.ID, []domain.Card{card}))
	f.userID, f.deckID, f.cardID = user.ID, deck.ID, card.ID
	return f
}

// answer records an answer of the card and returns the error and how long it took.
func (f *boundedFixture) answer(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	_, err := f.repos.progress.RecordReview(ctx, f.userID, f.cardID, f.deckID, func(p *domain.Progress) (*domain.Review, error) {
		r, err := p.Apply(domain.Answer{Grade: 4, At: time.Now()})
		return &r, err
	})
	return time.Since(start), err
}

// TestPostgres_BoundsHoldUnderALockedTable locks progress and reviews for longer than
// the query bound, and checks that answers waiting on the lock fail with
// ErrStoreUnavailable once the bound passes, that answers beyond the study budget fail
// after the pool wait without queueing, that reading the deck's cards (the content
// budget) and the readiness ping answer throughout, and that everything works again
// once the lock goes.
func TestPostgres_BoundsHoldUnderALockedTable(t *testing.T) {
	t.Parallel()
	f := newBoundedFixture(t)
	lock := pgtopo.LockTables(t, f.url, 10*time.Second, "progress", "reviews")

	type outcome struct {
		took time.Duration
		err  error
	}
	outcomes := make(chan outcome, 3)
	var wg sync.WaitGroup
	for range 2 { // the whole study budget, waiting on the lock
		wg.Go(func() {
			took, err := f.answer(t.Context())
			outcomes <- outcome{took, err}
		})
	}
	require.Eventually(t, func() bool { return f.observer.waitsOf("study") >= 2 }, 5*time.Second, 5*time.Millisecond)
	took, err := f.answer(t.Context()) // no study connection left
	outcomes <- outcome{took, err}

	// The content budget keeps its connections, and the ping needs none of the budgets.
	cards, err := f.repos.decks.ListCards(t.Context(), f.userID, f.deckID)
	require.NoError(t, err, "reading cards while progress is locked")
	assert.Len(t, cards, 1)
	require.NoError(t, f.db.Ping(t.Context()))

	wg.Wait()
	close(outcomes)
	for o := range outcomes {
		require.ErrorIs(t, o.err, domain.ErrStoreUnavailable)
		var unavailable *domain.UnavailableError
		require.ErrorAs(t, o.err, &unavailable)
		assert.Positive(t, unavailable.RetryAfter, "a retry hint")
		assert.Less(t, o.took, 5*time.Second, "answered long before the 10 s lock ends: %v", o.err)
	}
	assert.Equal(t, 2, f.observer.timeoutsOf("study/query_timeout"), "the two that waited on the lock")
	assert.Equal(t, 1, f.observer.timeoutsOf("study/pool_wait"), "the one that found no connection")

	lock.Release()
	_, err = f.answer(t.Context())
	require.NoError(t, err, "recovers once the lock is gone")
}

// TestPostgres_CallerCancellationIsNotATimeout: a caller that goes away gets its own
// context error, not a 503, and nothing is counted as a timeout.
func TestPostgres_CallerCancellationIsNotATimeout(t *testing.T) {
	t.Parallel()
	f := newBoundedFixture(t)
	lock := pgtopo.LockTables(t, f.url, 10*time.Second, "progress", "reviews")
	defer lock.Release()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel) // the client hangs up while the answer waits
	_, err := f.answer(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, domain.ErrStoreUnavailable)
	assert.Zero(t, f.observer.timeoutsOf("study/query_timeout"))
}
