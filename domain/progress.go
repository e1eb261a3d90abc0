package domain

import "time"

// Grade is an SM-2 answer quality, 0 (blackout) to 5 (perfect).
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

// SchedState is the SM-2 state of one card for one user.
type SchedState struct {
	Repetitions  int
	EF           EF
	IntervalDays int
}

// NewSchedState is the state of a card never reviewed.
func NewSchedState() SchedState { return SchedState{EF: InitialEF} }

// Progress is a user's learning state for one card. Version increases with every
// committed change and guards concurrent updates.
type Progress struct {
	UserID         string
	CardID         string
	DeckID         string
	State          SchedState
	DueAt          time.Time
	LastReviewedAt time.Time
	Lapses         int
	Version        int64
}

// NewProgress returns the progress of a card the user has never studied.
func NewProgress(userID, cardID, deckID string) Progress {
	return Progress{UserID: userID, CardID: cardID, DeckID: deckID, State: NewSchedState()}
}

// IsNew reports whether the card has never been reviewed.
func (p *Progress) IsNew() bool { return p.LastReviewedAt.IsZero() }

// ReviewKind classifies a review-log row.
type ReviewKind string

// Review kinds, as SM2.md names them.
const (
	ReviewNew    ReviewKind = "new"
	ReviewReview ReviewKind = "review"
	ReviewDrill  ReviewKind = "drill"
)

// Review is one row of the review log: enough to rebuild progress and to fit another
// scheduler on a user's history.
type Review struct {
	ID             string
	UserID         string
	CardID         string
	DeckID         string
	StudySessionID string
	ReviewedAt     time.Time
	Grade          Grade
	DurationMs     int
	Kind           ReviewKind
	Before         SchedState
	After          SchedState
}
