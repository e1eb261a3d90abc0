package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// step is one answer on a card, for building review logs; undo takes back the card's
// latest answer instead, and toggle suspends or resumes the card (unlogged).
type step struct {
	card   string
	a      answer
	undo   bool
	toggle bool
}

// logOf answers the given steps live (graded answers when the card is due, see
// answerAll) and returns the review log and the resulting progress per card.
func logOf(t *testing.T, steps []step, o domain.StudyOptions) ([]domain.Review, map[string]domain.Progress) {
	t.Helper()
	live := map[string]*domain.Progress{}
	answered := map[string][]domain.Review{}
	var log []domain.Review
	at := start
	for i, s := range steps {
		p, ok := live[s.card]
		if !ok {
			np := domain.NewProgress("u1", s.card, "d1")
			p = &np
			live[s.card] = p
		}
		if s.toggle {
			p.Suspended = !p.Suspended
			continue
		}
		at = at.Add(time.Minute)
		if !s.a.drill && !s.undo && p.DueAt.After(at) {
			at = p.DueAt
		}
		var r domain.Review
		var err error
		if s.undo {
			stack := answered[s.card]
			r, err = p.Undo(stack[len(stack)-1], at, domain.LearnerDay{})
			answered[s.card] = stack[:len(stack)-1]
		} else {
			r, err = p.Apply(domain.Answer{Grade: s.a.q, At: at, Drill: s.a.drill, Options: o})
		}
		require.NoError(t, err)
		r.ID = string(rune('a' + i))
		if !s.undo {
			answered[s.card] = append(answered[s.card], r)
		}
		log = append(log, r)
	}
	out := map[string]domain.Progress{}
	for k, p := range live {
		out[k] = *p
	}
	return log, out
}

func TestReplay_RebuildsLiveProgress(t *testing.T) {
	t.Parallel()
	log, want := logOf(t, []step{
		{card: "c1", a: answer{q: 5}},
		{card: "c2", a: answer{q: 2}},
		{card: "c2", a: answer{q: 4, drill: true}},
		{card: "c1", a: answer{q: 5}},
		{card: "c2", a: answer{q: 4}},
		{card: "c1", a: answer{q: 1}},
		{card: "c1", a: answer{q: 3, drill: true}},
		{card: "c1", a: answer{q: 4}},
	}, domain.DefaultStudyOptions())

	got, err := domain.Replay(log)

	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, want["c1"], got[0])
	assert.Equal(t, want["c2"], got[1])
	assert.Equal(t, 1, got[0].Lapses)
}

// TestReplay_HonoursUndo: undo rows take back answers, latest first, and a rebuild gives
// the progress the live answers and undos left.
func TestReplay_HonoursUndo(t *testing.T) {
	t.Parallel()
	log, want := logOf(t, []step{
		{card: "c1", a: answer{q: 5}},
		{card: "c1", a: answer{q: 5}},
		{card: "c1", a: answer{q: 1}},
		{card: "c1", undo: true},
		{card: "c1", undo: true},
		{card: "c1", a: answer{q: 3}},
	}, domain.DefaultStudyOptions())

	got, err := domain.Replay(log)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, want["c1"], got[0])
	assert.Equal(t, 2, got[0].Reviews, "two answers stand: 5, then 3")
	assert.Zero(t, got[0].Lapses, "the lapse was taken back")
}

// TestReplay_IgnoresTheLearnersSuspensions: suspending and resuming a card is not
// logged; answers around it still replay, and an answer while suspended is a repeat.
func TestReplay_IgnoresTheLearnersSuspensions(t *testing.T) {
	t.Parallel()
	log, want := logOf(t, []step{
		{card: "c1", a: answer{q: 5}},
		{card: "c1", toggle: true},
		{card: "c1", a: answer{q: 5}},
		{card: "c1", toggle: true},
		{card: "c1", a: answer{q: 4}},
	}, domain.DefaultStudyOptions())
	assert.Equal(t, domain.ReviewRepeat, log[1].Kind)
	got, err := domain.Replay(log)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, domain.SameCardState(want["c1"].CardState, got[0].CardState))
	assert.Equal(t, 2, got[0].Reviews)
}

