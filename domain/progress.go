package domain

import "time"

// Grade is an SM-2 answer quality, 0 (blackout) to 5 (perfect). FSRS reads it as a
// rating: 0–2 Again, 3 Hard, 4 Good, 5 Easy (see FSRSRatingFor).
type Grade int

// Valid reports whether g is within 0..5.
func (g Grade) Valid() bool { return g >= 0 && g <= 5 }

// EF is an SM-2 easiness factor in integer hundredths (250 = 2.50).
type EF int

// Easiness factor bounds and the starting value of a new card.
const (
	InitialEF EF = 250
	MinEF     EF = 130
)

// Float returns the factor as a number with two decimals (2.5, 1.94).
func (e EF) Float() float64 { return float64(e) / 100 }

// SchedState is the SM-2 state of one card for one user: repetitions, easiness and the
// interval SM-2 computed (before any fuzz).
type SchedState struct {
	Repetitions  int
	EF           EF
	IntervalDays int
}

// NewSchedState is the state of a card never reviewed.
func NewSchedState() SchedState { return SchedState{EF: InitialEF} }

// CardState is the whole scheduling state of one card for one user: what a graded review
// changes, and what an undo restores.
type CardState struct {
	// State is SM-2's own state, kept by every graded review whatever the deck's
	// scheduler, so a deck switched back to SM-2 resumes where SM-2 stood.
	State SchedState
	// Memory is FSRS's state (stability, difficulty), kept while the deck schedules with
	// FSRS and computed from the review log when a deck switches to it.
	Memory FSRSMemory
	// IntervalDays is the interval the last graded review scheduled, in learner days:
	// the active scheduler's, fuzzed when the deck fuzzes.
	IntervalDays   int
	DueAt          time.Time
	LastReviewedAt time.Time
	// Lapses counts failed grades of a card that had been learned; Reviews counts every
	// graded review (it numbers them, for the fuzz).
	Lapses  int
	Reviews int
	// Suspended cards never enter a study session; Leech marks a card that lapsed
	// LeechThreshold times.
	Suspended bool
	Leech     bool
}

// Progress is a user's learning state for one card. Version increases with every
// committed change and guards concurrent updates.
type Progress struct {
	UserID string
	CardID string
	DeckID string
	CardState
	Version int64
	// UpdatedAt is when the row last changed (an answer, an undo, a suspension).
	UpdatedAt time.Time
}

// NewProgress returns the progress of a card the user has never studied.
func NewProgress(userID, cardID, deckID string) Progress {
	return Progress{UserID: userID, CardID: cardID, DeckID: deckID, CardState: CardState{State: NewSchedState()}}
}

// IsNew reports whether the card has never been reviewed.
func (p *Progress) IsNew() bool { return p.LastReviewedAt.IsZero() }

// ReviewKind classifies a review-log row.
type ReviewKind string

// Review kinds. New and review rows are graded: they reschedule the card. A drill (an
// answer after failing the card in the same study session) and a repeat (an answer to a
// card that is not due) are logged and change nothing. An undo row takes back an
// earlier answer.
const (
	ReviewNew    ReviewKind = "new"
	ReviewReview ReviewKind = "review"
	ReviewDrill  ReviewKind = "drill"
	ReviewRepeat ReviewKind = "repeat"
	ReviewUndo   ReviewKind = "undo"
)

// Graded reports whether rows of kind k rescheduled the card.
func (k ReviewKind) Graded() bool { return k == ReviewNew || k == ReviewReview }

// Review is one row of the review log, the data of record: enough to rebuild progress
// (the schedule before and after), to undo an answer, and to fit a scheduler on a
// learner's history (grade, time, the learner's UTC offset, duration).
type Review struct {
	ID             string
	UserID         string
	CardID         string
	DeckID         string
	StudySessionID string
	ReviewedAt     time.Time
	// UTCOffsetSeconds is the learner's offset from UTC when they answered.
	UTCOffsetSeconds int
	Grade            Grade
	DurationMs       int
	Kind             ReviewKind
	Before           CardState
	After            CardState
	// UndoneID is, on an undo row, the id of the answer it takes back.
	UndoneID string
	// Legacy marks a row written before whole schedules were logged: only the SM-2
	// states of Before and After are known (see Replay).
	Legacy bool
}

// ProgressView is a card's progress as the learner sees it at a moment: with FSRS's
// memory and the current probability of recall when the deck schedules with FSRS.
type ProgressView struct {
	Progress
	// FSRS is set for a card of an FSRS deck that has been reviewed.
	FSRS *FSRSView
}

// FSRSView is FSRS's model of a card at a moment.
type FSRSView struct {
	Stability      float64
	Difficulty     float64
	Retrievability float64
}

// ViewProgress returns p as seen at now on a deck with options o.
func ViewProgress(p Progress, o StudyOptions, now time.Time) ProgressView {
	v := ProgressView{Progress: p}
	o = o.orDefault()
	if o.Scheduler != SchedulerFSRS || p.IsNew() || p.Memory.IsNew() {
		return v
	}
	elapsed := max(now.Sub(p.LastReviewedAt).Hours()/24, 0)
	v.FSRS = &FSRSView{
		Stability:      p.Memory.Stability,
		Difficulty:     p.Memory.Difficulty,
		Retrievability: o.FSRSWeights.Retrievability(elapsed, p.Memory.Stability),
	}
	return v
}
