package domain

import (
	"errors"
	"fmt"
	"time"
)

// PassingGrade is the lowest grade SM-2 counts as a successful recall; below it the card
// starts its repetitions anew.
const PassingGrade Grade = 3

// MaxIntervalDays caps a scheduled interval at about a century. SM-2 itself has no
// bound; no realistic history comes near this one, but it keeps interval arithmetic and
// due dates far from integer and time.Time overflow whatever state is handed in.
const MaxIntervalDays = 36500

// ErrReviewLogInconsistent reports a review log whose recorded states disagree with what
// the scheduler computes from it, so progress cannot be trusted to rebuild from it.
var ErrReviewLogInconsistent = errors.New("review log inconsistent")

// Schedule returns the SM-2 state after one review of grade q, computed exactly as
// SM2.md fixes it, in integer hundredths so that no rounding error can shift an interval.
// q must be valid (0..5); Progress.Apply checks it before scheduling.
func Schedule(s SchedState, q Grade) SchedState {
	if q < PassingGrade {
		return SchedState{Repetitions: 0, EF: s.EF, IntervalDays: 1}
	}
	miss := EF(5 - q)
	ef := max(s.EF+10-miss*(8+miss*2), MinEF)
	next := SchedState{Repetitions: s.Repetitions + 1, EF: ef}
	switch next.Repetitions {
	case 1:
		next.IntervalDays = 1
	case 2:
		next.IntervalDays = 6
	default:
		next.IntervalDays = scaleInterval(s.IntervalDays, ef)
	}
	return next
}

// scaleInterval returns ⌈days · ef⌉ (ef in hundredths), capped at MaxIntervalDays. The
// cap is tested before multiplying, so the product never overflows.
func scaleInterval(days int, ef EF) int {
	if days > MaxIntervalDays*100/int(ef) {
		return MaxIntervalDays
	}
	return (days*int(ef) + 99) / 100
}

// Apply records an answer of grade q given at time at and returns the review-log row
// that describes it. The row's Kind is ReviewNew for a card never reviewed before,
// ReviewDrill when drill is set (a repeat within the study session that failed the card),
// and ReviewReview otherwise. A graded review reschedules the card: dueAt becomes at plus
// the new interval in days, and a failed grade on a card that had repetitions counts a
// lapse. A drill is logged but changes nothing of the progress. A card never reviewed
// has nothing to drill, so its first answer is always graded as new.
//
// The returned row carries the user, card and deck of p; the caller fills in its ID,
// study session and duration. An invalid grade yields a ValidationError for "grade" and
// leaves p unchanged.
func (p *Progress) Apply(q Grade, at time.Time, drill bool) (Review, error) {
	if !q.Valid() {
		return Review{}, NewValidationError("grade", "must be an integer from 0 to 5")
	}
	at = at.UTC()
	review := Review{
		UserID:     p.UserID,
		CardID:     p.CardID,
		DeckID:     p.DeckID,
		ReviewedAt: at,
		Grade:      q,
		Kind:       p.kindOf(drill),
		Before:     p.State,
		After:      p.State,
	}
	if review.Kind == ReviewDrill {
		return review, nil
	}
	if q < PassingGrade && p.State.Repetitions > 0 {
		p.Lapses++
	}
	p.State = Schedule(p.State, q)
	p.DueAt = at.AddDate(0, 0, p.State.IntervalDays)
	p.LastReviewedAt = at
	review.After = p.State
	return review, nil
}

// kindOf classifies the next answer on p.
func (p *Progress) kindOf(drill bool) ReviewKind {
	switch {
	case p.IsNew():
		return ReviewNew
	case drill:
		return ReviewDrill
	default:
		return ReviewReview
	}
}

// Replay recomputes progress from a review log in commit order, as `progress rebuild`
// needs it. The log may mix users and cards; Replay returns one Progress per (user, card)
// in the order of each card's first review, with Version left zero for the repository to
// assign. Every row is re-applied and its kind and before/after states must match the
// recomputed ones; a row that does not yields an error wrapping
// ErrReviewLogInconsistent, and a row with an invalid grade a ValidationError.
func Replay(reviews []Review) ([]Progress, error) {
	type key struct{ user, card string }
	index := make(map[key]int)
	var out []Progress
	for i, r := range reviews {
		k := key{r.UserID, r.CardID}
		pos, seen := index[k]
		if !seen {
			pos = len(out)
			index[k] = pos
			out = append(out, NewProgress(r.UserID, r.CardID, r.DeckID))
		}
		got, err := out[pos].Apply(r.Grade, r.ReviewedAt, r.Kind == ReviewDrill)
		if err != nil {
			return nil, fmt.Errorf("replay: review %d (%s): %w", i, r.ID, err)
		}
		if got.Kind != r.Kind || got.Before != r.Before || got.After != r.After {
			return nil, fmt.Errorf("replay: review %d (%s) of card %s: logged %s %+v -> %+v, recomputed %s %+v -> %+v: %w",
				i, r.ID, r.CardID, r.Kind, r.Before, r.After, got.Kind, got.Before, got.After, ErrReviewLogInconsistent)
		}
	}
	return out, nil
}
