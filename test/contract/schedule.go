package contract

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// scheduleProperties are the ProgressRepo behaviours the learning engine builds on:
// undo, suspension, the due and new-card queries, and rescheduling a deck.
var scheduleProperties = []property[Repositories]{
	{"UndoRestoresTheStateBefore", progressUndoRestores},
	{"UndoTakesBackOnlyTheLatestAnswer", progressUndoOnlyLatest},
	{"SuspendedCardsLeaveTheQueues", progressSuspendedLeaveQueues},
	{"DueListsCardsDueBeforeOldestFirst", progressDueOldestFirst},
	{"DueInRecallOrderAndLimited", progressDueRecallOrder},
	{"UnstudiedInTheOrderAdded", progressUnstudiedInOrder},
	{"RescheduleCommitsDeckAndProgressTogether", progressRescheduleTogether},
	{"FailedRescheduleChangesNothing", progressFailedReschedule},
	{"CountsByDeckCountTheLearnerDay", progressCountsByDeck},
}

// day is repoTime plus n days.
func day(n int) time.Time { return repoTime.AddDate(0, 0, n) }

// answer records an answer of grade g at at to the card and returns the logged row.
func answer(t *testing.T, repos Repositories, userID, deckID, cardID string, g domain.Grade, at time.Time) domain.Review {
	t.Helper()
	var logged domain.Review // fn may run again on a retry: keep its last result
	_, err := repos.Progress.RecordReview(t.Context(), userID, cardID, deckID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: g, At: at})
		logged = r
		return &r, err
	})
	require.NoError(t, err)
	log, err := repos.Reviews.ListByUser(t.Context(), userID)
	require.NoError(t, err)
	logged.ID = log[len(log)-1].ID
	return logged
}

// undo takes back review undone of the card at at.
func undo(t *testing.T, repos Repositories, userID, cardID, undone string, at time.Time) (*domain.Progress, error) {
	t.Helper()
	return repos.Progress.UndoReview(t.Context(), userID, cardID, undone, func(p *domain.Progress, r *domain.Review) (*domain.Review, error) {
		row, err := p.Undo(*r, at, domain.LearnerDay{})
		return &row, err
	})
}

// progressUndoRestores checks that UndoReview puts back the state the answer started
// from, logs an undo row naming it, and leaves a log that replays to the stored progress.
func progressUndoRestores(t *testing.T, repos Repositories) {
	u, d, c := newRepoFixture(t, repos).studyCard()
	answer(t, repos, u.ID, d.ID, c.ID, 5, day(0))
	second := answer(t, repos, u.ID, d.ID, c.ID, 4, day(1))
	before, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)

	undone, err := undo(t, repos, u.ID, c.ID, second.ID, day(1).Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, readCardState(second.Before), readCardState(undone.CardState), "the state before the answer")
	assert.Equal(t, before.Version+1, undone.Version)
	got, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, readProgress(undone), readProgress(got))

	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, log, 3)
	assert.Equal(t, domain.ReviewUndo, log[2].Kind)
	assert.Equal(t, second.ID, log[2].UndoneID)
	assert.Equal(t, readCardState(second.After), readCardState(log[2].Before))
	assert.Equal(t, readCardState(second.Before), readCardState(log[2].After))
	replayed, err := domain.Replay(log)
	require.NoError(t, err)
	require.Len(t, replayed, 1)
	replayed[0].Version = got.Version
	assert.Equal(t, readProgress(got), readProgress(&replayed[0]))
}

// progressUndoOnlyLatest checks that only the card's latest answer still standing can be
// taken back: answers are undone latest first, each once, and only by their user.
func progressUndoOnlyLatest(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	first := answer(t, repos, u.ID, d.ID, c.ID, 5, day(0))
	second := answer(t, repos, u.ID, d.ID, c.ID, 5, day(1))
	at := day(1).Add(time.Minute)

	_, err := undo(t, repos, u.ID, c.ID, first.ID, at)
	require.ErrorIs(t, err, domain.ErrConflict, "a later answer stands")
	_, err = undo(t, repos, u.ID, c.ID, f.newID(), at)
	require.ErrorIs(t, err, domain.ErrNotFound, "no such answer")
	_, err = undo(t, repos, f.user().ID, c.ID, second.ID, at)
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's answer")

	_, err = undo(t, repos, u.ID, c.ID, second.ID, at)
	require.NoError(t, err)
	_, err = undo(t, repos, u.ID, c.ID, second.ID, at)
	require.ErrorIs(t, err, domain.ErrConflict, "undone already")
	p, err := undo(t, repos, u.ID, c.ID, first.ID, at)
	require.NoError(t, err, "with the later answer taken back, the earlier one is the latest")
	assert.True(t, p.IsNew(), "both answers taken back: the card is new again")

	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	_, err = domain.Replay(log)
	require.NoError(t, err)
}

