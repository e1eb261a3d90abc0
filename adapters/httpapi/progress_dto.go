package httpapi

import (
	"time"

	"github.com/studytool/studytool/domain"
)

// progressResponse is the `progress` object of the API: one card's SM-2 state for the
// caller. Every endpoint that answers with progress (card and deck progress, reviews)
// renders it with newProgressResponse.
type progressResponse struct {
	CardID      string `json:"cardId"`
	Repetitions int    `json:"repetitions"`
	// EasinessFactor is exact in hundredths and marshals with at most two decimals.
	EasinessFactor float64   `json:"easinessFactor"`
	IntervalDays   int       `json:"intervalDays"`
	DueAt          time.Time `json:"dueAt"`
	// LastReviewedAt is null for a card never graded.
	LastReviewedAt *time.Time `json:"lastReviewedAt"`
	Lapses         int        `json:"lapses"`
}

func newProgressResponse(p *domain.Progress) progressResponse {
	resp := progressResponse{
		CardID:         p.CardID,
		Repetitions:    p.State.Repetitions,
		EasinessFactor: p.State.EF.Float(),
		IntervalDays:   p.State.IntervalDays,
		DueAt:          p.DueAt.UTC(),
		Lapses:         p.Lapses,
	}
	if !p.LastReviewedAt.IsZero() {
		last := p.LastReviewedAt.UTC()
		resp.LastReviewedAt = &last
	}
	return resp
}
