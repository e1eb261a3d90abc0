package contract

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// reviewRepoProperties are the behaviours of the ReviewRepo contract, one check each.
var reviewRepoProperties = []property[Repositories]{
	{"ListByUserInCommitOrder", reviewListByUser},
	{"ListEveryoneInCommitOrder", reviewListEveryone},
	{"ListByUserWithoutReviews", reviewListEmpty},
	{"GetIsConfinedToItsUser", reviewGet},
	{"LoggedIDIsConflict", reviewLoggedIDConflicts},
	{"CountGradedCountsTheDaysNewCardsAndReviews", reviewCountGraded},
	{"EachHandsOverTheLogInCommitOrder", reviewEach},
	{"InSessionFindsASessionsRows", reviewInSession},
	{"PageWalksTheLogInCommitOrder", reviewPage},
}

// ReviewRepo checks a ports.ReviewRepo over reviews recorded with the ProgressRepo of
// the same Repositories: rows round-trip and come back in commit order, per user or for
// everyone.
func ReviewRepo(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	runProperties(t, newRepos(t), reviewRepoProperties)
}

// reviewListByUser checks that ListByUser returns the user's reviews in commit order.
func reviewListByUser(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, other := f.user(), f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	otherDeck := f.deck(other.ID, repoTime)
	otherCard := f.cards(other.ID, otherDeck.ID, 1)[0]

	steps := []struct {
		card  domain.Card
		grade domain.Grade
		day   int
		drill bool
	}{
		{cards[1], 5, 0, false},
		{cards[0], 2, 1, false},
		{cards[0], 4, 2, true},
		{cards[1], 3, 3, false},
		{cards[1], 5, 3, false}, // answered again the same day: not due, a repeat
		{cards[0], 5, 4, false},
	}
	var want []domain.Review
	for i, s := range steps {
		at := repoTime.AddDate(0, 0, s.day).Add(time.Duration(i) * time.Second)
		if i == 2 {
			recordGrade(t, repos, other.ID, otherDeck.ID, otherCard.ID, 4, at)
		}
		var recorded domain.Review // fn may run again on a retry: keep its last result
		_, err := repos.Progress.RecordReview(t.Context(), u.ID, s.card.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
			r, err := cur.Apply(domain.Answer{Grade: s.grade, At: at, Drill: s.drill})
			r.StudySessionID, r.DurationMs = "session-"+s.card.ID, 1000+i
			recorded = r
			return &r, err
		})
		require.NoError(t, err)
		want = append(want, recorded)
	}

	got, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		want[i].ID = got[i].ID
		want[i] = readReview(want[i])
		got[i] = readReview(got[i])
	}
	assert.Equal(t, want, got)
	kinds := []domain.ReviewKind{
		domain.ReviewNew, domain.ReviewNew, domain.ReviewDrill, domain.ReviewReview, domain.ReviewRepeat, domain.ReviewReview,
	}
	for i, k := range kinds {
		assert.Equal(t, k, got[i].Kind, "review %d", i)
	}
}

// reviewListEveryone checks that ListByUser with no user returns everyone's reviews in
// commit order.
func reviewListEveryone(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	a, da, ca := f.studyCard()
	b, db, cb := f.studyCard()
	recordGrade(t, repos, a.ID, da.ID, ca.ID, 4, repoTime)
	recordGrade(t, repos, b.ID, db.ID, cb.ID, 4, repoTime)
	recordGrade(t, repos, a.ID, da.ID, ca.ID, 5, repoTime.AddDate(0, 0, 1))

	all, err := repos.Reviews.ListByUser(t.Context(), "")
	require.NoError(t, err)
	var mine []string // the users of our reviews, in the order listed
	for _, r := range all {
		if r.UserID == a.ID || r.UserID == b.ID {
			mine = append(mine, r.UserID)
		}
	}
	assert.Equal(t, []string{a.ID, b.ID, a.ID}, mine)
}

