package domain

import (
	"fmt"
	"math"
)

// FSRSWeights are the 21 parameters w0…w20 of the FSRS-6 memory model (Free Spaced
// Repetition Scheduler, version 6). The defaults fit the average learner; an optimizer
// can fit them to one learner's review log.
type FSRSWeights [21]float64

// DefaultFSRSWeights are the FSRS-6 defaults published with the reference
// implementations (fsrs-rs, used by Anki, and py-fsrs).
var DefaultFSRSWeights = FSRSWeights{
	0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
	1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
}

// fsrsWeightBounds holds, per weight, the closed range the reference optimizers
// (fsrs-rs's parameter clipper, py-fsrs's lower and upper parameter bounds) keep it in
// while fitting. A weight outside its range was not produced by an optimizer and can
// turn a formula degenerate: a zero initial stability, a decay of zero, an easy bonus
// that shrinks stability. fsrs-rs tightens two of these while fitting (the w17 and w18
// ceiling for decks with several relearning steps, the w19 floor when it schedules
// short-term steps itself); validation keeps the generous bounds both references share.
var fsrsWeightBounds = [21][2]float64{
	{0.001, 100}, {0.001, 100}, {0.001, 100}, {0.001, 100}, // w0–w3: first stability per rating, days
	{1, 10},       // w4: first difficulty of Again
	{0.001, 4},    // w5: spread of the first difficulty by rating
	{0.001, 4},    // w6: difficulty step per rating
	{0.001, 0.75}, // w7: mean reversion of difficulty
	{0, 4.5},      // w8: scale of the stability gain on success
	{0, 0.8},      // w9: damping of that gain by stability
	{0.001, 3.5},  // w10: growth of that gain as recall probability falls
	{0.001, 5},    // w11: scale of the stability after a lapse
	{0.001, 0.25}, // w12: effect of difficulty after a lapse
	{0.001, 0.9},  // w13: effect of the old stability after a lapse
	{0, 4},        // w14: effect of recall probability after a lapse
	{0, 1},        // w15: Hard penalty (at most 1: Hard never gains more than Good)
	{1, 6},        // w16: Easy bonus (at least 1: Easy never gains less than Good)
	{0, 2},        // w17: same-day review scale
	{0, 2},        // w18: same-day review offset
	{0, 0.8},      // w19: damping of the same-day change by stability
	{0.1, 0.8},    // w20: decay of the forgetting curve
}

// Validate reports a ValidationError for "fsrsWeights" when a weight is not a finite
// number within the bounds the reference optimizers fit it in, so weights a learner
// brings from an optimizer are accepted and hand-made ones that would break the
// formulas are not.
func (w FSRSWeights) Validate() error {
	for i, v := range w {
		lo, hi := fsrsWeightBounds[i][0], fsrsWeightBounds[i][1]
		if math.IsNaN(v) || v < lo || v > hi {
			return NewValidationError("fsrsWeights", fmt.Sprintf("w%d = %g must be within [%g, %g]", i, v, lo, hi))
		}
	}
	return nil
}

// FSRSRating is FSRS's answer to a review: 1 Again (forgotten), 2 Hard, 3 Good, 4 Easy.
type FSRSRating int

// The four FSRS ratings.
const (
	FSRSAgain FSRSRating = iota + 1
	FSRSHard
	FSRSGood
	FSRSEasy
)

// Valid reports whether r is one of the four ratings.
func (r FSRSRating) Valid() bool { return r >= FSRSAgain && r <= FSRSEasy }

// FSRSRatingFor maps an SM-2 grade to the FSRS rating it stands for: the failing grades
// 0, 1 and 2 are Again, the hesitant 3 is Hard, 4 is Good and the perfect 5 is Easy. An
// invalid grade yields a ValidationError for "grade".
func FSRSRatingFor(q Grade) (FSRSRating, error) {
	switch {
	case !q.Valid():
		return 0, NewValidationError("grade", "must be an integer from 0 to 5")
	case q < PassingGrade:
		return FSRSAgain, nil
	default:
		return FSRSRating(q - 1), nil
	}
}

// Desired retention bounds and default: the recall probability at which FSRS schedules
// the next review. Below 0.70 a learner forgets too much for reviews to help; above 0.99
// intervals shrink so fast that the workload explodes.
const (
	MinDesiredRetention     = 0.70
	MaxDesiredRetention     = 0.99
	DefaultDesiredRetention = 0.90
)

