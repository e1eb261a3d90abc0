package ports

import (
	"context"
	"time"

	"github.com/studytool/studytool/domain"
)

// UserRepo persists users.
type UserRepo interface {
	// Create inserts u; a taken email yields domain.ErrEmailTaken.
	Create(ctx context.Context, u *domain.User) error
	// GetByID returns the user or domain.ErrNotFound.
	GetByID(ctx context.Context, id string) (*domain.User, error)
	// GetByEmail returns the user with the normalized email or domain.ErrNotFound.
	GetByEmail(ctx context.Context, email string) (*domain.User, error)
	// Update loads user id, applies fn and saves the result in one transaction.
	Update(ctx context.Context, id string, fn func(*domain.User) error) (*domain.User, error)
	// Delete erases user id and everything of theirs in the database (decks, cards,
	// progress, the review log, the change log); domain.ErrNotFound when there is none.
	Delete(ctx context.Context, id string) error
}

// ProfileRepo reads users as they see themselves (domain.Profile): what the profile
// endpoints show and permission checks read, never a password hash.
type ProfileRepo interface {
	// GetProfile returns the profile of userID or domain.ErrNotFound.
	GetProfile(ctx context.Context, userID string) (*domain.Profile, error)
}

// OrganizationRepo reads organizations (reference data).
type OrganizationRepo interface {
	// Get returns the organization or domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.Organization, error)
	// List returns every organization ordered by name.
	List(ctx context.Context) ([]domain.Organization, error)
}

// DeckRepo persists decks and their cards. Every read is scoped to the owning user: a
// deck of another user is domain.ErrNotFound.
type DeckRepo interface {
	// CreateDeck inserts d.
	CreateDeck(ctx context.Context, d *domain.Deck) error
	// GetDeck returns userID's deck with its card count.
	GetDeck(ctx context.Context, userID, deckID string) (*domain.Deck, error)
	// ListDecks returns userID's decks, newest first.
	ListDecks(ctx context.Context, userID string) ([]domain.Deck, error)
	// AddCards inserts cards into userID's deck in one transaction (all or none).
	AddCards(ctx context.Context, userID, deckID string, cards []domain.Card) error
	// ImportDecks creates decks (new decks of userID, with no cards yet) and adds cards
	// to them and to userID's existing decks, each card to its DeckID, in one transaction
	// (all or none), keeping the decks' card counts and the change log. A card of a deck
	// that is neither new nor userID's is domain.ErrNotFound. It may take long: it has the
	// database's long bound.
	ImportDecks(ctx context.Context, userID string, decks []domain.Deck, cards []domain.Card) error
	// ListCards returns the cards of userID's deck in creation order.
	ListCards(ctx context.Context, userID, deckID string) ([]domain.Card, error)
	// GetCards returns the listed cards of userID's deck; unknown ids are left out.
	GetCards(ctx context.Context, userID, deckID string, cardIDs []string) ([]domain.Card, error)
	// UpdateDeck loads userID's deck, applies fn and saves the result in one transaction.
	UpdateDeck(ctx context.Context, userID, deckID string, fn func(*domain.Deck) error) (*domain.Deck, error)
	// DeleteDeck deletes userID's deck with its cards and their progress at at, in one
	// transaction, once check accepts the deck as stored (a precondition; its error is
	// returned and nothing is deleted). It returns the ids of the cards that had progress.
	DeleteDeck(ctx context.Context, userID, deckID string, at time.Time, check func(*domain.Deck) error) ([]string, error)
	// PageCards returns up to page.Limit cards of userID's deck after page.After, in the
	// order they were added, and the position to ask from next ("" after the last).
	PageCards(ctx context.Context, userID, deckID string, page domain.Page) ([]domain.Card, string, error)
	// GetCard returns userID's card cardID, of whichever of their decks, or
	// domain.ErrNotFound.
	GetCard(ctx context.Context, userID, cardID string) (*domain.Card, error)
	// UpdateCard loads userID's card of deckID, applies fn and saves its sides and
	// UpdatedAt (fn sets both) in one transaction.
	UpdateCard(ctx context.Context, userID, deckID, cardID string, fn func(*domain.Card) error) (*domain.Card, error)
	// DeleteCard deletes userID's card of deckID with its progress at at, once check
	// accepts the card as stored.
	DeleteCard(ctx context.Context, userID, deckID, cardID string, at time.Time, check func(*domain.Card) error) error
}

