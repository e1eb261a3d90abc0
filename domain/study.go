package domain

import (
	"cmp"
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
	// UndoableAnswers is how many of a session's latest answers it remembers, and so how
	// many undo can take back in a row. A session has no end of answers (a failed card
	// comes back until it is passed) and is read and written whole on every answer, so
	// the history it keeps must be bounded; older answers stay in the review log.
	UndoableAnswers = 100
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
	// History lists the session's latest answers (at most UndoableAnswers), oldest
	// first, so they can be undone.
	History []AnswerRecord
	// Undos counts the answers taken back; with the answer number it names an answer
	// (an answer given again after an undo is a new one).
	Undos int
}

// AnswerRecord is one answer a study session recorded.
type AnswerRecord struct {
	CardID   string
	ReviewID string
	Grade    Grade
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

// Record applies the answer reviewID of grade q to cardID: the card leaves the queue, and
// goes back to its end when q is below CorrectGrade; the counters grow and the answer
// joins the history, which forgets its oldest answer beyond UndoableAnswers. A card not
// queued yields a ValidationError for "cardId" and leaves s unchanged.
func (s *StudySession) Record(cardID, reviewID string, q Grade) error {
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
	s.History = append(s.History, AnswerRecord{CardID: cardID, ReviewID: reviewID, Grade: q})
	if over := len(s.History) - UndoableAnswers; over > 0 {
		// Resliced, not shifted in place: a copy of s taken before keeps its history.
		s.History = s.History[over:]
	}
	if q >= CorrectGrade {
		s.Correct++
	} else {
		s.Queue = append(s.Queue, cardID)
	}
	return nil
}

// Drop takes cards out of the queue without an answer: cards suspended since the session
// started (by the learner, or as leeches) are studied no more.
func (s *StudySession) Drop(cardIDs ...string) {
	s.Queue = slices.DeleteFunc(s.Queue, func(id string) bool { return slices.Contains(cardIDs, id) })
}

// LastAnswer returns the session's latest answer, or ErrNothingToUndo.
func (s *StudySession) LastAnswer() (AnswerRecord, error) {
	if len(s.History) == 0 {
		return AnswerRecord{}, ErrNothingToUndo
	}
	return s.History[len(s.History)-1], nil
}

// Undo takes back the latest answer, which must be last (else ErrNothingToUndo, or
// ErrConflict when another answer came after it): its card returns to the head of the
// queue (leaving the end of it, where a failed grade had put it) and the counters shrink.
func (s *StudySession) Undo(last AnswerRecord) error {
	if got, err := s.LastAnswer(); err != nil {
		return err
	} else if got != last {
		return ErrConflict
	}
	s.History = s.History[:len(s.History)-1]
	if last.Grade < CorrectGrade {
		if i := slices.Index(s.Queue, last.CardID); i >= 0 {
			s.Queue = slices.Delete(s.Queue, i, i+1)
		}
	}
	s.Queue = slices.Insert(s.Queue, 0, last.CardID)
	s.Answers[last.CardID]--
	s.Undos++
	s.Reviewed--
	if last.Grade >= CorrectGrade {
		s.Correct--
	}
	return nil
}

// DueCard is a studied card due by a learner day, with what orders the due cards.
type DueCard struct {
	CardID         string
	DueAt          time.Time
	LastReviewedAt time.Time
	Stability      float64
}

// DueQuery asks for the cards due by a learner day, in the order they are studied.
type DueQuery struct {
	// Before is when the learner's next day starts: cards due before it are due today.
	Before time.Time
	// LeastRetrievableFirst orders the cards by FSRS's probability of recall at Now,
	// lowest first (cards without an FSRS memory first); otherwise the most overdue come
	// first. Ties in due order, then by card id.
	LeastRetrievableFirst bool
	Now                   time.Time
	// Limit is the most cards wanted.
	Limit int
}

// NewDueQuery asks for up to limit cards due by the learner day of now, in the order of
// the deck's scheduler (see BuildStudyQueue).
func NewDueQuery(day LearnerDay, now time.Time, o StudyOptions, limit int) DueQuery {
	return DueQuery{
		Before: day.NextStart(now), Now: now, Limit: limit,
		LeastRetrievableFirst: o.orDefault().Scheduler == SchedulerFSRS,
	}
}

// QueueRequest is what BuildStudyQueue chooses from and within.
type QueueRequest struct {
	// Due are the deck's studied cards due by the learner's day (not suspended); New
	// the cards never studied (not suspended), in the order they were added.
	Due []DueCard
	New []string
	Now time.Time
	// Options are the deck's: the scheduler orders the due cards.
	Options StudyOptions
	// ReviewsLeft and NewLeft are what the day's limits still allow; Limit caps the
	// session.
	ReviewsLeft, NewLeft, Limit int
}

// BuildStudyQueue picks the cards of a study session: due reviews first — the most
// overdue first under SM-2, the lowest retrievability first under FSRS (ties in due
// order) — up to ReviewsLeft, then new cards in the order they were added up to NewLeft;
// at most Limit in all.
func BuildStudyQueue(r QueueRequest) []string {
	due := slices.Clone(r.Due)
	if r.Options.orDefault().Scheduler == SchedulerFSRS {
		w := r.Options.orDefault().FSRSWeights
		slices.SortStableFunc(due, func(a, b DueCard) int {
			return cmp.Or(cmp.Compare(retrievability(w, a, r.Now), retrievability(w, b, r.Now)), a.DueAt.Compare(b.DueAt))
		})
	} else {
		slices.SortStableFunc(due, func(a, b DueCard) int { return a.DueAt.Compare(b.DueAt) })
	}
	queue := make([]string, 0, min(r.Limit, len(due)+len(r.New)))
	for _, c := range due[:min(len(due), max(r.ReviewsLeft, 0))] {
		queue = append(queue, c.CardID)
	}
	queue = append(queue, r.New[:min(len(r.New), max(r.NewLeft, 0))]...)
	return queue[:min(len(queue), max(r.Limit, 0))]
}

// retrievability is FSRS's recall probability of c at now; a card without a memory
// (scheduled by SM-2 before the switch) counts as forgotten, so it comes first.
func retrievability(w FSRSWeights, c DueCard, now time.Time) float64 {
	if c.Stability <= 0 {
		return 0
	}
	return w.Retrievability(now.Sub(c.LastReviewedAt).Hours()/24, c.Stability)
}

// DeckCounts is what a learner day holds for one deck, before its daily limits: the
// studied cards due by the day's end (not suspended), the cards never studied (not
// suspended), and the graded answers given since the day started (new cards and
// reviews; answers taken back not counted).
type DeckCounts struct {
	Due, Unstudied         int
	NewToday, ReviewsToday int
}

// Today applies the deck's daily limits: the reviews and the new cards a session may
// still bring today.
func (c DeckCounts) Today(o StudyOptions) (dueToday, newToday int) {
	return min(c.Due, max(o.ReviewsPerDay-c.ReviewsToday, 0)), min(c.Unstudied, max(o.NewCardsPerDay-c.NewToday, 0))
}

// Page asks for a page of a list: at most Limit items after the position After, an
// opaque token a previous page returned ("" for the first page).
type Page struct {
	Limit int
	After string
}