// ValidateDesiredRetention reports a ValidationError for "desiredRetention" unless r is
// within [MinDesiredRetention, MaxDesiredRetention].
func ValidateDesiredRetention(r float64) error {
	if math.IsNaN(r) || r < MinDesiredRetention || r > MaxDesiredRetention {
		return NewValidationError("desiredRetention", fmt.Sprintf("must be within [%g, %g]", MinDesiredRetention, MaxDesiredRetention))
	}
	return nil
}

// Difficulty and stability bounds. Stability is kept within the range fsrs-rs keeps it
// in, so that the recall probability and intervals stay finite whatever the history.
const (
	MinFSRSDifficulty = 1.0
	MaxFSRSDifficulty = 10.0
	minFSRSStability  = 0.001
	maxFSRSStability  = 36500.0
)

// FSRSMemory is FSRS's model of how well a learner knows one card. Stability is the
// number of days after which the probability of recall falls to 90 %; Difficulty (1–10)
// is how hard the card is for this learner. The zero value is a card never reviewed.
type FSRSMemory struct {
	Stability  float64
	Difficulty float64
}

// IsNew reports whether m is the memory of a card never reviewed.
func (m FSRSMemory) IsNew() bool { return m.Stability == 0 }

// decay is the exponent of the power forgetting curve, −w20.
func (w FSRSWeights) decay() float64 { return -w[20] }

// factor scales elapsed time so that the recall probability is exactly 0.9 when the
// elapsed days equal the stability.
func (w FSRSWeights) factor() float64 { return math.Pow(0.9, 1/w.decay()) - 1 }

// Retrievability is the probability of recalling a card of the given stability
// elapsedDays after its last review: (1 + factor·t/S)^decay. It is 1 at t = 0, 0.9 at
// t = S, and falls ever more slowly after.
func (w FSRSWeights) Retrievability(elapsedDays, stability float64) float64 {
	return math.Pow(1+w.factor()*elapsedDays/stability, w.decay())
}

// IntervalDays is the exact (fractional) number of days after which the recall
// probability of a card of the given stability falls to retention: the forgetting curve
// solved for t. Fuzzing starts from this value.
func (w FSRSWeights) IntervalDays(stability, retention float64) float64 {
	return stability / w.factor() * (math.Pow(retention, 1/w.decay()) - 1)
}

// NextIntervalDays is IntervalDays rounded to whole days and kept within
// [1, maxDays]; schedulers pass MaxIntervalDays.
func (w FSRSWeights) NextIntervalDays(stability, retention float64, maxDays int) int {
	return roundDays(w.IntervalDays(stability, retention), 1, maxDays)
}

// roundDays rounds days to the nearest whole day (halves away from zero) within
// [lo, hi], clamping before converting so that no value, NaN included, overflows int.
func roundDays(days float64, lo, hi int) int {
	days = math.Round(days)
	switch {
	case !(days >= float64(lo)): // also catches NaN
		return lo
	case days >= float64(hi):
		return hi
	default:
		return int(days)
	}
}

// InitialMemory is the memory after the first review of a new card rated g: stability
// w[g−1] and the initial difficulty of g, kept within [1, 10]. g must be valid.
func (w FSRSWeights) InitialMemory(g FSRSRating) FSRSMemory {
	return FSRSMemory{
		Stability:  w[g-1],
		Difficulty: clampDifficulty(w.initialDifficulty(g)),
	}
}

// initialDifficulty is w4 − e^(w5·(g−1)) + 1, not clamped: mean reversion pulls towards
// the unclamped value for Easy, which lies below 1 with the default weights.
func (w FSRSWeights) initialDifficulty(g FSRSRating) float64 {
	return w[4] - math.Exp(w[5]*float64(g-1)) + 1
}

// NextDifficulty is the difficulty after a review rated g: it rises after Again and
// Hard and falls after Easy, by steps that shrink as it nears 10, then reverts a little
// (by w7) towards the initial difficulty of an Easy card, and is kept within [1, 10].
// g must be valid.
func (w FSRSWeights) NextDifficulty(d float64, g FSRSRating) float64 {
	stepped := d - w[6]*float64(g-FSRSGood)*(10-d)/9
	return clampDifficulty(w[7]*w.initialDifficulty(FSRSEasy) + (1-w[7])*stepped)
}

// StabilityAfterSuccess is the stability after a review rated Hard, Good or Easy a day
// or more after the last one, where r is the recall probability just before it. The
// gain is larger for easier cards, for less stable ones and for a recall that was less
// likely; Hard scales it by w15 and Easy by w16. g must be Hard, Good or Easy.
func (w FSRSWeights) StabilityAfterSuccess(m FSRSMemory, r float64, g FSRSRating) float64 {
	bonus := 1.0
	switch g {
	case FSRSHard:
		bonus = w[15]
	case FSRSEasy:
		bonus = w[16]
	}
	gain := math.Exp(w[8]) * (11 - m.Difficulty) * math.Pow(m.Stability, -w[9]) * math.Expm1(w[10]*(1-r)) * bonus
	return clampStability(m.Stability * (1 + gain))
}