// progressSuspendedLeaveQueues checks that a suspended card, studied or not, is in
// neither Due nor Unstudied, keeps its schedule, and comes back when resumed.
func progressSuspendedLeaveQueues(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 5, day(0))
	studied, err := repos.Progress.Get(t.Context(), u.ID, cards[1].ID)
	require.NoError(t, err)

	for _, c := range []domain.Card{cards[1], cards[3]} {
		p, err := repos.Progress.SetSuspended(t.Context(), u.ID, c.ID, d.ID, true, day(2))
		require.NoError(t, err)
		assert.True(t, p.Suspended)
	}
	suspended, err := repos.Progress.Get(t.Context(), u.ID, cards[1].ID)
	require.NoError(t, err)
	want := readProgress(studied)
	want.Suspended, want.Version, want.UpdatedAt = true, studied.Version+1, atMicro(day(2))
	assert.Equal(t, want, readProgress(suspended), "suspending keeps the schedule")
	listed, err := repos.Decks.ListCards(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	flags := make([]bool, len(listed))
	for i, c := range listed {
		flags[i] = c.Suspended
	}
	assert.Equal(t, []bool{false, true, false, true}, flags, "the deck's cards show the flag")

	due, err := repos.Progress.Due(t.Context(), u.ID, d.ID, dueBefore(day(30)))
	require.NoError(t, err)
	assert.Equal(t, []string{cards[0].ID}, dueIDs(due))
	fresh, err := repos.Progress.Unstudied(t.Context(), u.ID, d.ID, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{cards[2].ID}, fresh)

	_, err = repos.Progress.SetSuspended(t.Context(), u.ID, cards[1].ID, d.ID, false, day(2))
	require.NoError(t, err)
	_, err = repos.Progress.SetSuspended(t.Context(), u.ID, cards[3].ID, d.ID, false, day(2))
	require.NoError(t, err)
	due, err = repos.Progress.Due(t.Context(), u.ID, d.ID, dueBefore(day(30)))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{cards[0].ID, cards[1].ID}, dueIDs(due))
	fresh, err = repos.Progress.Unstudied(t.Context(), u.ID, d.ID, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{cards[2].ID, cards[3].ID}, fresh)

	other := f.deck(u.ID, repoTime)
	_, err = repos.Progress.SetSuspended(t.Context(), u.ID, cards[0].ID, other.ID, true, day(2))
	require.ErrorIs(t, err, domain.ErrNotFound, "a card of another deck")
	_, err = repos.Progress.SetSuspended(t.Context(), f.user().ID, cards[0].ID, d.ID, true, day(2))
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's card")
}

// progressDueOldestFirst checks that Due lists the studied cards due before the bound,
// oldest due first, with what orders them under FSRS.
func progressDueOldestFirst(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	// Grade 5 on a new card is due a day later, grade 5 twice six days after that.
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(2)) // due day 3
	answer(t, repos, u.ID, d.ID, cards[1].ID, 5, day(0)) // due day 1
	answer(t, repos, u.ID, d.ID, cards[2].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[2].ID, 5, day(1)) // due day 7

	due, err := repos.Progress.Due(t.Context(), u.ID, d.ID, dueBefore(domain.LearnerDay{}.Start(day(4))))
	require.NoError(t, err)
	assert.Equal(t, []string{cards[1].ID, cards[0].ID}, dueIDs(due), "oldest due first; not yet due and new cards left out")
	require.Len(t, due, 2)
	assert.Equal(t, domain.LearnerDay{}.DueAt(day(0), 1), due[0].DueAt)
	assert.Equal(t, atMicro(day(0)), due[0].LastReviewedAt)

	none, err := repos.Progress.Due(t.Context(), f.user().ID, d.ID, dueBefore(day(30)))
	require.NoError(t, err)
	assert.Empty(t, none, "another user's progress")
}