// ProgressRepo persists learning progress, the data of record for scheduling.
type ProgressRepo interface {
	// CountsByDeck counts, for every deck of userID, what the learner day from dayStart to
	// nextDayStart holds: cards due, cards never studied, and the graded answers given.
	CountsByDeck(ctx context.Context, userID string, dayStart, nextDayStart time.Time) (map[string]domain.DeckCounts, error)
	// StudiedCards lists the cards userID has a progress row of.
	StudiedCards(ctx context.Context, userID string) ([]string, error)
	// Get returns userID's progress on cardID or domain.ErrNotFound when never studied.
	Get(ctx context.Context, userID, cardID string) (*domain.Progress, error)
	// ListByDeck returns userID's progress rows for the cards of deckID.
	ListByDeck(ctx context.Context, userID, deckID string) ([]domain.Progress, error)
	// RecordReview loads the progress of (userID, cardID) — domain.NewProgress when there
	// is none — hands it to fn, and commits the changed progress together with the review
	// fn returns in ONE transaction. Concurrent calls for one card serialize (optimistic
	// versioning with retry), so each fn sees the state its predecessor committed; fn
	// may therefore run more than once and must have no effect outside its argument. The
	// review's ID is filled in when empty and its user, card and deck are the progress's.
	RecordReview(ctx context.Context, userID, cardID, deckID string, fn func(*domain.Progress) (*domain.Review, error)) (*domain.Progress, error)
	// UndoReview takes back review reviewID of (userID, cardID) in one transaction: it
	// fails with domain.ErrNotFound when there is no such review, and with
	// domain.ErrConflict when it is not the card's latest answer (a later answer exists,
	// or it was undone already); otherwise it hands the progress and the review to fn and
	// commits the changed progress with the undo row fn returns.
	UndoReview(ctx context.Context, userID, cardID, reviewID string, fn func(p *domain.Progress, undone *domain.Review) (*domain.Review, error)) (*domain.Progress, error)
	// SetSuspended suspends or resumes userID's card cardID of deckID at at (a card never
	// studied gets a progress row to hold the flag) and returns the progress.
	SetSuspended(ctx context.Context, userID, cardID, deckID string, suspended bool, at time.Time) (*domain.Progress, error)
	// Due lists up to q.Limit of userID's studied cards of deckID due before q.Before and
	// not suspended, in q's order (domain.DueQuery).
	Due(ctx context.Context, userID, deckID string, q domain.DueQuery) ([]domain.DueCard, error)
	// Unstudied lists up to limit of deckID's cards userID never studied and did not
	// suspend, in the order they were added.
	Unstudied(ctx context.Context, userID, deckID string, limit int) ([]string, error)
	// Reschedule changes userID's deckID with deckFn and hands every progress row of the
	// deck, with the card's review log in commit order, to fn; the deck and the changed
	// rows commit in one transaction (a switch of scheduler: no answer lands between the
	// new options and the states computed for them). It returns the deck and the rows as
	// committed, and domain.ErrConflict when a review of the deck committed meanwhile.
	Reschedule(ctx context.Context, userID, deckID string, deckFn func(*domain.Deck) error,
		fn func(p *domain.Progress, log []domain.Review) error) (*domain.Deck, []domain.Progress, error)
}

// ProgressRewriter rewrites stored progress: the operators' rebuild from the review log.
type ProgressRewriter interface {
	// RewriteProgress writes rows, progress of userID recomputed from its review log, in
	// ONE transaction, at at. Each row's Version is the stored version it was computed
	// against (0 when there was no row): when any row changed since, nothing is written
	// and the error is domain.ErrConflict. A row keeps its stored suspended flag.
	RewriteProgress(ctx context.Context, userID string, rows []domain.Progress, at time.Time) error
}

