package cached

import (
	"context"
	"errors"

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

// writeCopy stores progress's copy, absorbing a failure.
func (p *Progress) writeCopy(ctx context.Context, progress *domain.Progress) {
	if err := p.copies.Set(ctx, progress); err != nil {
		p.deps.absorbed(ctx, featureProgress, "write", err)
	}
}
