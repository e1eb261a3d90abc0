package study

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ListStudySessions is the query for a page of UserID's open study sessions.
type ListStudySessions struct {
	UserID string
	Page   domain.Page
}

// ListStudySessionsHandler lists a user's open study sessions, so an app that restarts
// mid-session can resume it.
type ListStudySessionsHandler struct {
	sessions ports.StudySessionStore
	decks    ports.DeckRepo
}

// NewListStudySessionsHandler builds the handler.
func NewListStudySessionsHandler(sessions ports.StudySessionStore, decks ports.DeckRepo) *ListStudySessionsHandler {
	return &ListStudySessionsHandler{sessions: sessions, decks: decks}
}

// Handle returns a page of the user's open study sessions, the most recently started
// first, each with its next card, and the position of the next page ("" after the last).
func (h *ListStudySessionsHandler) Handle(ctx context.Context, q ListStudySessions) ([]View, string, error) {
	open, err := h.sessions.List(ctx, q.UserID)
	if err != nil {
		return nil, "", fmt.Errorf("list study sessions: %w", err)
	}
	page, next, err := application.PageNewestFirst(open, q.Page, func(s *domain.StudySession) (time.Time, string) { return s.StartedAt, s.ID })
	if err != nil {
		return nil, "", err
	}
	views := make([]View, 0, len(page))
	for _, sess := range page {
		view, err := newView(ctx, h.decks, h.sessions, sess, nil)
		if err != nil {
			return nil, "", fmt.Errorf("list study sessions: %w", err)
		}
		views = append(views, view)
	}
	return views, next, nil
}
