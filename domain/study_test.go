package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

func TestBuildStudyQueue(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	cards := []domain.Card{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}, {ID: "f"}}
	studied := func(id string, due time.Time) domain.Progress {
		return domain.Progress{CardID: id, DueAt: due, LastReviewedAt: due.AddDate(0, 0, -1)}
	}
	progress := []domain.Progress{
		studied("b", now.Add(-time.Hour)),      // due
		studied("d", now.AddDate(0, 0, -3)),    // due, oldest
		studied("e", now.Add(time.Minute)),     // not yet due
		studied("f", now.Add(-time.Hour)),      // due, ties with b
		studied("gone", now.AddDate(0, 0, -9)), // not a card of the deck
	}
	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"due oldest first with ties in deck order, then new in deck order", 20, []string{"d", "b", "f", "a", "c"}},
		{"the limit cuts new cards first", 4, []string{"d", "b", "f", "a"}},
		{"the limit cuts due cards too", 2, []string{"d", "b"}},
		{"zero limit queues nothing", 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, domain.BuildStudyQueue(cards, progress, now, tt.limit))
		})
	}

	t.Run("a card due exactly now is queued", func(t *testing.T) {
		t.Parallel()
		got := domain.BuildStudyQueue(cards[:1], []domain.Progress{studied("a", now)}, now, 5)
		assert.Equal(t, []string{"a"}, got)
	})
}

func TestStudySession_Record(t *testing.T) {
	t.Parallel()
	type answer struct {
		card  string
		grade domain.Grade
	}
	tests := []struct {
		name          string
		answers       []answer
		wantQueue     []string
		wantAnswers   map[string]int
		wantReviewed  int
		wantCorrect   int
		wantNextCard  string
		wantRemaining int
	}{
		{
			name:          "grades 5, 2 and 4 requeue only the failed card",
			answers:       []answer{{"a", 5}, {"b", 2}, {"c", 4}},
			wantQueue:     []string{"b"},
			wantAnswers:   map[string]int{"a": 1, "b": 1, "c": 1},
			wantReviewed:  3,
			wantCorrect:   2,
			wantNextCard:  "b",
			wantRemaining: 1,
		},
		{
			name:          "a drill graded 4 empties the queue",
			answers:       []answer{{"a", 5}, {"b", 2}, {"c", 4}, {"b", 4}},
			wantQueue:     []string{},
			wantAnswers:   map[string]int{"a": 1, "b": 2, "c": 1},
			wantReviewed:  4,
			wantCorrect:   3,
			wantRemaining: 0,
		},
		{
			name:          "grade 3 passes SM-2 but still requeues",
			answers:       []answer{{"b", 3}},
			wantQueue:     []string{"a", "c", "b"},
			wantAnswers:   map[string]int{"b": 1},
			wantReviewed:  1,
			wantNextCard:  "a",
			wantRemaining: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := domain.NewStudySession("s1", "u1", "d1", time.Unix(0, 0), []string{"a", "b", "c"})
			for _, a := range tt.answers {
				require.NoError(t, s.Record(a.card, a.grade))
			}
			assert.Equal(t, tt.wantQueue, s.Queue)
			assert.Equal(t, tt.wantAnswers, s.Answers)
			assert.Equal(t, tt.wantReviewed, s.Reviewed)
			assert.Equal(t, tt.wantCorrect, s.Correct)
			assert.Equal(t, tt.wantRemaining, s.Remaining())
			next, ok := s.Next()
			assert.Equal(t, tt.wantNextCard, next)
			assert.Equal(t, tt.wantNextCard != "", ok)
		})
	}
}

func TestStudySession_AttemptAndRecordRefuseUnqueuedCards(t *testing.T) {
	t.Parallel()
	s := domain.NewStudySession("s1", "u1", "d1", time.Unix(0, 0), []string{"a", "b"})
	require.NoError(t, s.Record("a", 5))

	for _, card := range []string{"a", "zzz"} {
		_, err := s.Attempt(card)
		requireFieldError(t, err, "cardId")
		requireFieldError(t, s.Record(card, 4), "cardId")
	}
	assert.Equal(t, []string{"b"}, s.Queue)
	assert.Equal(t, 1, s.Reviewed)

	require.NoError(t, s.Record("b", 1))
	attempt, err := s.Attempt("b")
	require.NoError(t, err)
	assert.Equal(t, 1, attempt, "a requeued card's next answer is its second")
}

func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, field, verr.Field)
}