// reviewListEmpty checks that ListByUser of a user without reviews is empty.
func reviewListEmpty(t *testing.T, repos Repositories) {
	got, err := repos.Reviews.ListByUser(t.Context(), newRepoFixture(t, repos).user().ID)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// reviewGet checks that Get returns a review by id to its user only.
func reviewGet(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	id := f.newID()
	recordWithID(t, repos, u.ID, d.ID, c.ID, id, 4, repoTime)

	got, err := repos.Reviews.Get(t.Context(), u.ID, id)
	require.NoError(t, err)
	assert.Equal(t, id, got.ID)
	assert.Equal(t, c.ID, got.CardID)
	assert.Equal(t, domain.Grade(4), got.Grade)
	assert.Equal(t, domain.ReviewNew, got.Kind)

	_, err = repos.Reviews.Get(t.Context(), f.user().ID, id)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Reviews.Get(t.Context(), u.ID, f.newID())
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// reviewLoggedIDConflicts checks that recording under an id already logged is a conflict
// and writes nothing.
func reviewLoggedIDConflicts(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	id := f.newID()
	recordWithID(t, repos, u.ID, d.ID, c.ID, id, 5, repoTime)
	before, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)

	_, err = repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: 5, At: repoTime.AddDate(0, 0, 1)})
		r.ID = id
		return &r, err
	})
	require.ErrorIs(t, err, domain.ErrConflict)

	after, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, readProgress(before), readProgress(after))
	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Len(t, log, 1)
}

// recordWithID records a graded review of cardID under the review id id.
func recordWithID(t *testing.T, repos Repositories, userID, deckID, cardID, id string, g domain.Grade, at time.Time) {
	t.Helper()
	_, err := repos.Progress.RecordReview(t.Context(), userID, cardID, deckID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: g, At: at})
		r.ID = id
		return &r, err
	})
	require.NoError(t, err)
}

// readReview prepares a review for comparison with one read back: its times in UTC at
// the microsecond (see readUser).
func readReview(r domain.Review) domain.Review {
	r.ReviewedAt = atMicro(r.ReviewedAt)
	r.Before, r.After = readCardState(r.Before), readCardState(r.After)
	return r
}

// readCardState prepares a schedule for comparison (see readReview).
func readCardState(c domain.CardState) domain.CardState {
	c.DueAt, c.LastReviewedAt = atMicroOrZero(c.DueAt), atMicroOrZero(c.LastReviewedAt)
	return c
}

// atMicroOrZero is atMicro, keeping the zero time zero.
func atMicroOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return atMicro(t)
}

// reviewCountGraded checks that CountGraded counts the deck's new-card and review answers
// since a time: not drills, repeats or undo rows, nor answers taken back, nor other decks
// or users.
func reviewCountGraded(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, other := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 4)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 5, day(0))
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(1)) // review
	answer(t, repos, u.ID, d.ID, cards[0].ID, 5, day(1)) // repeat
	answer(t, repos, u.ID, d.ID, cards[2].ID, 4, day(1)) // new
	taken := answer(t, repos, u.ID, d.ID, cards[3].ID, 4, day(1))
	_, err := undo(t, repos, u.ID, cards[3].ID, taken.ID, day(1))
	require.NoError(t, err)
	_, err = repos.Progress.RecordReview(t.Context(), u.ID, cards[1].ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: 2, At: day(1), Drill: true})
		return &r, err
	})
	require.NoError(t, err)
	answer(t, repos, u.ID, other.ID, f.cards(u.ID, other.ID, 1)[0].ID, 4, day(1))

	since := domain.LearnerDay{}.Start(day(1))
	newCards, reviews, err := repos.Reviews.CountGraded(t.Context(), u.ID, d.ID, since)
	require.NoError(t, err)
	assert.Equal(t, [2]int{1, 1}, [2]int{newCards, reviews}, "day 1: one new card, one review")
	newCards, reviews, err = repos.Reviews.CountGraded(t.Context(), u.ID, d.ID, domain.LearnerDay{}.Start(day(0)))
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 1}, [2]int{newCards, reviews}, "days 0 and 1")
	newCards, reviews, err = repos.Reviews.CountGraded(t.Context(), f.user().ID, d.ID, since)
	require.NoError(t, err)
	assert.Equal(t, [2]int{0, 0}, [2]int{newCards, reviews}, "another user")
}

