package keys

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"golang.org/x/time/rate"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Reason says why the cleanup removes a key or an index entry.
type Reason string

// The cleanup's reasons.
const (
	ReasonDanglingIndexEntry  Reason = "dangling-index-entry"
	ReasonSessionOutsideIndex Reason = "session-outside-index"
	ReasonDeletedUser         Reason = "deleted-user"
	ReasonDeletedDeck         Reason = "deleted-deck"
	ReasonDeletedCard         Reason = "deleted-card"
	ReasonNoTTL               Reason = "no-ttl"
	ReasonUnknown             Reason = "unknown"
)

// DefaultBatch is how many keys one UNLINK pipeline carries.
const DefaultBatch = 100

// Cleanup is what the cleanup is asked to do.
type Cleanup struct {
	// Apply deletes; without it the cleanup only lists.
	Apply bool
	// Unknown includes keys under the prefix that fit no layout.
	Unknown bool
	// Rate bounds the deletions, in keys per second; Batch keys go per pipeline.
	Rate  float64
	Batch int
}

// Item is one key to delete, or (Member set) one entry of the index Key to remove.
type Item struct {
	Reason Reason `json:"reason"`
	Role   string `json:"role"`
	Key    string `json:"key"`
	Member string `json:"member,omitempty"`
}

// CleanupResult lists the items by reason, then key; Applied tells whether they were
// removed.
type CleanupResult struct {
	Applied bool   `json:"applied"`
	Items   []Item `json:"items"`
}

// CleanupHandler finds, and with Apply removes, the orphaned keys and index entries.
// Deleted users, decks and cards are asked of the database's repositories.
type CleanupHandler struct {
	inventory ports.KeyInventory
	users     ports.UserRepo
	decks     ports.DeckRepo
	study     ports.StudySessionStore
}

// NewCleanupHandler builds the handler.
func NewCleanupHandler(inventory ports.KeyInventory, users ports.UserRepo, decks ports.DeckRepo, study ports.StudySessionStore) *CleanupHandler {
	return &CleanupHandler{inventory: inventory, users: users, decks: decks, study: study}
}

// Handle runs the cleanup; progress, when not nil, is called with each scanned batch's
// size.
func (h *CleanupHandler) Handle(ctx context.Context, c Cleanup, progress func(keys int)) (*CleanupResult, error) {
	if c.Rate <= 0 || c.Batch <= 0 {
		return nil, &domain.ValidationError{Field: "rate", Reason: "rate and batch must be positive"}
	}
	s := newSweep(h, c.Unknown)
	if err := h.inventory.Scan(ctx, func(batch []ports.StoredKey) error {
		if progress != nil {
			progress(len(batch))
		}
		return s.judgeBatch(ctx, batch)
	}); err != nil {
		return nil, fmt.Errorf("keys cleanup: %w", err)
	}
	if err := s.crossCheckSessions(ctx); err != nil {
		return nil, fmt.Errorf("keys cleanup: %w", err)
	}
	result := &CleanupResult{Items: s.items}
	if result.Items == nil {
		result.Items = []Item{} // `--json` prints "items": [], not null
	}
	sort.Slice(result.Items, func(a, b int) bool {
		ia, ib := result.Items[a], result.Items[b]
		if ia.Reason != ib.Reason {
			return ia.Reason < ib.Reason
		}
		if ia.Key != ib.Key {
			return ia.Key < ib.Key
		}
		return ia.Member < ib.Member
	})
	if !c.Apply {
		return result, nil
	}
	if err := h.remove(ctx, c, result.Items); err != nil {
		return nil, fmt.Errorf("keys cleanup: %w", err)
	}
	result.Applied = true
	return result, nil
}

// remove deletes the keys in batches and the index entries per index, each step waiting
// on the rate limiter for as many tokens as it removes.
func (h *CleanupHandler) remove(ctx context.Context, c Cleanup, items []Item) error {
	limiter := rate.NewLimiter(rate.Limit(c.Rate), c.Batch)
	keys := map[string][]string{}
	entries := map[[2]string][]string{}
	for _, it := range items {
		if it.Member != "" {
			entries[[2]string{it.Role, it.Key}] = append(entries[[2]string{it.Role, it.Key}], it.Member)
			continue
		}
		keys[it.Role] = append(keys[it.Role], it.Key)
	}
	for index, members := range entries {
		for part := range chunks(members, c.Batch) {
			if err := limiter.WaitN(ctx, len(part)); err != nil {
				return err
			}
			if err := h.inventory.RemoveIndexMembers(ctx, index[0], index[1], part); err != nil {
				return err
			}
		}
	}
	for role, list := range keys {
		for part := range chunks(list, c.Batch) {
			if err := limiter.WaitN(ctx, len(part)); err != nil {
				return err
			}
			if _, err := h.inventory.Unlink(ctx, role, part); err != nil {
				return err
			}
		}
	}
	return nil
}

// chunks yields list in slices of at most size.
func chunks(list []string, size int) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(list) > 0 {
			n := min(size, len(list))
			if !yield(list[:n]) {
				return
			}
			list = list[n:]
		}
	}
}

// isNotFound reports whether err is domain.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }
