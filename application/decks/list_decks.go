package decks

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListDecks is the query for a page of the decks of UserID.
type ListDecks struct {
	UserID string
	Page   domain.Page
}

// ListDecksHandler lists a user's own decks with today's counts.
type ListDecksHandler struct {
	decks ports.DeckRepo
	today today
}

// NewListDecksHandler builds the handler.
func NewListDecksHandler(decks ports.DeckRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo, clock ports.Clock) *ListDecksHandler {
	return &ListDecksHandler{decks: decks, today: today{profiles: profiles, progress: progress, clock: clock}}
}

// Handle returns a page of the user's decks, newest first, each with its card count and
// the reviews and new cards due today, and the position of the next page ("" after the
// last). The whole list comes from the (cached) repository and is paged here: a user's
// decks are few, and paging by (creation time, id) keeps pages stable while decks come
// and go.
func (h *ListDecksHandler) Handle(ctx context.Context, q ListDecks) ([]DeckToday, string, error) {
	all, err := h.decks.ListDecks(ctx, q.UserID)
	if err != nil {
		return nil, "", fmt.Errorf("list decks: %w", err)
	}
	page, next, err := application.PageNewestFirst(all, q.Page, func(d domain.Deck) (time.Time, string) { return d.CreatedAt, d.ID })
	if err != nil {
		return nil, "", err
	}
	out, err := h.today.decks(ctx, q.UserID, page)
	if err != nil {
		return nil, "", fmt.Errorf("list decks: %w", err)
	}
	return out, next, nil
}

// Summary is what a user's learner day holds across their decks.
type Summary struct {
	DueToday int
	NewToday int
	Decks    int
}

// SummaryHandler totals today's counts across a user's decks.
type SummaryHandler struct {
	decks ports.DeckRepo
	today today
}

// NewSummaryHandler builds the handler.
func NewSummaryHandler(decks ports.DeckRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo, clock ports.Clock) *SummaryHandler {
	return &SummaryHandler{decks: decks, today: today{profiles: profiles, progress: progress, clock: clock}}
}

// Handle sums the reviews and new cards due today over the user's decks, each after its
// daily limits.
func (h *SummaryHandler) Handle(ctx context.Context, userID string) (Summary, error) {
	all, err := h.decks.ListDecks(ctx, userID)
	if err != nil {
		return Summary{}, fmt.Errorf("study summary: %w", err)
	}
	counted, err := h.today.decks(ctx, userID, all)
	if err != nil {
		return Summary{}, fmt.Errorf("study summary: %w", err)
	}
	s := Summary{Decks: len(counted)}
	for _, d := range counted {
		s.DueToday += d.DueToday
		s.NewToday += d.NewToday
	}
	return s, nil
}
