package domain

import "time"

// Study session limits.
const (
	DefaultStudyCards = 20
	MaxStudyCards     = 200
)

// StudySession is an in-flight study run over one deck. Queue holds the ids of the cards
// still to answer, in order; Failed records cards answered below 4 in this session, whose
// later answers are drills.
type StudySession struct {
	ID        string
	UserID    string
	DeckID    string
	StartedAt time.Time
	Queue     []string
	Failed    map[string]bool
	Reviewed  int
	Correct   int
}

// Remaining is the number of answers the queue still expects.
func (s *StudySession) Remaining() int { return len(s.Queue) }
