package domain

import "time"

// Answer is one answer to apply to a card's progress.
type Answer struct {
	Grade Grade
	At    time.Time
	// Drill is set for an answer to a card this study session has already had an
	// answer for (the card failed and came back): it is practice, never a review.
	Drill bool
	// Day is the learner's day: due dates land on its day starts, and "due" means due
	// before the learner's next day starts.
	Day LearnerDay
	// Options are the deck's study options; zero fields take the defaults.
	Options StudyOptions
}

// Apply records a and returns the review-log row that describes it. Which kind of answer
// it is, decided here on the progress as stored (inside the caller's transaction):
//
//   - a drill (a.Drill) changes nothing;
//   - the first answer to a card never reviewed is graded as new;
//   - an answer to a card that is suspended, or not due by the learner's day (due before
//     the start of the learner's next day), is a repeat and changes nothing — so a card
//     is graded once per due period, however many study sessions or devices answer it;
//   - otherwise it is graded as a review.
//
// A graded answer runs SM-2 (always: its state is kept whatever the scheduler) and, on a
// deck that schedules with FSRS, FSRS; the active scheduler's interval, fuzzed when the
// deck fuzzes, sets dueAt to the learner's day start that many days on. A failed grade
// on a learned card is a lapse; at LeechThreshold lapses (and every half threshold
// after) the card becomes a leech, and is suspended when the deck says so.
//
// The row carries the user, card and deck of p and the schedule before and after; the
// caller fills in its ID, study session and duration. An invalid grade yields a
// ValidationError for "grade" and leaves p unchanged.
func (p *Progress) Apply(a Answer) (Review, error) {
	if !a.Grade.Valid() {
		return Review{}, NewValidationError("grade", "must be an integer from 0 to 5")
	}
	a.At = a.At.UTC()
	a.Options = a.Options.orDefault()
	review := Review{
		UserID: p.UserID, CardID: p.CardID, DeckID: p.DeckID,
		ReviewedAt: a.At, UTCOffsetSeconds: a.Day.UTCOffsetSeconds(a.At),
		Grade: a.Grade, Kind: p.kindOf(a), Before: p.CardState,
	}
	if review.Kind.Graded() {
		p.grade(a)
	}
	review.After = p.CardState
	return review, nil
}

// kindOf classifies a on p.
func (p *Progress) kindOf(a Answer) ReviewKind {
	switch {
	case a.Drill:
		return ReviewDrill
	case p.IsNew():
		return ReviewNew
	case p.Suspended || !a.Day.DueToday(p.DueAt, a.At):
		return ReviewRepeat
	default:
		return ReviewReview
	}
}

// grade reschedules p for the graded answer a.
func (p *Progress) grade(a Answer) {
	lapse := a.Grade < PassingGrade && p.State.Repetitions > 0
	elapsed := a.Day.DaysBetween(p.LastReviewedAt, a.At)
	p.State = Schedule(p.State, a.Grade)
	interval := float64(p.State.IntervalDays)
	if a.Options.Scheduler == SchedulerFSRS {
		interval = p.scheduleFSRS(a, elapsed)
	}
	p.Reviews++
	p.IntervalDays = p.interval(interval, a.Options)
	p.DueAt = a.Day.DueAt(a.At, p.IntervalDays)
	p.LastReviewedAt = a.At
	p.UpdatedAt = a.At
	if lapse {
		p.lapse(a.Options)
	}
}

// scheduleFSRS updates p's memory for a and returns FSRS's interval in days. elapsed is
// the number of learner days since the last review (0 for a card never reviewed).
func (p *Progress) scheduleFSRS(a Answer, elapsed int) float64 {
	w := a.Options.FSRSWeights
	rating, _ := FSRSRatingFor(a.Grade) // a.Grade is valid
	if p.IsNew() {
		p.Memory = FSRSMemory{}
	}
	memory, err := w.Review(p.Memory, rating, float64(elapsed))
	if err == nil {
		p.Memory = memory
	}
	return w.IntervalDays(p.Memory.Stability, a.Options.DesiredRetention)
}

// interval rounds (and, when the deck fuzzes, fuzzes) a scheduled interval into whole
// learner days within [1, MaxIntervalDays]. The fuzz is deterministic per card and
// review, so the same history always gives the same due dates.
func (p *Progress) interval(days float64, o StudyOptions) int {
	if o.Fuzz && days >= minFuzzedInterval {
		return FuzzInterval(days, MaxIntervalDays, FuzzSeed(p.CardID, p.Reviews))
	}
	return roundDays(days, 1, MaxIntervalDays)
}

// lapse counts a lapse and applies the leech rule.
func (p *Progress) lapse(o StudyOptions) {
	p.Lapses++
	if p.Lapses < o.LeechThreshold || (p.Lapses-o.LeechThreshold)%max(o.LeechThreshold/2, 1) != 0 {
		return
	}
	p.Leech = true
	if o.LeechAction == LeechSuspend {
		p.Suspended = true
	}
}

// Undo takes back undone, the card's latest answer (the caller checks that it is): p
// returns to the state before it — keeping a suspension the learner set since, unless
// the answer itself suspended the card (a leech) — and the returned row, of kind undo,
// records the change.
// An answer logged without its schedule (from before schedules were logged) cannot be
// taken back exactly: ErrConflict.
func (p *Progress) Undo(undone Review, at time.Time, day LearnerDay) (Review, error) {
	if undone.Legacy {
		return Review{}, ErrConflict
	}
	at = at.UTC()
	restored := undone.Before
	if undone.After.Suspended == undone.Before.Suspended {
		restored.Suspended = p.Suspended // the learner's own flag, set since, stays
	}
	r := Review{
		UserID: p.UserID, CardID: p.CardID, DeckID: p.DeckID,
		ReviewedAt: at, UTCOffsetSeconds: day.UTCOffsetSeconds(at),
		Grade: undone.Grade, Kind: ReviewUndo, Before: p.CardState, After: restored, UndoneID: undone.ID,
	}
	p.CardState = restored
	p.UpdatedAt = at
	return r, nil
}