// reviewEach checks that Each hands over the user's log in commit order, of one deck
// when asked, and stops at fn's error.
func reviewEach(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, other := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	c, o := f.cards(u.ID, d.ID, 1)[0], f.cards(u.ID, other.ID, 1)[0]
	var ids []string
	for i, s := range []struct {
		deck, card string
	}{{d.ID, c.ID}, {other.ID, o.ID}, {d.ID, c.ID}, {other.ID, o.ID}} {
		ids = append(ids, answer(t, repos, u.ID, s.deck, s.card, 5, day(i)).ID)
	}
	stranger, strangerDeck, strangerCard := f.studyCard()
	answer(t, repos, stranger.ID, strangerDeck.ID, strangerCard.ID, 4, day(0))

	collect := func(deckID string) []string {
		var got []string
		require.NoError(t, repos.Reviews.Each(t.Context(), u.ID, deckID, func(r domain.Review) error {
			got = append(got, r.ID)
			return nil
		}))
		return got
	}
	assert.Equal(t, ids, collect(""))
	assert.Equal(t, []string{ids[0], ids[2]}, collect(d.ID))

	stop := errors.New("stop")
	n := 0
	err := repos.Reviews.Each(t.Context(), u.ID, "", func(domain.Review) error {
		n++
		return stop
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

// reviewInSession checks that InSession returns a study session's rows, answers and
// undos, in commit order, and only its user's.
func reviewInSession(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d := f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 2)
	inSession := func(session string, card domain.Card, g domain.Grade, at time.Time) string {
		var id string
		_, err := repos.Progress.RecordReview(t.Context(), u.ID, card.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
			r, err := cur.Apply(domain.Answer{Grade: g, At: at})
			r.ID, r.StudySessionID = f.newID(), session
			id = r.ID
			return &r, err
		})
		require.NoError(t, err)
		return id
	}
	a := inSession("session-a", cards[0], 5, day(0))
	inSession("session-b", cards[1], 4, day(0))
	b := inSession("session-a", cards[1], 3, day(0).Add(time.Minute))
	_, err := repos.Progress.UndoReview(t.Context(), u.ID, cards[1].ID, b, func(p *domain.Progress, r *domain.Review) (*domain.Review, error) {
		row, err := p.Undo(*r, day(0).Add(2*time.Minute), domain.LearnerDay{})
		row.StudySessionID = "session-a"
		return &row, err
	})
	require.NoError(t, err)

	rows, err := repos.Reviews.InSession(t.Context(), u.ID, "session-a")
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{a, b}, []string{rows[0].ID, rows[1].ID})
	assert.Equal(t, domain.ReviewUndo, rows[2].Kind)
	assert.Equal(t, b, rows[2].UndoneID)

	none, err := repos.Reviews.InSession(t.Context(), f.user().ID, "session-a")
	require.NoError(t, err)
	assert.Empty(t, none, "another user's session of the same id")
	none, err = repos.Reviews.InSession(t.Context(), u.ID, "no-such-session")
	require.NoError(t, err)
	assert.Empty(t, none)
}

// reviewPage checks that Page walks the user's log (or one deck's) in commit order, a
// page at a time, continuing past reviews recorded meanwhile, and rejects a position it
// did not hand out.
func reviewPage(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, other := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards, otherCards := f.cards(u.ID, d.ID, 3), f.cards(u.ID, other.ID, 2)
	answer(t, repos, u.ID, d.ID, cards[0].ID, 4, day(0))
	answer(t, repos, u.ID, other.ID, otherCards[0].ID, 4, day(0))
	answer(t, repos, u.ID, d.ID, cards[1].ID, 4, day(0))
	answer(t, repos, u.ID, d.ID, cards[2].ID, 4, day(0))
	stranger, strangerDeck, strangerCard := f.studyCard()
	answer(t, repos, stranger.ID, strangerDeck.ID, strangerCard.ID, 4, day(0))
	recorded := false

	walk := func(deckID string) []string {
		var ids []string
		after := ""
		for range 100 {
			page, next, err := repos.Reviews.Page(t.Context(), u.ID, deckID, domain.Page{Limit: 2, After: after})
			require.NoError(t, err)
			for _, r := range page {
				ids = append(ids, r.CardID)
				assert.Equal(t, u.ID, r.UserID)
			}
			if next == "" {
				return ids
			}
			if !recorded {
				answer(t, repos, u.ID, other.ID, otherCards[1].ID, 4, day(1))
				recorded = true
			}
			after = next
		}
		t.Fatal("paging does not end")
		return nil
	}
	assert.Equal(t, []string{cards[0].ID, otherCards[0].ID, cards[1].ID, cards[2].ID, otherCards[1].ID}, walk(""))
	assert.Equal(t, []string{cards[0].ID, cards[1].ID, cards[2].ID}, walk(d.ID), "one deck")

	_, _, err := repos.Reviews.Page(t.Context(), u.ID, "", domain.Page{Limit: 2, After: "-"})
	var invalid *domain.ValidationError
	require.ErrorAs(t, err, &invalid)
}
