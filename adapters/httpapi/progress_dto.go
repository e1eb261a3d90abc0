package httpapi

import (
	"time"

	"github.com/studytool/studytool/domain"
)

// progressResponse is the `progress` object of the API: one card's schedule for the
// caller. Every endpoint that answers with progress (card and deck progress, reviews)
// renders it with newProgressResponse.
type progressResponse struct {
	CardID      string `json:"cardId"`
	Repetitions int    `json:"repetitions"`
	// EasinessFactor is exact in hundredths and marshals with at most two decimals.
	EasinessFactor float64 `json:"easinessFactor"`
	// IntervalDays is the interval the last graded answer scheduled, in learner days
	// (the deck's scheduler's, fuzzed when the deck fuzzes).
	IntervalDays int       `json:"intervalDays"`
	DueAt        time.Time `json:"dueAt"`
	// LastReviewedAt is null for a card never graded.
	LastReviewedAt *time.Time `json:"lastReviewedAt"`
	Lapses         int        `json:"lapses"`
	Reviews        int        `json:"reviews"`
	Suspended      bool       `json:"suspended"`
	Leech          bool       `json:"leech"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	// Stability, Difficulty and Retrievability (now) are sent for reviewed cards of a
	// deck that schedules with FSRS.
	Stability      *float64 `json:"stability,omitempty"`
	Difficulty     *float64 `json:"difficulty,omitempty"`
	Retrievability *float64 `json:"retrievability,omitempty"`
}

func newProgressResponse(v *domain.ProgressView) progressResponse {
	p := &v.Progress
	resp := progressResponse{
		CardID:         p.CardID,
		Repetitions:    p.State.Repetitions,
		EasinessFactor: p.State.EF.Float(),
		IntervalDays:   p.IntervalDays,
		DueAt:          p.DueAt.UTC(),
		Lapses:         p.Lapses,
		Reviews:        p.Reviews,
		Suspended:      p.Suspended,
		Leech:          p.Leech,
		UpdatedAt:      p.UpdatedAt.UTC(),
	}
	if !p.LastReviewedAt.IsZero() {
		last := p.LastReviewedAt.UTC()
		resp.LastReviewedAt = &last
	}
	if f := v.FSRS; f != nil {
		resp.Stability, resp.Difficulty, resp.Retrievability = &f.Stability, &f.Difficulty, &f.Retrievability
	}
	return resp
}
