package contract

import (
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
		drill bool
	}{
		{cards[1], 5, false},
		{cards[0], 2, false},
		{cards[0], 4, true},
		{cards[1], 3, false},
		{cards[0], 5, false},
	}
	var want []domain.Review
	for i, s := range steps {
		at := repoTime.Add(time.Duration(i) * time.Second)
		if i == 2 {
			recordGrade(t, repos, other.ID, otherDeck.ID, otherCard.ID, 4, at)
		}
		var recorded domain.Review // fn may run again on a retry: keep its last result
		_, err := repos.Progress.RecordReview(t.Context(), u.ID, s.card.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
			r, err := cur.Apply(s.grade, at, s.drill)
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
		want[i].ReviewedAt = atMicro(want[i].ReviewedAt)
		got[i] = readReview(got[i])
	}
	assert.Equal(t, want, got)
	kinds := []domain.ReviewKind{domain.ReviewNew, domain.ReviewNew, domain.ReviewDrill, domain.ReviewReview, domain.ReviewReview}
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
		r, err := cur.Apply(5, repoTime.AddDate(0, 0, 1), false)
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
		r, err := cur.Apply(g, at, false)
		r.ID = id
		return &r, err
	})
	require.NoError(t, err)
}

// readReview prepares a review read back for comparison (see readUser).
func readReview(r domain.Review) domain.Review {
	r.ReviewedAt = r.ReviewedAt.Truncate(time.Microsecond)
	return r
}
