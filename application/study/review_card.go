package study

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// MaxDurationMs bounds the answer time a client may report: one day, in milliseconds.
const MaxDurationMs = 24 * 60 * 60 * 1000

// ReviewCard is the command to answer CardID in UserID's study session SessionID with
// SM-2 quality Grade. DurationMs, how long the answer took, is optional (0 = not sent).
type ReviewCard struct {
	UserID     string
	SessionID  string
	CardID     string
	Grade      domain.Grade
	DurationMs int
}

// ReviewResult is the outcome of an answer: the card's progress as committed and the
// study session after it.
type ReviewResult struct {
	Progress *domain.ProgressView
	View
}

// ReviewCardHandler records answers.
type ReviewCardHandler struct {
	sessions ports.StudySessionStore
	learner  learner
	progress ports.ProgressRepo
	reviews  ports.ReviewRepo
	clock    ports.Clock
	logger   *slog.Logger
}

// ReviewCardDeps are the ports ReviewCardHandler works with.
type ReviewCardDeps struct {
	Sessions ports.StudySessionStore
	Decks    ports.DeckRepo
	Profiles ports.ProfileRepo
	Progress ports.ProgressRepo
	Reviews  ports.ReviewRepo
	Clock    ports.Clock
}

// NewReviewCardHandler builds the handler; logger receives the failures an answer
// survives (the next card could not be read after the review was recorded).
func NewReviewCardHandler(deps ReviewCardDeps, logger *slog.Logger) *ReviewCardHandler {
	return &ReviewCardHandler{
		sessions: deps.Sessions, learner: learner{decks: deps.Decks, profiles: deps.Profiles},
		progress: deps.Progress, reviews: deps.Reviews, clock: deps.Clock, logger: logger,
	}
}

