package progress

import (
	"context"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Rebuild is the outcome of a rebuild: the verification it acted on and, when applied,
// how many rows of how many users it rewrote.
type Rebuild struct {
	*Verification
	Applied     bool
	Users, Rows int
}

// RebuildProgressHandler rewrites stored progress that disagrees with the review log
// (the data of record): the operators' `progress rebuild --apply`. It reads and writes
// the database's own progress, never a cached copy, and drops the cached copies of what
// it rewrote. It is idempotent: once applied, a second run finds nothing to rewrite.
type RebuildProgressHandler struct {
	verify   *VerifyProgressHandler
	rewriter ports.ProgressRewriter
	cache    ports.ProgressCache
	clock    ports.Clock
}

// NewRebuildProgressHandler builds the handler; rewriter must be the database's
// repository, the one verify reads.
func NewRebuildProgressHandler(verify *VerifyProgressHandler, rewriter ports.ProgressRewriter,
	cache ports.ProgressCache, clock ports.Clock,
) *RebuildProgressHandler {
	return &RebuildProgressHandler{verify: verify, rewriter: rewriter, cache: cache, clock: clock}
}

// Handle verifies userID's progress (everyone's when userID is "") and, when apply is
// set, rewrites every disagreeing row from the log, one transaction per user, then
// removes that user's cached copies of the rows. step, when not nil, is called after
// each user with the users done and the total. A row changed by an answer meanwhile
// fails that user's rewrite with domain.ErrConflict (nothing of it is written): run
// the rebuild again.
func (h *RebuildProgressHandler) Handle(ctx context.Context, userID string, apply bool, step func(done, total int)) (*Rebuild, error) {
	v, err := h.verify.Handle(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("rebuild progress: %w", err)
	}
	out := &Rebuild{Verification: v, Applied: apply}
	if !apply {
		return out, nil
	}
	byUser, order := groupByUser(v.Disagreements)
	for i, user := range order {
		if err := h.rewrite(ctx, user, byUser[user]); err != nil {
			return out, err
		}
		out.Users++
		out.Rows += len(byUser[user])
		if step != nil {
			step(i+1, len(order))
		}
	}
	return out, nil
}

// rewrite writes rows of user in one transaction and drops their cached copies.
func (h *RebuildProgressHandler) rewrite(ctx context.Context, user string, rows []domain.Progress) error {
	if err := h.rewriter.RewriteProgress(ctx, user, rows, h.clock.Now()); err != nil {
		return fmt.Errorf("rebuild progress of user %s: %w", user, err)
	}
	cards := make([]string, len(rows))
	for i := range rows {
		cards[i] = rows[i].CardID
	}
	if err := h.cache.DeleteMany(ctx, user, cards); err != nil {
		return fmt.Errorf("rebuild progress of user %s: drop cached copies: %w", user, err)
	}
	return nil
}

// groupByUser returns the rows the log gives for each disagreement, each carrying the
// stored version it was computed against, by user in first-seen order.
func groupByUser(ds []Disagreement) (map[string][]domain.Progress, []string) {
	byUser := make(map[string][]domain.Progress)
	var order []string
	for _, d := range ds {
		row := d.FromLog
		row.Version = 0
		if d.Stored != nil {
			row.Version = d.Stored.Version
		}
		if _, seen := byUser[row.UserID]; !seen {
			order = append(order, row.UserID)
		}
		byUser[row.UserID] = append(byUser[row.UserID], row)
	}
	return byUser, order
}