func TestReplay_EmptyLog(t *testing.T) {
	t.Parallel()
	got, err := domain.Replay(nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestReplay_RejectsInconsistentLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		corrupt func([]domain.Review)
		wantErr func(error) bool
	}{
		{"after state differs", func(l []domain.Review) { l[1].After.State.IntervalDays = 7 }, isInconsistent},
		{"before state differs", func(l []domain.Review) { l[2].Before.State.EF = 240 }, isInconsistent},
		{"graded answer logged as drill", func(l []domain.Review) { l[1].Kind = domain.ReviewDrill }, isInconsistent},
		{"unknown kind", func(l []domain.Review) { l[2].Kind = "cram" }, isInconsistent},
		{"grade changed", func(l []domain.Review) { l[0].Grade = 3 }, isInconsistent},
		{"grade out of range", func(l []domain.Review) { l[1].Grade = 9 }, isValidation},
		{"an undo of an answer that is not the latest", func(l []domain.Review) { l[3].UndoneID = l[1].ID }, isInconsistent},
		{"an undo restoring another state", func(l []domain.Review) { l[3].After.State.EF = 200 }, isInconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, _ := logOf(t, []step{
				{card: "c1", a: answer{q: 5}}, {card: "c1", a: answer{q: 4}}, {card: "c1", a: answer{q: 4}}, {card: "c1", undo: true},
			}, domain.DefaultStudyOptions())
			tt.corrupt(log)

			got, err := domain.Replay(log)

			require.Error(t, err)
			assert.True(t, tt.wantErr(err), "unexpected error: %v", err)
			assert.Nil(t, got)
		})
	}
}

// TestReplay_LegacyRows: rows logged before whole schedules were (only SM-2's states
// known) replay by the rule of their time, due a whole number of days after the answer.
func TestReplay_LegacyRows(t *testing.T) {
	t.Parallel()
	rows := []domain.Review{
		{ID: "a", UserID: "u1", CardID: "c1", DeckID: "d1", ReviewedAt: start, Grade: 5, Kind: domain.ReviewNew, Legacy: true,
			Before: domain.CardState{State: domain.NewSchedState()}, After: domain.CardState{State: state(1, 260, 1)}},
		{ID: "b", UserID: "u1", CardID: "c1", DeckID: "d1", ReviewedAt: start.AddDate(0, 0, 1), Grade: 2, Kind: domain.ReviewReview, Legacy: true,
			Before: domain.CardState{State: state(1, 260, 1)}, After: domain.CardState{State: state(0, 260, 1)}},
	}
	got, err := domain.Replay(rows)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, state(0, 260, 1), got[0].State)
	assert.Equal(t, 1, got[0].Lapses)
	assert.Equal(t, 2, got[0].Reviews)
	assert.Equal(t, start.AddDate(0, 0, 2), got[0].DueAt)
}

// TestReplayFSRS_MatchesLiveFSRS: replaying a card's history through FSRS (what switching
// a deck to FSRS does) gives the memory FSRS computes live over the same answers; undone
// answers and drills do not count.
func TestReplayFSRS_MatchesLiveFSRS(t *testing.T) {
	t.Parallel()
	steps := []step{
		{card: "c1", a: answer{q: 4}},
		{card: "c1", a: answer{q: 2}},
		{card: "c1", a: answer{q: 5, drill: true}},
		{card: "c1", a: answer{q: 3}},
		{card: "c1", a: answer{q: 0}},
		{card: "c1", undo: true},
		{card: "c1", a: answer{q: 5}},
		{card: "c1", a: answer{q: 4}},
	}
	fsrs := domain.DefaultStudyOptions()
	fsrs.Scheduler = domain.SchedulerFSRS
	_, live := logOf(t, steps, fsrs)
	sm2Log, _ := logOf(t, steps, domain.DefaultStudyOptions())

	answers := domain.EffectiveAnswers(sm2Log)["c1"]
	grades := make([]domain.Grade, len(answers))
	for i, r := range answers {
		grades[i] = r.Grade
	}
	assert.Equal(t, []domain.Grade{4, 2, 3, 5, 4}, grades, "the graded answers that stand")
	// The SM-2 run answered on other days than the FSRS run (other intervals): compare
	// the FSRS run with the replay of its own log.
	fsrsLog, _ := logOf(t, steps, fsrs)
	memory, err := domain.ReplayFSRS(domain.EffectiveAnswers(fsrsLog)["c1"], domain.DefaultFSRSWeights, 0)
	require.NoError(t, err)
	assert.InDelta(t, live["c1"].Memory.Stability, memory.Stability, 1e-9)
	assert.InDelta(t, live["c1"].Memory.Difficulty, memory.Difficulty, 1e-9)
}

func isInconsistent(err error) bool { return errors.Is(err, domain.ErrReviewLogInconsistent) }

func isValidation(err error) bool {
	var verr *domain.ValidationError
	return errors.As(err, &verr) && verr.Field == "grade"
}