// Handle records the answer and moves the session on, in this order:
//
//  1. The review is scheduled (SM-2; an answer to a card already answered in this
//     session is a drill, which is logged but changes no progress) and committed with
//     the progress in one database transaction. From here on the answer is durable (the
//     progress repository refreshes the progress copy right after the commit).
//  2. The study session pops the card, requeues it at the end when the grade is below
//     domain.CorrectGrade, and counts the answer, atomically. A card suspended meanwhile
//     (this answer made it a leech, or the learner suspended an upcoming card) leaves
//     the queue.
//
// When step 2 fails (the session store is down: 503) the review stays committed, and
// the client retries the same answer. Every answer is recorded under an id derived from
// (user, session, card, answer number), and the session, which did not move on, yields
// the same number again: the retry finds its review in the log, logs nothing new, and
// completes step 2 with the recorded grade. Two devices sending the same answer at once
// are resolved the same way; the first grade committed wins. An answer retried after a
// 200 whose response was lost is a new answer (a drill when the card was requeued).
//
// When the session is gone — finished, expired, or lost with the state Redis after the
// answer was committed but before the client heard — an answer to a card the log
// records in that session is such a retry too: it answers 200 with the card's progress
// and the session as the log tells it (nothing left to answer).
//
// An invalid grade or duration is a ValidationError for "grade" or "durationMs", a card
// not queued in the session one for "cardId"; an unknown or other user's session is
// domain.ErrNotFound.
func (h *ReviewCardHandler) Handle(ctx context.Context, cmd ReviewCard) (*ReviewResult, error) {
	if err := cmd.validate(); err != nil {
		return nil, err
	}
	sess, err := h.sessions.Get(ctx, cmd.UserID, cmd.SessionID)
	if errors.Is(err, domain.ErrNotFound) {
		// The session is gone (finished, expired, or lost with the state Redis): an
		// answer already recorded in it is a retry, answered with what was recorded.
		if res, recorded, lookupErr := h.recorded(ctx, cmd); lookupErr != nil || recorded {
			return res, lookupErr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("review card: %w", err)
	}
	attempt, err := sess.Attempt(cmd.CardID)
	if err != nil {
		return nil, err
	}
	// The cards the session may show next, read before anything is written so that no
	// failure after the commit can stem from reading them.
	cards, err := h.learner.decks.GetCards(ctx, cmd.UserID, sess.DeckID, upcoming(sess, cmd.CardID))
	if err != nil {
		return nil, fmt.Errorf("review card: %w", err)
	}
	reviewID := answerID(cmd.UserID, sess.ID, cmd.CardID, attempt, sess.Undos)
	progress, grade, err := h.record(ctx, sess, cmd, reviewID, attempt)
	if err != nil {
		return nil, fmt.Errorf("review card: %w", err)
	}
	// From here on the answer is durable: whatever happens to the study session, the
	// caller must learn that it counted.
	before := *sess
	suspended := suspendedAmong(cards, progress)
	sess, err = h.sessions.Update(ctx, cmd.UserID, sess.ID, func(s *domain.StudySession) error {
		if s.Answers[cmd.CardID] != attempt {
			return nil // this answer already moved the session on
		}
		if err := s.Record(cmd.CardID, reviewID, grade); err != nil {
			return err
		}
		s.Drop(suspended...)
		return nil
	})
	switch {
	case errors.Is(err, domain.ErrNotFound):
		// Finished (or expired) by another device meanwhile: the review stands, the
		// session has nothing more to show.
		before.Queue = nil
		return &ReviewResult{Progress: progress, View: View{Session: &before}}, nil
	case err != nil:
		return nil, fmt.Errorf("review card: review recorded, study session not advanced: %w", err)
	}
	view, err := newView(ctx, h.learner.decks, h.sessions, sess, cards)
	if err != nil {
		// The next card could not be read; the answer itself is recorded and applied.
		h.logger.WarnContext(ctx, "review recorded; next card unavailable", slog.String("session", sess.ID), slog.Any("error", err))
		view = View{Session: sess}
	}
	return &ReviewResult{Progress: progress, View: view}, nil
}

// recorded finds, in the review log, the latest answer to cmd.CardID that stands in the
// study session cmd.SessionID, whose session is gone. It returns the card's progress as
// it is now and a summary of the session rebuilt from the log (its answers standing,
// nothing left to answer); recorded is false when the log has no such answer.
func (h *ReviewCardHandler) recorded(ctx context.Context, cmd ReviewCard) (res *ReviewResult, recorded bool, err error) {
	rows, err := h.reviews.InSession(ctx, cmd.UserID, cmd.SessionID)
	if err != nil {
		return nil, false, fmt.Errorf("review card: %w", err)
	}
	standing := standingAnswers(rows)
	if !slices.ContainsFunc(standing, func(r domain.Review) bool { return r.CardID == cmd.CardID }) {
		return nil, false, nil
	}
	first := standing[0]
	deck, err := h.learner.decks.GetDeck(ctx, cmd.UserID, first.DeckID)
	if err != nil {
		return nil, false, fmt.Errorf("review card: %w", err)
	}
	progress, err := h.progress.Get(ctx, cmd.UserID, cmd.CardID)
	if err != nil {
		return nil, false, fmt.Errorf("review card: %w", err)
	}
	view := domain.ViewProgress(*progress, deck.Options, h.clock.Now())
	sess := domain.NewStudySession(cmd.SessionID, cmd.UserID, first.DeckID, first.ReviewedAt, []string{})
	for _, r := range standing {
		sess.Reviewed++
		if r.Grade >= domain.CorrectGrade {
			sess.Correct++
		}
	}
	return &ReviewResult{Progress: &view, View: View{Session: sess}}, true, nil
}

// standingAnswers returns the answers of a session's log rows that no undo took back.
func standingAnswers(rows []domain.Review) []domain.Review {
	var out []domain.Review
	for _, r := range rows {
		if r.Kind != domain.ReviewUndo {
			out = append(out, r)
			continue
		}
		if i := slices.IndexFunc(out, func(a domain.Review) bool { return a.ID == r.UndoneID }); i >= 0 {
			out = slices.Delete(out, i, i+1)
		}
	}
	return out
}

// validate names every bad field of the command at once.
func (cmd ReviewCard) validate() error {
	var errs []error
	if !cmd.Grade.Valid() {
		errs = append(errs, domain.NewValidationError("grade", "must be an integer from 0 to 5"))
	}
	if cmd.DurationMs < 0 || cmd.DurationMs > MaxDurationMs {
		errs = append(errs, domain.NewValidationError("durationMs", fmt.Sprintf("must be an integer from 0 to %d", MaxDurationMs)))
	}
	return errors.Join(errs...)
}

// record commits the answer and returns the progress and the grade on record. When the
// answer's id is already in the log, the review was committed by an earlier try of this
// answer: nothing is written, and the current progress and the recorded grade are
// returned.
func (h *ReviewCardHandler) record(ctx context.Context, sess *domain.StudySession, cmd ReviewCard, id string, attempt int) (*domain.ProgressView, domain.Grade, error) {
	day, deck, err := h.learner.context(ctx, cmd.UserID, sess.DeckID)
	if err != nil {
		return nil, 0, err
	}
	now := h.clock.Now()
	answer := domain.Answer{Grade: cmd.Grade, At: now, Drill: attempt > 0, Day: day, Options: deck.Options}
	progress, err := h.progress.RecordReview(ctx, cmd.UserID, cmd.CardID, sess.DeckID,
		func(p *domain.Progress) (*domain.Review, error) {
			r, err := p.Apply(answer)
			if err != nil {
				return nil, err
			}
			r.ID, r.StudySessionID, r.DurationMs = id, sess.ID, cmd.DurationMs
			return &r, nil
		})
	view := func(p *domain.Progress) *domain.ProgressView {
		v := domain.ViewProgress(*p, deck.Options, now)
		return &v
	}
	switch {
	case err == nil:
		return view(progress), cmd.Grade, nil
	case !errors.Is(err, domain.ErrConflict):
		return nil, 0, err
	}
	prior, lookupErr := h.reviews.Get(ctx, cmd.UserID, id)
	switch {
	case errors.Is(lookupErr, domain.ErrNotFound):
		return nil, 0, err // a conflict of another kind
	case lookupErr != nil:
		return nil, 0, errors.Join(err, lookupErr)
	}
	progress, err = h.progress.Get(ctx, cmd.UserID, cmd.CardID)
	if err != nil {
		return nil, 0, err
	}
	return view(progress), prior.Grade, nil
}

// suspendedAmong lists the cards the session must drop: the answered card when the
// answer suspended it (a leech), and the upcoming cards suspended meanwhile.
func suspendedAmong(upcoming []domain.Card, answered *domain.ProgressView) []string {
	var out []string
	for _, c := range upcoming {
		if c.Suspended && c.ID != answered.CardID {
			out = append(out, c.ID)
		}
	}
	if answered.Suspended {
		out = append(out, answered.CardID)
	}
	return out
}

// upcoming lists the cards that can head sess's queue once cardID is answered: the
// first two queued (one of them may be cardID) and cardID itself (requeued alone).
func upcoming(sess *domain.StudySession, cardID string) []string {
	ids := slices.Clone(sess.Queue[:min(2, len(sess.Queue))])
	if !slices.Contains(ids, cardID) {
		ids = append(ids, cardID)
	}
	return ids
}

// answerID names the attempt-th answer (from 0) to cardID in study session sessionID of
// userID after undos undos, so a retried answer carries the id its first try was
// recorded under, and an answer given again after an undo gets a new one.
func answerID(userID, sessionID, cardID string, attempt, undos int) string {
	return derivedID("studytool/review/v1", userID, sessionID, cardID, strconv.Itoa(attempt), strconv.Itoa(undos))
}

// derivedID returns a UUIDv8 (RFC 9562) made of the SHA-256 of parts: the same parts
// always give the same id.
func derivedID(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}