// progressUnstudiedInOrder checks that Unstudied lists the cards never studied in the
// order they were added, up to the limit.
func progressUnstudiedInOrder(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 5)
	answer(t, repos, u.ID, d.ID, cards[1].ID, 3, day(0))

	got, err := repos.Progress.Unstudied(t.Context(), u.ID, d.ID, 3)
	require.NoError(t, err)
	assert.Equal(t, []string{cards[0].ID, cards[2].ID, cards[3].ID}, got)
	got, err = repos.Progress.Unstudied(t.Context(), u.ID, d.ID, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// progressRescheduleTogether checks that Reschedule commits the deck's change and every
// progress row fn changed, handing fn each card's log in commit order.
func progressRescheduleTogether(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 3)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[0].ID, 3, day(1))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 4, day(0))

	logs := make(map[string][]domain.Grade)
	deck, rows, err := repos.Progress.Reschedule(t.Context(), u.ID, d.ID,
		func(d *domain.Deck) error {
			d.Options.Scheduler = domain.SchedulerFSRS
			return nil
		},
		func(p *domain.Progress, log []domain.Review) error {
			for _, r := range log {
				logs[p.CardID] = append(logs[p.CardID], r.Grade)
			}
			p.Memory = domain.FSRSMemory{Stability: float64(len(log)), Difficulty: 5}
			return nil
		})
	require.NoError(t, err)
	assert.Equal(t, domain.SchedulerFSRS, deck.Options.Scheduler)
	assert.Equal(t, map[string][]domain.Grade{cards[0].ID: {5, 3}, cards[1].ID: {4}}, logs)
	require.Len(t, rows, 2, "the studied cards")

	stored, err := repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.SchedulerFSRS, stored.Options.Scheduler)
	for _, c := range cards[:2] {
		p, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.FSRSMemory{Stability: float64(len(logs[c.ID])), Difficulty: 5}, p.Memory)
		i := slices.IndexFunc(rows, func(r domain.Progress) bool { return r.CardID == c.ID })
		require.GreaterOrEqual(t, i, 0)
		assert.Equal(t, readProgress(&rows[i]), readProgress(p), "rows are returned as committed")
	}
}

// progressFailedReschedule checks that an error from fn changes neither the deck nor any
// progress row.
func progressFailedReschedule(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 5, day(0))
	before, err := repos.Progress.ListByDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)

	refused := errors.New("refused")
	calls := 0
	_, _, err = repos.Progress.Reschedule(t.Context(), u.ID, d.ID,
		func(d *domain.Deck) error {
			d.Options.Scheduler = domain.SchedulerFSRS
			return nil
		},
		func(p *domain.Progress, _ []domain.Review) error {
			p.Memory.Stability = 42
			calls++
			if calls == 2 {
				return refused
			}
			return nil
		})
	require.ErrorIs(t, err, refused)

	stored, err := repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.SchedulerSM2, stored.Options.Scheduler)
	after, err := repos.Progress.ListByDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	_, _, err = repos.Progress.Reschedule(t.Context(), f.user().ID, d.ID,
		func(*domain.Deck) error { return nil }, func(*domain.Progress, []domain.Review) error { return nil })
	require.ErrorIs(t, err, domain.ErrNotFound, "another user's deck")
}

// dueBefore asks for every card due before before, oldest first.
func dueBefore(before time.Time) domain.DueQuery {
	return domain.DueQuery{Before: before, Now: before, Limit: 1000}
}

