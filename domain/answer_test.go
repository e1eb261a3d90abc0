package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

func TestApply_Lapses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answers []answer
		want    int
	}{
		{"failing a new card is no lapse", graded(1), 0},
		{"failing after relearning from a failure is no lapse", graded(2, 0), 0},
		{"failing a learned card is a lapse", graded(4, 2), 1},
		{"each forgetting counts once", graded(5, 5, 1, 0, 4, 4, 2), 2},
		{"a failed drill is no lapse", []answer{{q: 4}, {q: 2}, {q: 1, drill: true}, {q: 0, drill: true}}, 1},
		{"passing never counts", graded(3, 4, 5, 3), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := domain.NewProgress("u1", "c1", "d1")
			answerAll(t, &p, tt.answers)
			assert.Equal(t, tt.want, p.Lapses)
		})
	}
}

func TestApply_Kinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answers []answer
		want    []domain.ReviewKind
	}{
		{"first answer is new, later ones reviews", graded(4, 4, 1), []domain.ReviewKind{domain.ReviewNew, domain.ReviewReview, domain.ReviewReview}},
		{"a drill flag is honoured once reviewed", []answer{{q: 2}, {q: 5, drill: true}}, []domain.ReviewKind{domain.ReviewNew, domain.ReviewDrill}},
		{"a new card has nothing to drill", []answer{{q: 5, drill: true}, {q: 5}}, []domain.ReviewKind{domain.ReviewDrill, domain.ReviewNew}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := domain.NewProgress("u1", "c1", "d1")
			var kinds []domain.ReviewKind
			for _, r := range answerAll(t, &p, tt.answers) {
				kinds = append(kinds, r.Kind)
			}
			assert.Equal(t, tt.want, kinds)
		})
	}
}