// StabilityAfterLapse is the stability after a card is forgotten (rated Again) a day or
// more after its last review, where r is the recall probability just before it. It grows
// with the old stability and the surprise of the lapse and shrinks with difficulty, but
// never exceeds S / e^(w17·w18): a same-day Good while relearning multiplies stability by
// about e^(w17·w18), and must not lift the card above where it was before it was forgotten.
func (w FSRSWeights) StabilityAfterLapse(m FSRSMemory, r float64) float64 {
	relearned := w[11] * math.Pow(m.Difficulty, -w[12]) * (math.Pow(m.Stability+1, w[13]) - 1) * math.Exp(w[14]*(1-r))
	return clampStability(min(relearned, m.Stability/math.Exp(w[17]*w[18])))
}

// SameDayStability is the stability after a review rated g less than a day after the
// previous one (a drill in the same session): S · e^(w17·(g − 3 + w18)) · S^(−w19). A
// passing rating never lowers the stability, as fsrs-rs has it. g must be valid.
func (w FSRSWeights) SameDayStability(stability float64, g FSRSRating) float64 {
	multiplier := math.Exp(w[17]*(float64(g-FSRSGood)+w[18])) * math.Pow(stability, -w[19])
	if g >= FSRSHard {
		multiplier = max(multiplier, 1)
	}
	return clampStability(stability * multiplier)
}

// Review returns the memory after one review rated g, elapsedDays after the previous
// review: the initial memory for a new card, otherwise the next difficulty with the
// same-day stability (under a day), the stability after a lapse (Again) or after a
// success. The recall probability in those formulas is computed from the stability
// before the review. elapsedDays may be fractional; Anki counts whole learner days (see
// LearnerDay), and a caller passing those gets its numbers. An invalid rating yields a
// ValidationError for "rating", and a negative or non-finite elapsedDays (checked even
// for a new card) one for "elapsedDays".
func (w FSRSWeights) Review(m FSRSMemory, g FSRSRating, elapsedDays float64) (FSRSMemory, error) {
	if !g.Valid() {
		return FSRSMemory{}, NewValidationError("rating", "must be an integer from 1 to 4")
	}
	if math.IsNaN(elapsedDays) || math.IsInf(elapsedDays, 0) || elapsedDays < 0 {
		return FSRSMemory{}, NewValidationError("elapsedDays", "must be a finite number of days, not negative")
	}
	if m.IsNew() {
		return w.InitialMemory(g), nil
	}
	next := FSRSMemory{Difficulty: w.NextDifficulty(m.Difficulty, g)}
	r := w.Retrievability(elapsedDays, m.Stability)
	switch {
	case elapsedDays < 1:
		next.Stability = w.SameDayStability(m.Stability, g)
	case g == FSRSAgain:
		next.Stability = w.StabilityAfterLapse(m, r)
	default:
		next.Stability = w.StabilityAfterSuccess(m, r, g)
	}
	return next, nil
}

// FSRSStep is one review of a card's history as FSRS sees it: the rating and the days
// elapsed since the card's previous review (0 for its first review, where it does not
// count).
type FSRSStep struct {
	Rating      FSRSRating
	ElapsedDays float64
}

// ReplayMemory computes a card's memory from its whole review history in order, as
// switching a deck from SM-2 to FSRS needs: each step is applied with Review, starting
// from a new card. An empty history leaves the card new. A step Review rejects yields
// its error, wrapped with the step's index.
func (w FSRSWeights) ReplayMemory(steps []FSRSStep) (FSRSMemory, error) {
	var m FSRSMemory
	for i, s := range steps {
		next, err := w.Review(m, s.Rating, s.ElapsedDays)
		if err != nil {
			return FSRSMemory{}, fmt.Errorf("fsrs replay: step %d: %w", i, err)
		}
		m = next
	}
	return m, nil
}

// clampDifficulty keeps d within [MinFSRSDifficulty, MaxFSRSDifficulty].
func clampDifficulty(d float64) float64 {
	return min(max(d, MinFSRSDifficulty), MaxFSRSDifficulty)
}

// clampStability keeps s within the stability bounds.
func clampStability(s float64) float64 {
	return min(max(s, minFSRSStability), maxFSRSStability)
}