// progressDueRecallOrder checks Due's order for an FSRS deck — the cards without a
// memory first, then the lowest probability of recall — and its limit, in both orders.
func progressDueRecallOrder(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	fsrs := domain.DefaultStudyOptions()
	fsrs.Scheduler = domain.SchedulerFSRS
	for _, s := range []struct {
		card    domain.Card
		grade   domain.Grade
		at      time.Time
		options domain.StudyOptions
	}{
		{cards[0], 5, day(0), fsrs},                         // S 8.3, 30 days ago: R ≈ 0.76
		{cards[1], 4, day(10), fsrs},                        // S 2.3, 20 days ago: R ≈ 0.56
		{cards[2], 4, day(1), domain.DefaultStudyOptions()}, // no memory (SM-2): first
		{cards[3], 3, day(20), fsrs},                        // S 1.3, 10 days ago: R ≈ 0.57
	} {
		_, err := repos.Progress.RecordReview(t.Context(), u.ID, s.card.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
			r, err := cur.Apply(domain.Answer{Grade: s.grade, At: s.at, Options: s.options})
			return &r, err
		})
		require.NoError(t, err)
	}
	now := day(30)
	recall := domain.DueQuery{Before: now, Now: now, LeastRetrievableFirst: true, Limit: 10}
	due, err := repos.Progress.Due(t.Context(), u.ID, d.ID, recall)
	require.NoError(t, err)
	want := []string{cards[2].ID, cards[1].ID, cards[3].ID, cards[0].ID}
	require.Equal(t, want, dueIDs(due))
	for i := 2; i < len(due); i++ {
		w := domain.DefaultFSRSWeights
		prev, cur := due[i-1], due[i]
		assert.LessOrEqual(t, w.Retrievability(now.Sub(prev.LastReviewedAt).Hours()/24, prev.Stability),
			w.Retrievability(now.Sub(cur.LastReviewedAt).Hours()/24, cur.Stability), "recall ascends")
	}

	recall.Limit = 2
	due, err = repos.Progress.Due(t.Context(), u.ID, d.ID, recall)
	require.NoError(t, err)
	assert.Equal(t, want[:2], dueIDs(due), "the limit keeps the first in order")
	oldest := dueBefore(now)
	oldest.Limit = 2
	due, err = repos.Progress.Due(t.Context(), u.ID, d.ID, oldest)
	require.NoError(t, err)
	assert.Equal(t, []string{cards[2].ID, cards[0].ID}, dueIDs(due), "oldest due first (days 2 and 8), limited")
	oldest.Limit = 0
	due, err = repos.Progress.Due(t.Context(), u.ID, d.ID, oldest)
	require.NoError(t, err)
	assert.Empty(t, due)
}

// dueIDs lists the card ids of due, in order.
func dueIDs(due []domain.DueCard) []string {
	ids := make([]string, len(due))
	for i, c := range due {
		ids[i] = c.CardID
	}
	return ids
}

// progressCountsByDeck checks that CountsByDeck counts, for each of the user's decks,
// the studied cards due by the day's end, the cards never studied, and the day's graded
// answers: suspended cards in neither queue, answers taken back not counted.
func progressCountsByDeck(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, other, empty := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards, otherCards := f.cards(u.ID, d.ID, 5), f.cards(u.ID, other.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(-5)) // due day -4: due today
	answer(t, repos, u.ID, d.ID, cards[1].ID, 4, day(0))  // new today, due tomorrow
	answer(t, repos, u.ID, d.ID, cards[4].ID, 4, day(-5))
	answer(t, repos, u.ID, d.ID, cards[4].ID, 4, day(0)) // a review today, due later
	_, err := repos.Progress.SetSuspended(t.Context(), u.ID, cards[2].ID, d.ID, true, day(0))
	require.NoError(t, err)
	taken := answer(t, repos, u.ID, other.ID, otherCards[0].ID, 4, day(0))
	_, err = undo(t, repos, u.ID, otherCards[0].ID, taken.ID, day(0))
	require.NoError(t, err)
	stranger, strangerDeck, strangerCard := f.studyCard()
	answer(t, repos, stranger.ID, strangerDeck.ID, strangerCard.ID, 4, day(0))

	today := domain.LearnerDay{}
	counts, err := repos.Progress.CountsByDeck(t.Context(), u.ID, today.Start(day(0)), today.Start(day(1)))
	require.NoError(t, err)
	assert.Equal(t, map[string]domain.DeckCounts{
		d.ID:     {Due: 1, Unstudied: 1, NewToday: 1, ReviewsToday: 1},
		other.ID: {Unstudied: 2},
		empty.ID: {},
	}, counts)
}
