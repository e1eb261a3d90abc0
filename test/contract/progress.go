package contract

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// concurrentReviews is how many reviews of one card ProgressRepo records at once.
const concurrentReviews = 20

// progressRepoProperties are the behaviours of the ProgressRepo contract, one check each.
var progressRepoProperties = []property[Repositories]{
	{"GetOfUnstudiedCardIsNotFound", progressGetUnstudied},
	{"FirstReviewStartsFromNewProgress", progressFirstReview},
	{"ReviewsBumpTheVersion", progressReviewsBumpVersion},
	{"RecordReviewKeepsChosenID", progressKeepsChosenID},
	{"FailedReviewWritesNothing", progressFailedReviewWritesNothing},
	{"ListByDeckIsConfinedToDeck", progressListByDeck},
	{"ConcurrentReviewsSerialize", progressConcurrentReviews},
}

// ProgressRepo checks a ports.ProgressRepo: progress reads, RecordReview committing
// progress and its review together (or neither), version increments, concurrent
// reviews of one card serializing so that the log replays to the stored progress, and
// what the learning engine builds on (undo, suspension, the due and new-card queries,
// rescheduling a deck).
func ProgressRepo(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	runProperties(t, newRepos(t), slices.Concat(progressRepoProperties, scheduleProperties))
}

// progressGetUnstudied checks that Get of a card never studied is ErrNotFound.
func progressGetUnstudied(t *testing.T, repos Repositories) {
	u, _, c := newRepoFixture(t, repos).studyCard()
	got, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.Nil(t, got)
}

// progressFirstReview checks that RecordReview of a new card starts from NewProgress and
// stores both rows.
func progressFirstReview(t *testing.T, repos Repositories) {
	u, d, c := newRepoFixture(t, repos).studyCard()

	var seen domain.Progress
	p, err := repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
		seen = *cur
		r, err := cur.Apply(domain.Answer{Grade: 4, At: repoTime})
		r.StudySessionID, r.DurationMs = "study-1", 2300
		return &r, err
	})
	require.NoError(t, err)
	assert.Equal(t, domain.NewProgress(u.ID, c.ID, d.ID), seen)

	want := domain.Progress{
		UserID: u.ID, CardID: c.ID, DeckID: d.ID,
		CardState: domain.CardState{
			State:          domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1},
			IntervalDays:   1,
			DueAt:          domain.LearnerDay{}.DueAt(repoTime, 1), // the next UTC midnight
			LastReviewedAt: atMicro(repoTime),
			Reviews:        1,
		},
		Version:   1,
		UpdatedAt: atMicro(repoTime),
	}
	assert.Equal(t, want, readProgress(p))
	got, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, want, readProgress(got))

	reviews, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, reviews, 1)
	assert.NotEmpty(t, reviews[0].ID, "review id not filled in")
	assert.Equal(t, domain.Review{
		ID: reviews[0].ID, UserID: u.ID, CardID: c.ID, DeckID: d.ID,
		StudySessionID: "study-1", ReviewedAt: atMicro(repoTime), Grade: 4, DurationMs: 2300,
		Kind: domain.ReviewNew, Before: domain.CardState{State: domain.NewSchedState()}, After: want.CardState,
	}, readReview(reviews[0]))
}

// progressReviewsBumpVersion checks that RecordReview hands fn the committed progress and
// bumps the version.
func progressReviewsBumpVersion(t *testing.T, repos Repositories) {
	u, d, c := newRepoFixture(t, repos).studyCard()

	// SM-2 vector V2: grades 5, 5, 5 give n = 3, EF = 2.80, I = 17 (a week apart, each
	// answer finds the card due).
	for i, version := range []int64{1, 2, 3} {
		at := repoTime.AddDate(0, 0, i*7)
		p, err := repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
			assert.Equal(t, version-1, cur.Version)
			r, err := cur.Apply(domain.Answer{Grade: 5, At: at})
			return &r, err
		})
		require.NoError(t, err)
		assert.Equal(t, version, p.Version)
	}
	got, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.SchedState{Repetitions: 3, EF: 280, IntervalDays: 17}, got.State)
	assert.Equal(t, int64(3), got.Version)
	assert.Equal(t, domain.LearnerDay{}.DueAt(repoTime.AddDate(0, 0, 14), 17), got.DueAt)
}

// progressKeepsChosenID checks that RecordReview keeps an id fn chose.
func progressKeepsChosenID(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	id := f.newID()
	_, err := repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: 3, At: repoTime})
		r.ID = id
		return &r, err
	})
	require.NoError(t, err)
	reviews, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, reviews, 1)
	assert.Equal(t, id, reviews[0].ID)
}