// ReviewRepo reads the review log.
type ReviewRepo interface {
	// ListByUser returns userID's reviews in commit order (all users when userID is "").
	ListByUser(ctx context.Context, userID string) ([]domain.Review, error)
	// Get returns userID's review id or domain.ErrNotFound. The study use-cases record each
	// answer under an id derived from the answer, and look it up to recognise a retry.
	Get(ctx context.Context, userID, id string) (*domain.Review, error)
	// CountGraded counts userID's graded reviews of deckID since since: new cards
	// introduced and reviews (what a learner day's limits count).
	CountGraded(ctx context.Context, userID, deckID string, since time.Time) (newCards, reviews int, err error)
	// Each hands userID's reviews (of deckID only, when it is not "") to fn in commit
	// order, reading them in pages; an error from fn stops it and is returned.
	Each(ctx context.Context, userID, deckID string, fn func(domain.Review) error) error
	// InSession returns userID's rows of study session sessionID in commit order
	// (answers and undos; none for an unknown session), so an answer can be found after
	// the session itself is gone.
	InSession(ctx context.Context, userID, sessionID string) ([]domain.Review, error)
	// Page returns up to page.Limit of userID's reviews (of deckID only, when not "")
	// after page.After, in commit order, and the position to ask from next ("" after the
	// last).
	Page(ctx context.Context, userID, deckID string, page domain.Page) ([]domain.Review, string, error)
}

// ChangeLog reads a user's change log, what syncing clients converge from.
type ChangeLog interface {
	// Changes returns what changed for userID after change number after: the current
	// state of what was written and the tombstones of what was deleted, covering at most
	// limit changes.
	Changes(ctx context.Context, userID string, after int64, limit int) (*domain.ChangeSet, error)
}

// ProgressCache is the Redis copy of progress (write-through after the database commit).
type ProgressCache interface {
	// Get returns the cached progress or domain.ErrCacheMiss.
	Get(ctx context.Context, userID, cardID string) (*domain.Progress, error)
	// Set writes p.
	Set(ctx context.Context, p *domain.Progress) error
	// SetMany writes every progress of ps, as Set does each, in few round trips (a
	// deck's copies after it was rescheduled).
	SetMany(ctx context.Context, ps []domain.Progress) error
	// DeleteMany removes the copies of userID's progress on cardIDs (a deleted deck's,
	// or an erased account's).
	DeleteMany(ctx context.Context, userID string, cardIDs []string) error
}

// StudySessionStore keeps in-flight study sessions under a TTL.
type StudySessionStore interface {
	// Create stores s.
	Create(ctx context.Context, s *domain.StudySession) error
	// Get returns userID's study session id or domain.ErrNotFound.
	Get(ctx context.Context, userID, id string) (*domain.StudySession, error)
	// Update applies fn to userID's study session atomically: concurrent updates never
	// interleave, and a fn error leaves the session unchanged.
	Update(ctx context.Context, userID, id string, fn func(*domain.StudySession) error) (*domain.StudySession, error)
	// Delete removes the study session (a no-op when absent).
	Delete(ctx context.Context, userID, id string) error
	// List returns userID's open study sessions, the most recently started first.
	List(ctx context.Context, userID string) ([]*domain.StudySession, error)
	// DeleteUser removes every study session of userID.
	DeleteUser(ctx context.Context, userID string) error
}

// Pinger is a dependency whose health /readyz reports.
type Pinger interface {
	// Ping reports whether the dependency answers.
	Ping(ctx context.Context) error
}

// DatabaseTimeoutKind says which bound a database operation ran out of.
type DatabaseTimeoutKind string

// The bounds of a database operation.
const (
	// DatabasePoolWait: no connection of the operation's budget freed up in time.
	DatabasePoolWait DatabaseTimeoutKind = "pool_wait"
	// DatabaseQueryTimeout: the operation itself ran too long (a lock it waited on, a
	// slow query, a server that stopped answering).
	DatabaseQueryTimeout DatabaseTimeoutKind = "query_timeout"
)

// DatabaseObserver is told how the database adapter's bounds hold up, for metrics.
// budget names the share of the connection pool the operation drew on; ctx is the
// caller's (it may carry the HTTP route).
type DatabaseObserver interface {
	// DatabasePoolWait reports how long an operation waited for a connection slot.
	DatabasePoolWait(ctx context.Context, budget string, waited time.Duration)
	// DatabaseTimeout reports an operation that ran out of a bound (and failed with
	// domain.ErrStoreUnavailable).
	DatabaseTimeout(ctx context.Context, budget string, kind DatabaseTimeoutKind)
}
