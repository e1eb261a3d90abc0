package study_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// epoch is the present of every test clock in this package.
var epoch = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// card returns card id of deck-1.
func card(id string) domain.Card {
	return domain.Card{ID: id, DeckID: "deck-1", Front: "front of " + id, Back: "back of " + id, CreatedAt: epoch}
}

// session returns user-1's study session s-1 over deck-1, started ten minutes before
// epoch, with queue.
func session(queue ...string) *domain.StudySession {
	return domain.NewStudySession("s-1", "user-1", "deck-1", epoch.Add(-10*time.Minute), queue)
}

// sm2Deck is deck-1 of user-1 with the default options (SM-2).
func sm2Deck() *domain.Deck {
	return &domain.Deck{ID: "deck-1", UserID: "user-1", Name: "Deck", Options: domain.DefaultStudyOptions()}
}

// utcLearner is user-1's profile: a learner day in UTC starting at 04:00, so at epoch
// (09:00) the next learner day starts tomorrow at 04:00.
func utcLearner() *domain.Profile {
	return &domain.Profile{ID: "user-1", TimeZone: "UTC", DayStartHour: 4}
}

// requireValidation asserts that err is a ValidationError for field.
func requireValidation(t *testing.T, err error, field string) {
	t.Helper()
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, field, verr.Field)
}

// validationFields lists the fields of every ValidationError in err's tree (joined
// errors included).
func validationFields(err error) []string {
	switch e := err.(type) { //nolint:errorlint // walks the tree itself, joined errors included
	case interface{ Unwrap() []error }:
		var out []string
		for _, inner := range e.Unwrap() {
			out = append(out, validationFields(inner)...)
		}
		return out
	case *domain.ValidationError:
		return []string{e.Field}
	}
	return nil
}

// applyTo returns a StudySessionStore.Update implementation that runs fn on a copy of
// stored, keeps the result in stored on success, and returns it.
func applyTo(stored *domain.StudySession) func(context.Context, string, string, func(*domain.StudySession) error) (*domain.StudySession, error) {
	return func(_ context.Context, _, _ string, fn func(*domain.StudySession) error) (*domain.StudySession, error) {
		working := *stored
		working.Queue = slices.Clone(stored.Queue)
		working.Answers = maps.Clone(stored.Answers)
		working.History = slices.Clone(stored.History)
		if err := fn(&working); err != nil {
			return nil, err
		}
		*stored = working
		return &working, nil
	}
}