// progressFailedReviewWritesNothing checks that an error from fn writes nothing.
func progressFailedReviewWritesNothing(t *testing.T, repos Repositories) {
	errRefused := errors.New("refused")
	refuse := func(cur *domain.Progress) (*domain.Review, error) {
		_, _ = cur.Apply(domain.Answer{Grade: 0, At: repoTime.Add(time.Hour)}) // changes cur, then fails
		return nil, errRefused
	}
	tests := []struct {
		name        string
		priorGrades []domain.Grade
	}{
		{"on a new card", nil},
		{"on a studied card", []domain.Grade{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, d, c := newRepoFixture(t, repos).studyCard()
			for _, g := range tt.priorGrades {
				recordGrade(t, repos, u.ID, d.ID, c.ID, g, repoTime)
			}
			before, beforeErr := repos.Progress.Get(t.Context(), u.ID, c.ID)

			_, err := repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, refuse)
			require.ErrorIs(t, err, errRefused)

			after, afterErr := repos.Progress.Get(t.Context(), u.ID, c.ID)
			assert.Equal(t, before, after)
			assert.Equal(t, beforeErr == nil, afterErr == nil, "before: %v, after: %v", beforeErr, afterErr)
			reviews, err := repos.Reviews.ListByUser(t.Context(), u.ID)
			require.NoError(t, err)
			assert.Len(t, reviews, len(tt.priorGrades))
		})
	}
}

// progressListByDeck checks that ListByDeck returns the user's progress on the deck's
// cards only.
func progressListByDeck(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	d, other := f.deck(u.ID, repoTime), f.deck(u.ID, repoTime)
	cards := f.cards(u.ID, d.ID, 3)
	foreign := f.cards(u.ID, other.ID, 1)[0]
	for _, c := range []domain.Card{cards[0], cards[2]} {
		recordGrade(t, repos, u.ID, d.ID, c.ID, 4, repoTime)
	}
	recordGrade(t, repos, u.ID, other.ID, foreign.ID, 4, repoTime)

	got, err := repos.Progress.ListByDeck(t.Context(), u.ID, d.ID)
	require.NoError(t, err)
	ids := make([]string, len(got))
	for i, p := range got {
		ids[i] = p.CardID
		assert.Equal(t, u.ID, p.UserID)
		assert.Equal(t, d.ID, p.DeckID)
		assert.Equal(t, int64(1), p.Version)
	}
	assert.ElementsMatch(t, []string{cards[0].ID, cards[2].ID}, ids)

	none, err := repos.Progress.ListByDeck(t.Context(), f.user().ID, d.ID)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// progressConcurrentReviews checks that concurrent reviews of one card serialize and
// replay to the stored progress.
func progressConcurrentReviews(t *testing.T, repos Repositories) {
	u, d, c := newRepoFixture(t, repos).studyCard()
	grades := []domain.Grade{5, 4, 3, 2, 5, 1, 4, 5, 3, 0}

	var wg sync.WaitGroup
	errs := make([]error, concurrentReviews)
	versions := make([]int64, concurrentReviews)
	for i := range concurrentReviews {
		wg.Go(func() {
			at := repoTime.Add(time.Duration(i) * time.Minute)
			p, err := repos.Progress.RecordReview(t.Context(), u.ID, c.ID, d.ID, func(cur *domain.Progress) (*domain.Review, error) {
				r, err := cur.Apply(domain.Answer{Grade: grades[i%len(grades)], At: at})
				return &r, err
			})
			errs[i] = err
			if err == nil {
				versions[i] = p.Version
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "review %d", i)
	}
	assert.ElementsMatch(t, versionsUpTo(concurrentReviews), versions, "each commit must get its own version")

	reviews, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	require.Len(t, reviews, concurrentReviews)
	replayed, err := domain.Replay(reviews)
	require.NoError(t, err, "each review must start from the state its predecessor committed")
	require.Len(t, replayed, 1)
	want := readProgress(&replayed[0])
	want.Version = concurrentReviews
	graded := 0
	for _, r := range reviews {
		if r.Kind.Graded() {
			graded++
		}
	}
	assert.Equal(t, 1, graded, "the first answer committed grades the new card; the rest find it not due")

	got, err := repos.Progress.Get(t.Context(), u.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, want, readProgress(got))
}

// recordGrade records one non-drill review of grade g at at.
func recordGrade(t *testing.T, repos Repositories, userID, deckID, cardID string, g domain.Grade, at time.Time) {
	t.Helper()
	_, err := repos.Progress.RecordReview(t.Context(), userID, cardID, deckID, func(cur *domain.Progress) (*domain.Review, error) {
		r, err := cur.Apply(domain.Answer{Grade: g, At: at})
		return &r, err
	})
	require.NoError(t, err)
}

// readProgress prepares progress for comparison with progress read back (see
// readReview).
func readProgress(p *domain.Progress) domain.Progress {
	s := *p
	s.CardState = readCardState(p.CardState)
	s.UpdatedAt = atMicroOrZero(p.UpdatedAt)
	return s
}

// versionsUpTo returns the versions 1..n.
func versionsUpTo(n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = int64(i + 1)
	}
	return s
}
