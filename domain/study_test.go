package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

func TestBuildStudyQueue(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	due := func(id string, at time.Time) domain.DueCard {
		return domain.DueCard{CardID: id, DueAt: at, LastReviewedAt: at.AddDate(0, 0, -1)}
	}
	dueCards := []domain.DueCard{
		due("b", now.Add(-time.Hour)),   // due
		due("d", now.AddDate(0, 0, -3)), // due, oldest
		due("f", now.Add(-time.Hour)),   // due, ties with b
	}
	fresh := []string{"a", "c", "e"}
	tests := []struct {
		name                 string
		reviewsLeft, newLeft int
		limit                int
		want                 []string
	}{
		{"due oldest first (ties as listed), then new in the order added", 200, 20, 20, []string{"d", "b", "f", "a", "c", "e"}},
		{"the limit cuts new cards first", 200, 20, 4, []string{"d", "b", "f", "a"}},
		{"the limit cuts due cards too", 200, 20, 2, []string{"d", "b"}},
		{"the day's reviews left bound the due cards", 1, 20, 20, []string{"d", "a", "c", "e"}},
		{"the day's new cards left bound the new ones", 200, 2, 20, []string{"d", "b", "f", "a", "c"}},
		{"limits spent", 0, -3, 20, []string{}},
		{"zero limit queues nothing", 200, 20, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := domain.BuildStudyQueue(domain.QueueRequest{
				Due: dueCards, New: fresh, Now: now, Options: domain.DefaultStudyOptions(),
				ReviewsLeft: tt.reviewsLeft, NewLeft: tt.newLeft, Limit: tt.limit,
			})
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("under FSRS the least remembered come first", func(t *testing.T) {
		t.Parallel()
		o := domain.DefaultStudyOptions()
		o.Scheduler = domain.SchedulerFSRS
		cards := []domain.DueCard{
			{CardID: "well-known", DueAt: now.AddDate(0, 0, -5), LastReviewedAt: now.AddDate(0, 0, -30), Stability: 100},
			{CardID: "shaky", DueAt: now.Add(-time.Hour), LastReviewedAt: now.AddDate(0, 0, -10), Stability: 3},
			{CardID: "shakier", DueAt: now.Add(-time.Hour), LastReviewedAt: now.AddDate(0, 0, -20), Stability: 3},
		}
		got := domain.BuildStudyQueue(domain.QueueRequest{Due: cards, Now: now, Options: o, ReviewsLeft: 10, NewLeft: 10, Limit: 10})
		assert.Equal(t, []string{"shakier", "shaky", "well-known"}, got)
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
				require.NoError(t, s.Record(a.card, "r-"+a.card, a.grade))
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
	require.NoError(t, s.Record("a", "r1", 5))

	for _, card := range []string{"a", "zzz"} {
		_, err := s.Attempt(card)
		requireFieldError(t, err, "cardId")
		requireFieldError(t, s.Record(card, "r2", 4), "cardId")
	}
	assert.Equal(t, []string{"b"}, s.Queue)
	assert.Equal(t, 1, s.Reviewed)

	require.NoError(t, s.Record("b", "r3", 1))
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

func TestStudySession_Undo(t *testing.T) {
	t.Parallel()
	s := domain.NewStudySession("s1", "u1", "d1", time.Unix(0, 0), []string{"a", "b", "c"})
	require.NoError(t, s.Record("a", "r1", 5))
	require.NoError(t, s.Record("b", "r2", 2)) // b goes to the end of the queue
	fresh := *s

	last, err := s.LastAnswer()
	require.NoError(t, err)
	assert.Equal(t, domain.AnswerRecord{CardID: "b", ReviewID: "r2", Grade: 2}, last)
	require.NoError(t, s.Undo(last))
	assert.Equal(t, []string{"b", "c"}, s.Queue, "the card is back at the head, not also at the end")
	assert.Equal(t, map[string]int{"a": 1, "b": 0}, s.Answers)
	assert.Equal(t, 1, s.Reviewed)
	assert.Equal(t, 1, s.Correct)
	assert.Equal(t, 1, s.Undos)
	attempt, err := s.Attempt("b")
	require.NoError(t, err)
	assert.Zero(t, attempt, "answered again, b is no drill")

	require.ErrorIs(t, s.Undo(last), domain.ErrConflict, "r2 is no longer the latest answer")
	last, err = s.LastAnswer()
	require.NoError(t, err)
	require.NoError(t, s.Undo(last))
	assert.Equal(t, []string{"a", "b", "c"}, s.Queue)
	assert.Zero(t, s.Correct)
	_, err = s.LastAnswer()
	require.ErrorIs(t, err, domain.ErrNothingToUndo)
	require.ErrorIs(t, s.Undo(last), domain.ErrNothingToUndo)
	assert.Len(t, fresh.History, 2, "the copy taken before is untouched")
}

// TestStudySession_HistoryKeepsTheLatestUndoableAnswers: a session whose failed cards
// keep coming back has no end of answers, and it is stored whole on every answer, so it
// remembers only the latest domain.UndoableAnswers of them for undo; the counters still
// count every answer.
func TestStudySession_HistoryKeepsTheLatestUndoableAnswers(t *testing.T) {
	t.Parallel()
	s := domain.NewStudySession("s1", "u1", "d1", time.Unix(0, 0), []string{"a", "b"})
	const answers = 3 * domain.UndoableAnswers
	for i := range answers {
		card, _ := s.Next()
		require.NoError(t, s.Record(card, fmt.Sprintf("r%d", i), 1))
	}
	assert.Equal(t, answers, s.Reviewed)
	require.Len(t, s.History, domain.UndoableAnswers, "answers remembered for undo")
	assert.Equal(t, fmt.Sprintf("r%d", answers-domain.UndoableAnswers), s.History[0].ReviewID, "the oldest answers are forgotten")

	for i := answers - 1; i >= answers-domain.UndoableAnswers; i-- {
		last, err := s.LastAnswer()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("r%d", i), last.ReviewID)
		require.NoError(t, s.Undo(last))
	}
	_, err := s.LastAnswer()
	require.ErrorIs(t, err, domain.ErrNothingToUndo, "an answer older than the latest %d is not undone", domain.UndoableAnswers)
	assert.Equal(t, answers-domain.UndoableAnswers, s.Reviewed)
}