// TestApply_GradedOncePerDuePeriod: a card is graded when it is due and not again until
// it falls due anew, however many answers it gets; the others are repeats that change
// nothing. This is what keeps two study sessions (or devices) from grading one card
// twice: the first answer moves the due date, the second finds the card not due.
func TestApply_GradedOncePerDuePeriod(t *testing.T) {
	t.Parallel()
	p := domain.NewProgress("u1", "c1", "d1")
	p.State, p.IntervalDays, p.Reviews = domain.SchedState{Repetitions: 2, EF: 250, IntervalDays: 6}, 6, 2
	p.LastReviewedAt, p.DueAt = start.AddDate(0, 0, -6), start

	first, err := p.Apply(domain.Answer{Grade: 5, At: start})
	require.NoError(t, err)
	assert.Equal(t, domain.ReviewReview, first.Kind)
	assert.Equal(t, domain.SchedState{Repetitions: 3, EF: 260, IntervalDays: 16}, p.State, "interval 6 → 16")
	graded := p

	second, err := p.Apply(domain.Answer{Grade: 5, At: start.Add(time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, domain.ReviewRepeat, second.Kind)
	assert.Equal(t, graded, p, "a repeat changes nothing (not 16 → 44, EF 2.70)")
	assert.True(t, domain.SameCardState(second.Before, second.After))

	later, err := p.Apply(domain.Answer{Grade: 4, At: p.DueAt})
	require.NoError(t, err)
	assert.Equal(t, domain.ReviewReview, later.Kind, "due again 16 days on")
}

func TestApply_SuspendedCardIsNeverGraded(t *testing.T) {
	t.Parallel()
	p := domain.NewProgress("u1", "c1", "d1")
	answerAll(t, &p, graded(4))
	p.Suspended = true
	before := p
	r, err := p.Apply(domain.Answer{Grade: 5, At: p.DueAt.AddDate(0, 0, 3)})
	require.NoError(t, err)
	assert.Equal(t, domain.ReviewRepeat, r.Kind)
	assert.Equal(t, before, p)
}

// TestApply_DueByTheLearnersDay: in Tokyo with days starting at 04:00, a new card passed
// at 21:00 is due at 04:00 the next morning (19:00Z), and an answer from then on is a
// review, while one before is a repeat.
func TestApply_DueByTheLearnersDay(t *testing.T) {
	t.Parallel()
	day, err := domain.NewLearnerDay("Asia/Tokyo", 4)
	require.NoError(t, err)
	at := utc(t, "2026-03-10T21:00:00+09:00")
	p := domain.NewProgress("u1", "c1", "d1")
	r, err := p.Apply(domain.Answer{Grade: 4, At: at, Day: day})
	require.NoError(t, err)
	assert.Equal(t, utc(t, "2026-03-10T19:00:00Z"), p.DueAt)
	assert.Equal(t, 9*60*60, r.UTCOffsetSeconds)

	for _, tt := range []struct {
		at   string
		want domain.ReviewKind
	}{
		{"2026-03-11T03:59:59+09:00", domain.ReviewRepeat},
		{"2026-03-11T04:00:00+09:00", domain.ReviewReview},
	} {
		q := p
		r, err := q.Apply(domain.Answer{Grade: 4, At: utc(t, tt.at), Day: day})
		require.NoError(t, err)
		assert.Equal(t, tt.want, r.Kind, tt.at)
	}
}

func TestApply_DrillChangesNothing(t *testing.T) {
	t.Parallel()
	p := domain.NewProgress("u1", "c1", "d1")
	answerAll(t, &p, graded(4, 1))
	before := p
	last := p.LastReviewedAt

	for i, q := range []domain.Grade{0, 3, 5} {
		at := last.Add(time.Duration(i+1) * time.Minute)
		r, err := p.Apply(domain.Answer{Grade: q, At: at, Drill: true})
		require.NoError(t, err)
		assert.Equal(t, domain.ReviewDrill, r.Kind)
		assert.Equal(t, q, r.Grade)
		assert.Equal(t, at, r.ReviewedAt)
		assert.Equal(t, before.CardState, r.Before)
		assert.Equal(t, before.CardState, r.After)
	}
	assert.Equal(t, before, p)
}

func TestApply_ReviewRow(t *testing.T) {
	t.Parallel()
	local := time.FixedZone("UTC+5", 5*60*60)
	at := time.Date(2025, 6, 10, 23, 15, 0, 0, local)
	day := domain.LearnerDay{Location: local, StartHour: 4}
	p := domain.NewProgress("u1", "c1", "d1")
	p.State, p.IntervalDays, p.Reviews = state(2, 250, 6), 6, 2
	p.LastReviewedAt, p.DueAt = at.AddDate(0, 0, -6).UTC(), at.Add(-time.Hour).UTC()
	before := p.CardState

	r, err := p.Apply(domain.Answer{Grade: 5, At: at, Day: day})
	require.NoError(t, err)

	reviewedAt := time.Date(2025, 6, 10, 18, 15, 0, 0, time.UTC)
	after := domain.CardState{
		State: state(3, 260, 16), IntervalDays: 16, Reviews: 3,
		// 16 learner days after June 10 (23:15 is after 04:00), at 04:00 UTC+5.
		DueAt:          time.Date(2025, 6, 25, 23, 0, 0, 0, time.UTC),
		LastReviewedAt: reviewedAt,
	}
	assert.Equal(t, domain.Review{
		UserID: "u1", CardID: "c1", DeckID: "d1",
		ReviewedAt: reviewedAt, UTCOffsetSeconds: 5 * 60 * 60,
		Grade: 5, Kind: domain.ReviewReview, Before: before, After: after,
	}, r)
	assert.Equal(t, after, p.CardState)
	assert.Equal(t, time.UTC, p.DueAt.Location())
}

func TestApply_InvalidGrade(t *testing.T) {
	t.Parallel()
	for _, q := range []domain.Grade{-1, 6, 100} {
		t.Run(fmt.Sprintf("q=%d", q), func(t *testing.T) {
			t.Parallel()
			p := domain.NewProgress("u1", "c1", "d1")
			before := p

			_, err := p.Apply(domain.Answer{Grade: q, At: start})

			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, "grade", verr.Field)
			assert.Equal(t, before, p)
		})
	}
}

// TestApply_LeechRule: the LeechThreshold-th lapse makes a card a leech, and suspends it
// when the deck says so; a leech tagged only stays in rotation and is flagged again every
// half threshold.
func TestApply_LeechRule(t *testing.T) {
	t.Parallel()
	lapses := func(t *testing.T, o domain.StudyOptions, n int) (domain.Progress, []bool) {
		t.Helper()
		p := domain.NewProgress("u1", "c1", "d1")
		at := start
		var leech []bool
		for range n {
			for _, q := range []domain.Grade{4, 1} { // learn it, then forget it: one lapse
				if p.DueAt.After(at) {
					at = p.DueAt
				}
				_, err := p.Apply(domain.Answer{Grade: q, At: at, Options: o})
				require.NoError(t, err)
			}
			leech = append(leech, p.Leech)
		}
		return p, leech
	}

	t.Run("the 8th lapse suspends by default", func(t *testing.T) {
		t.Parallel()
		p, leech := lapses(t, domain.DefaultStudyOptions(), 8)
		assert.Equal(t, 8, p.Lapses)
		assert.Equal(t, []bool{false, false, false, false, false, false, false, true}, leech)
		assert.True(t, p.Suspended)
		r, err := p.Apply(domain.Answer{Grade: 5, At: p.DueAt.AddDate(0, 0, 1)})
		require.NoError(t, err)
		assert.Equal(t, domain.ReviewRepeat, r.Kind, "a suspended leech is graded no more")
	})
	t.Run("tag only marks it", func(t *testing.T) {
		t.Parallel()
		o := domain.DefaultStudyOptions()
		o.LeechThreshold, o.LeechAction = 4, domain.LeechTag
		p, leech := lapses(t, o, 6)
		assert.Equal(t, []bool{false, false, false, true, true, true}, leech)
		assert.False(t, p.Suspended)
	})
}

// TestApply_Fuzz: with the deck's fuzz on, an interval of 2.5 days or more lands within
// Anki's range around it, the same for the same card and review whatever the run, and
// shorter intervals stay exact.
func TestApply_Fuzz(t *testing.T) {
	t.Parallel()
	o := domain.DefaultStudyOptions()
	o.Fuzz = true
	run := func(cardID string) []int {
		p := domain.NewProgress("u1", cardID, "d1")
		var intervals []int
		at := start
		for range 5 {
			if p.DueAt.After(at) {
				at = p.DueAt
			}
			_, err := p.Apply(domain.Answer{Grade: 5, At: at, Options: o})
			require.NoError(t, err)
			intervals = append(intervals, p.IntervalDays)
		}
		return intervals
	}
	// SM-2 without fuzz: 1, 6, 17, 50, 150.
	for _, card := range []string{"c1", "c2", "c3", "c4"} {
		got := run(card)
		assert.Equal(t, got, run(card), "deterministic per card and review")
		assert.Equal(t, 1, got[0], "below 2.5 days: exact")
		assert.InDelta(t, 6, got[1], 2, "6 days fuzzes within [4, 8]")
	}
	fuzzed := 0
	for i := range 20 {
		if run(fmt.Sprintf("card-%d", i))[1] != 6 {
			fuzzed++
		}
	}
	assert.Positive(t, fuzzed, "the fuzz moves some intervals")
}

// TestApply_FSRSDeck: on a deck that schedules with FSRS a new card passed Good gets
// FSRS-6's first memory (S 2.3065, D 2.1181) and FSRS's interval, while SM-2's state is
// kept; a later review on its due day counts the learner days elapsed.
func TestApply_FSRSDeck(t *testing.T) {
	t.Parallel()
	o := domain.DefaultStudyOptions()
	o.Scheduler = domain.SchedulerFSRS
	p := domain.NewProgress("u1", "c1", "d1")
	_, err := p.Apply(domain.Answer{Grade: 4, At: start, Options: o})
	require.NoError(t, err)
	assert.InDelta(t, 2.3065, p.Memory.Stability, 1e-4)
	assert.InDelta(t, 2.1181, p.Memory.Difficulty, 1e-4)
	assert.Equal(t, 2, p.IntervalDays, "stability 2.3065 at 90 % retention: 2 days")
	assert.Equal(t, state(1, 250, 1), p.State)

	at := p.DueAt
	want, err := domain.DefaultFSRSWeights.Review(p.Memory, domain.FSRSGood, 2)
	require.NoError(t, err)
	_, err = p.Apply(domain.Answer{Grade: 4, At: at, Options: o})
	require.NoError(t, err)
	assert.Equal(t, want, p.Memory)
	assert.Equal(t, domain.DefaultFSRSWeights.NextIntervalDays(want.Stability, 0.9, domain.MaxIntervalDays), p.IntervalDays)
}

func TestUndo_RestoresTheStateBefore(t *testing.T) {
	t.Parallel()
	o := domain.DefaultStudyOptions()
	o.Scheduler = domain.SchedulerFSRS
	p := domain.NewProgress("u1", "c1", "d1")
	answerAll(t, &p, graded(5))
	before := p.CardState
	r, err := p.Apply(domain.Answer{Grade: 2, At: p.DueAt, Options: o})
	require.NoError(t, err)
	r.ID = "r2"

	undo, err := p.Undo(r, r.ReviewedAt.Add(time.Minute), domain.LearnerDay{})
	require.NoError(t, err)
	assert.Equal(t, before, p.CardState, "n, EF, I, S, D and the due date as before")
	assert.Equal(t, domain.ReviewUndo, undo.Kind)
	assert.Equal(t, "r2", undo.UndoneID)
	assert.Equal(t, r.After, undo.Before)
	assert.Equal(t, before, undo.After)

	legacy := r
	legacy.Legacy = true
	_, err = p.Undo(legacy, r.ReviewedAt, domain.LearnerDay{})
	require.ErrorIs(t, err, domain.ErrConflict, "an answer logged without its schedule cannot be undone exactly")
}
