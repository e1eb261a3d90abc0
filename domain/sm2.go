package domain

import "errors"

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

// Schedule returns the SM-2 state after one review of grade q, computed exactly in
// integer hundredths so that no rounding error can shift an interval:
//
//   - q ≥ 3: EF' = EF + 0.1 − (5−q)·(0.08 + (5−q)·0.02), at least 1.3 and without upper
//     bound; n' = n + 1; I' = 1 when n' = 1, 6 when n' = 2, else ⌈I · EF'⌉ (the previous
//     whole-day I, the new EF, rounded up), at most MaxIntervalDays (36,500 days).
//   - q < 3: n' = 0, I' = 1, EF unchanged.
//
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
