package changes

import (
	"context"
	"fmt"
	"strconv"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Sync is the query for what changed for UserID after the position Since ("" for
// everything), covering at most Limit changes.
type Sync struct {
	UserID string
	Since  string
	Limit  int
}

// Result is one page of a user's changes: the current state of what was written, the
// tombstones of what was deleted, the position to ask from next and whether more
// changes wait there.
type Result struct {
	Decks    []domain.Deck
	Cards    []domain.Card
	Progress []domain.ProgressView
	Deleted  []domain.Tombstone
	Next     string
	More     bool
}

// SyncHandler reads a user's change log.
type SyncHandler struct {
	log   ports.ChangeLog
	decks ports.DeckRepo
	clock ports.Clock
}

// NewSyncHandler builds the handler.
func NewSyncHandler(log ports.ChangeLog, decks ports.DeckRepo, clock ports.Clock) *SyncHandler {
	return &SyncHandler{log: log, decks: decks, clock: clock}
}

// Handle returns the changes after q.Since. A client applies them in order — an entity
// replaces its earlier state, a deleted deck takes its cards and their progress, a
// deleted card its progress — and asks again from Next until More is false; it then
// holds what the server holds.
func (h *SyncHandler) Handle(ctx context.Context, q Sync) (*Result, error) {
	after, err := parseSince(q.Since)
	if err != nil {
		return nil, err
	}
	set, err := h.log.Changes(ctx, q.UserID, after, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	res := &Result{
		Decks: set.Decks, Cards: set.Cards, Deleted: set.Deleted,
		Next: strconv.FormatInt(set.Last, 10), More: set.More,
	}
	if len(set.Progress) == 0 {
		return res, nil
	}
	decks, err := h.decks.ListDecks(ctx, q.UserID)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	options := make(map[string]domain.StudyOptions, len(decks))
	for _, d := range decks {
		options[d.ID] = d.Options
	}
	now := h.clock.Now()
	res.Progress = make([]domain.ProgressView, len(set.Progress))
	for i, p := range set.Progress {
		res.Progress[i] = domain.ViewProgress(p, options[p.DeckID], now)
	}
	return res, nil
}

// parseSince reads a position Handle handed out; "" is the start of the log.
func parseSince(since string) (int64, error) {
	if since == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(since, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.NewValidationError("since", "is not a position this service handed out")
	}
	return n, nil
}
