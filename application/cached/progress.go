package cached

import (
	"context"
	"errors"
	"time"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// featureProgress labels the progress copies' absorbed failures.
const featureProgress = "progress"

// Progress reads a card's progress through its copy (ports.ProgressCache, kept at the key
// schema's `progress:{userId}:{cardId}`) and writes the copy through after every
// committed review. The copy is an optimisation only: a miss or a failing copy falls back
// to the database, and a failed write-through is absorbed — the review is committed.
type Progress struct {
	repo   ports.ProgressRepo
	copies ports.ProgressCache
	deps   Deps
}

var _ ports.ProgressRepo = (*Progress)(nil)

// NewProgress wraps repo, the database's progress, with its copies.
func NewProgress(repo ports.ProgressRepo, copies ports.ProgressCache, deps Deps) *Progress {
	return &Progress{repo: repo, copies: copies, deps: deps}
}

// Get returns the progress from its copy, or from the database (copying it on the way
// out, best effort).
func (p *Progress) Get(ctx context.Context, userID, cardID string) (*domain.Progress, error) {
	cp, err := p.copies.Get(ctx, userID, cardID)
	switch {
	case err == nil:
		return cp, nil
	case !errors.Is(err, domain.ErrCacheMiss):
		p.deps.absorbed(ctx, featureProgress, "read", err)
	}
	stored, err := p.repo.Get(ctx, userID, cardID)
	if err != nil {
		return nil, err
	}
	p.writeCopy(ctx, stored)
	return stored, nil
}

// ListByDeck returns the progress rows of a deck from the database.
func (p *Progress) ListByDeck(ctx context.Context, userID, deckID string) ([]domain.Progress, error) {
	return p.repo.ListByDeck(ctx, userID, deckID)
}

// featureCounts caches each user's study counts for the learner day (countsEntry).
const (
	featureCounts = "study:counts"
	countsSchema  = 1
)

func countsKey(userID string) cache.Key { return cache.NewKey(featureCounts, countsSchema, userID) }

// countsEntry is a user's counts as cached, with the learner day they were counted for.
type countsEntry struct {
	DayStart time.Time
	Counts   map[string]domain.DeckCounts
}

// CountsByDeck returns userID's study counts for the learner day starting at dayStart
// from the cache, counting them on a miss or when the cached ones are of another day.
// Every answer, undo, suspension and change of cards drops them.
func (p *Progress) CountsByDeck(ctx context.Context, userID string, dayStart, nextDayStart time.Time) (map[string]domain.DeckCounts, error) {
	load := func(ctx context.Context) (countsEntry, error) {
		counts, err := p.repo.CountsByDeck(ctx, userID, dayStart, nextDayStart)
		return countsEntry{DayStart: dayStart, Counts: counts}, err
	}
	e, err := cache.GetOrLoad(ctx, p.deps.Cache, countsKey(userID), load)
	if err != nil {
		return nil, err
	}
	if !e.DayStart.Equal(dayStart) { // counted for another learner day
		p.deps.invalidate(ctx, featureCounts, countsKey(userID))
		if e, err = load(ctx); err != nil {
			return nil, err
		}
	}
	return e.Counts, nil
}

// StudiedCards lists the studied cards from the database.
func (p *Progress) StudiedCards(ctx context.Context, userID string) ([]string, error) {
	return p.repo.StudiedCards(ctx, userID)
}

// RecordReview commits the review in the database, then writes the copy through.
func (p *Progress) RecordReview(ctx context.Context, userID, cardID, deckID string, fn func(*domain.Progress) (*domain.Review, error)) (*domain.Progress, error) {
	committed, err := p.repo.RecordReview(ctx, userID, cardID, deckID, fn)
	if err != nil {
		return nil, err
	}
	// The review is durable: the copy is not tied to the request, so a client that hangs
	// up does not leave a stale copy behind.
	p.writeCopy(context.WithoutCancel(ctx), committed)
	return committed, nil
}

// UndoReview takes back the review in the database, then writes the copy through.
func (p *Progress) UndoReview(ctx context.Context, userID, cardID, reviewID string,
	fn func(*domain.Progress, *domain.Review) (*domain.Review, error),
) (*domain.Progress, error) {
	committed, err := p.repo.UndoReview(ctx, userID, cardID, reviewID, fn)
	if err != nil {
		return nil, err
	}
	p.writeCopy(context.WithoutCancel(ctx), committed)
	return committed, nil
}

// SetSuspended changes the flag in the database, then writes the copy through.
func (p *Progress) SetSuspended(ctx context.Context, userID, cardID, deckID string, suspended bool, at time.Time) (*domain.Progress, error) {
	committed, err := p.repo.SetSuspended(ctx, userID, cardID, deckID, suspended, at)
	if err != nil {
		return nil, err
	}
	p.writeCopy(context.WithoutCancel(ctx), committed)
	return committed, nil
}

// Reschedule reschedules the deck in the database, then drops the user's cached deck
// list and writes every progress copy through.
func (p *Progress) Reschedule(ctx context.Context, userID, deckID string, deckFn func(*domain.Deck) error,
	fn func(*domain.Progress, []domain.Review) error,
) (*domain.Deck, []domain.Progress, error) {
	deck, committed, err := p.repo.Reschedule(ctx, userID, deckID, deckFn, fn)
	if err != nil {
		return nil, nil, err
	}
	detached := context.WithoutCancel(ctx)
	p.deps.invalidate(detached, featureDeckList, deckListKey(userID), countsKey(userID))
	if err := p.copies.SetMany(detached, committed); err != nil {
		p.deps.absorbed(detached, featureProgress, "write", err)
	}
	return deck, committed, nil
}

// Due lists the deck's due cards from the database.
func (p *Progress) Due(ctx context.Context, userID, deckID string, q domain.DueQuery) ([]domain.DueCard, error) {
	return p.repo.Due(ctx, userID, deckID, q)
}

// Unstudied lists the deck's unstudied cards from the database.
func (p *Progress) Unstudied(ctx context.Context, userID, deckID string, limit int) ([]string, error) {
	return p.repo.Unstudied(ctx, userID, deckID, limit)
}

// writeCopy stores progress's copy and drops its owner's study counts, absorbing a
// failure.
func (p *Progress) writeCopy(ctx context.Context, progress *domain.Progress) {
	if err := p.copies.Set(ctx, progress); err != nil {
		p.deps.absorbed(ctx, featureProgress, "write", err)
	}
	p.deps.invalidate(ctx, featureCounts, countsKey(progress.UserID))
}
