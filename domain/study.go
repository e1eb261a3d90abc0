package domain

import (
	"slices"
	"time"
)

// Study session limits and lifetime.
const (
	DefaultStudyCards = 20
	MaxStudyCards     = 200
	// StudySessionTTL is how long a study session outlives its last change: an abandoned
	// session expires on its own, while its reviews stay in the log.
	StudySessionTTL = 24 * time.Hour
)

// CorrectGrade is the lowest grade that lets a card leave the study session's queue;
// below it the card goes back to the end of the queue (rule 8 of SM-2: repeat until it
// scores at least 4).
const CorrectGrade Grade = 4

// StudySession is an in-flight study run over one deck.
type StudySession struct {
	ID        string
	UserID    string
	DeckID    string
	StartedAt time.Time
	// Queue holds the ids of the cards still to answer, in order; a card is queued at
	// most once.
	Queue []string
	// Answers counts the answers given to each card in this session. A card answered
	// before failed (it would not be queued again otherwise), so its next answer is a
	// drill; the count also numbers each answer for idempotent recording.
	Answers map[string]int
	// Reviewed counts the answers given, drills included; Correct those graded at least
	// CorrectGrade.
	Reviewed int
	Correct  int
}

// NewStudySession returns a session of userID over deckID, started at startedAt with the
// cards of queue still to answer.
func NewStudySession(id, userID, deckID string, startedAt time.Time, queue []string) *StudySession {
	return &StudySession{
		ID:        id,
		UserID:    userID,
		DeckID:    deckID,
		StartedAt: startedAt,
		Queue:     queue,
		Answers:   make(map[string]int),
	}
}

// Remaining is the number of answers the queue still expects.
func (s *StudySession) Remaining() int { return len(s.Queue) }

// Next returns the id of the card to answer next, or false when the queue is empty.
func (s *StudySession) Next() (string, bool) {
	if len(s.Queue) == 0 {
		return "", false
	}
	return s.Queue[0], true
}

// Attempt returns how many answers cardID has had in this session, so 0 for its first
// answer and more for a drill. A card not queued yields a ValidationError for "cardId".
func (s *StudySession) Attempt(cardID string) (int, error) {
	if !slices.Contains(s.Queue, cardID) {
		return 0, NewValidationError("cardId", "is not queued in this study session")
	}
	return s.Answers[cardID], nil
}

// Record applies an answer of grade q to cardID: the card leaves the queue, and goes back
// to its end when q is below CorrectGrade; the counters grow. A card not queued yields a
// ValidationError for "cardId" and leaves s unchanged.
func (s *StudySession) Record(cardID string, q Grade) error {
	i := slices.Index(s.Queue, cardID)
	if i < 0 {
		return NewValidationError("cardId", "is not queued in this study session")
	}
	s.Queue = slices.Delete(s.Queue, i, i+1)
	if s.Answers == nil {
		s.Answers = make(map[string]int)
	}
	s.Answers[cardID]++
	s.Reviewed++
	if q >= CorrectGrade {
		s.Correct++
	} else {
		s.Queue = append(s.Queue, cardID)
	}
	return nil
}

// BuildStudyQueue picks the cards of a study session from a deck's cards (in deck order)
// and the user's progress on them: first the cards due at now, oldest due first (ties in
// deck order), then the cards never studied, in deck order; at most limit in all.
// Progress on cards not in cards is ignored.
func BuildStudyQueue(cards []Card, progress []Progress, now time.Time, limit int) []string {
	dueAt := make(map[string]time.Time, len(progress))
	for _, p := range progress {
		dueAt[p.CardID] = p.DueAt
	}
	var due, fresh []string
	for _, c := range cards {
		at, studied := dueAt[c.ID]
		switch {
		case !studied:
			fresh = append(fresh, c.ID)
		case !at.After(now):
			due = append(due, c.ID)
		}
	}
	slices.SortStableFunc(due, func(a, b string) int { return dueAt[a].Compare(dueAt[b]) })
	queue := make([]string, 0, len(due)+len(fresh))
	queue = append(append(queue, due...), fresh...)
	return queue[:min(len(queue), max(limit, 0))]
}
