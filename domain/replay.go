package domain

import (
	"fmt"
	"time"
)

// Replay recomputes progress from a review log in commit order, as `progress verify`
// and `progress rebuild` need it. The log may mix users and cards; Replay returns one
// Progress per (user, card) in the order of each card's first row, with Version left
// zero for the repository to assign.
//
// Every row must continue the card's history: its state before is the state the rows
// before it left; a graded row's SM-2 state after is what SM-2 computes from its grade;
// a drill or repeat changes nothing; an undo takes back the card's latest answer not yet
// undone and restores the state before it. A row that does not yields an error wrapping
// ErrReviewLogInconsistent.
func Replay(reviews []Review) ([]Progress, error) {
	type key struct{ user, card string }
	index := make(map[key]int)
	var out []Progress
	answers := make(map[key][]Review) // per card, the answers not undone, oldest first
	for i, r := range reviews {
		k := key{r.UserID, r.CardID}
		pos, seen := index[k]
		if !seen {
			pos = len(out)
			index[k] = pos
			out = append(out, NewProgress(r.UserID, r.CardID, r.DeckID))
		}
		next, err := replayRow(out[pos].CardState, r, answers[k])
		if err != nil {
			return nil, fmt.Errorf("replay: review %d (%s) of card %s: %w: %w", i, r.ID, r.CardID, err, ErrReviewLogInconsistent)
		}
		if r.Kind == ReviewUndo {
			answers[k] = answers[k][:len(answers[k])-1]
		} else {
			answers[k] = append(answers[k], r)
		}
		out[pos].CardState = next
		out[pos].DeckID = r.DeckID
		if r.Kind.Graded() || r.Kind == ReviewUndo {
			out[pos].UpdatedAt = r.ReviewedAt
		}
	}
	return out, nil
}

// replayRow checks r against the state current and the card's answers not yet undone,
// and returns the state after r.
func replayRow(current CardState, r Review, answers []Review) (CardState, error) {
	if r.Legacy {
		return replayLegacy(current, r)
	}
	if !SameCardState(r.Before, current) {
		return CardState{}, fmt.Errorf("logged before %+v, the log gives %+v", r.Before, current)
	}
	switch {
	case r.Kind == ReviewUndo:
		if len(answers) == 0 || answers[len(answers)-1].ID != r.UndoneID {
			return CardState{}, fmt.Errorf("undoes %s, which is not the card's latest answer", r.UndoneID)
		}
		if undone := answers[len(answers)-1]; !SameCardState(r.After, undone.Before) {
			return CardState{}, fmt.Errorf("undo restores %+v, the undone answer started from %+v", r.After, undone.Before)
		}
	case r.Kind.Graded():
		if !r.Grade.Valid() {
			return CardState{}, NewValidationError("grade", "must be an integer from 0 to 5")
		}
		if want := Schedule(r.Before.State, r.Grade); r.After.State != want {
			return CardState{}, fmt.Errorf("logged SM-2 state %+v, SM-2 computes %+v", r.After.State, want)
		}
		if (r.Kind == ReviewNew) != current.LastReviewedAt.IsZero() {
			return CardState{}, fmt.Errorf("logged as %s", r.Kind)
		}
	case !SameCardState(r.After, r.Before):
		return CardState{}, fmt.Errorf("a %s row changed the schedule", r.Kind)
	}
	return r.After, nil
}

// replayLegacy replays a row written before whole schedules were logged, by the rule of
// that time: a graded row's due date was its time plus the SM-2 interval.
func replayLegacy(current CardState, r Review) (CardState, error) {
	if r.Before.State != current.State {
		return CardState{}, fmt.Errorf("logged SM-2 state before %+v, the log gives %+v", r.Before.State, current.State)
	}
	if !r.Kind.Graded() {
		return current, nil
	}
	next := current
	next.State = Schedule(current.State, r.Grade)
	if next.State != r.After.State {
		return CardState{}, fmt.Errorf("logged SM-2 state %+v, SM-2 computes %+v", r.After.State, next.State)
	}
	if r.Grade < PassingGrade && current.State.Repetitions > 0 {
		next.Lapses++
	}
	next.Reviews++
	next.IntervalDays = next.State.IntervalDays
	next.DueAt = r.ReviewedAt.AddDate(0, 0, next.IntervalDays)
	next.LastReviewedAt = r.ReviewedAt
	return next, nil
}

// SameCardState reports whether a and b are the same schedule (times compared as
// instants). Suspended is left out: the learner suspends and resumes a card whenever
// they like, unlogged, so the log cannot know it (a leech suspended by an answer shows
// in that answer's row).
func SameCardState(a, b CardState) bool {
	return a.State == b.State && a.Memory == b.Memory && a.IntervalDays == b.IntervalDays &&
		a.DueAt.Equal(b.DueAt) && a.LastReviewedAt.Equal(b.LastReviewedAt) &&
		a.Lapses == b.Lapses && a.Reviews == b.Reviews && a.Leech == b.Leech
}

// EffectiveAnswers returns, per card, the graded rows of log that no undo took back, in
// commit order: the history a scheduler is fitted on or replayed through.
func EffectiveAnswers(log []Review) map[string][]Review {
	stacks := make(map[string][]Review)
	for _, r := range log {
		if r.Kind != ReviewUndo {
			stacks[r.CardID] = append(stacks[r.CardID], r)
		} else if s := stacks[r.CardID]; len(s) > 0 && s[len(s)-1].ID == r.UndoneID {
			stacks[r.CardID] = s[:len(s)-1]
		}
	}
	out := make(map[string][]Review, len(stacks))
	for card, rows := range stacks {
		for _, r := range rows {
			if r.Kind.Graded() {
				out[card] = append(out[card], r)
			}
		}
	}
	return out
}

// ReplayFSRS computes a card's FSRS memory from its graded answers (EffectiveAnswers),
// counting the days between them in learner days that start at startHour in the UTC
// offset each answer recorded — what switching a deck to FSRS gives each card.
func ReplayFSRS(answers []Review, w FSRSWeights, startHour int) (FSRSMemory, error) {
	steps := make([]FSRSStep, len(answers))
	for i, r := range answers {
		rating, err := FSRSRatingFor(r.Grade)
		if err != nil {
			return FSRSMemory{}, err
		}
		steps[i].Rating = rating
		if i > 0 {
			steps[i].ElapsedDays = float64(learnerDaysBetween(answers[i-1], r, startHour))
		}
	}
	return w.ReplayMemory(steps)
}

// learnerDaysBetween counts learner days from the day of a to the day of b, each day
// read in the UTC offset its answer recorded.
func learnerDaysBetween(a, b Review, startHour int) int {
	day := func(r Review) time.Time {
		local := r.ReviewedAt.In(time.FixedZone("", r.UTCOffsetSeconds)).Add(-time.Duration(startHour) * time.Hour)
		y, m, d := local.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(b).Sub(day(a)).Hours() / 24)
}
