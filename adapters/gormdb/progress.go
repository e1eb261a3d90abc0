package gormdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/studytool/studytool/adapters/shared/retry"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// RecordReview retry policy. Each failed attempt means another review of the same card
// committed in between, so n concurrent reviews of one card need at most n attempts;
// maxReviewAttempts leaves room above any realistic burst.
const maxReviewAttempts = 32

// reviewBackoff paces the rounds of an optimistic progress update.
var reviewBackoff = retry.Backoff{Base: 2 * time.Millisecond, Max: 50 * time.Millisecond}

// errStaleProgress reports that the progress row changed (or appeared) after it was read.
var errStaleProgress = errors.New("progress changed concurrently")

// progressRow is the progress table. interval_days is SM-2's own interval,
// scheduled_days the one the last graded review scheduled.
type progressRow struct {
	UserID         string     `gorm:"column:user_id;primaryKey"`
	CardID         string     `gorm:"column:card_id;primaryKey"`
	DeckID         string     `gorm:"column:deck_id"`
	Repetitions    int        `gorm:"column:repetitions"`
	EF             int        `gorm:"column:ef"`
	IntervalDays   int        `gorm:"column:interval_days"`
	ScheduledDays  int        `gorm:"column:scheduled_days"`
	Stability      float64    `gorm:"column:stability"`
	Difficulty     float64    `gorm:"column:difficulty"`
	DueAt          *time.Time `gorm:"column:due_at"`
	LastReviewedAt *time.Time `gorm:"column:last_reviewed_at"`
	Lapses         int        `gorm:"column:lapses"`
	Reviews        int        `gorm:"column:reviews"`
	Suspended      bool       `gorm:"column:suspended"`
	Leech          bool       `gorm:"column:leech"`
	Version        int64      `gorm:"column:version"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (progressRow) TableName() string { return "progress" }

func newProgressRow(p *domain.Progress) progressRow {
	return progressRow{
		UserID:         p.UserID,
		CardID:         p.CardID,
		DeckID:         p.DeckID,
		Repetitions:    p.State.Repetitions,
		EF:             int(p.State.EF),
		IntervalDays:   p.State.IntervalDays,
		ScheduledDays:  p.IntervalDays,
		Stability:      p.Memory.Stability,
		Difficulty:     p.Memory.Difficulty,
		DueAt:          nullTime(p.DueAt),
		LastReviewedAt: nullTime(p.LastReviewedAt),
		Lapses:         p.Lapses,
		Reviews:        p.Reviews,
		Suspended:      p.Suspended,
		Leech:          p.Leech,
		Version:        p.Version,
		UpdatedAt:      dbTime(p.UpdatedAt),
	}
}

func (r *progressRow) toDomain() domain.Progress {
	return domain.Progress{
		UserID: r.UserID,
		CardID: r.CardID,
		DeckID: r.DeckID,
		CardState: domain.CardState{
			State:          domain.SchedState{Repetitions: r.Repetitions, EF: domain.EF(r.EF), IntervalDays: r.IntervalDays},
			Memory:         domain.FSRSMemory{Stability: r.Stability, Difficulty: r.Difficulty},
			IntervalDays:   r.ScheduledDays,
			DueAt:          fromNullTime(r.DueAt),
			LastReviewedAt: fromNullTime(r.LastReviewedAt),
			Lapses:         r.Lapses,
			Reviews:        r.Reviews,
			Suspended:      r.Suspended,
			Leech:          r.Leech,
		},
		Version:   r.Version,
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// progressColumns are the columns a change of progress writes.
var progressColumns = []string{
	"repetitions", "ef", "interval_days", "scheduled_days", "stability", "difficulty",
	"due_at", "last_reviewed_at", "lapses", "reviews", "suspended", "leech", "version", "updated_at",
}

// columns returns the values of progressColumns.
func (r *progressRow) columns() map[string]any {
	return map[string]any{
		"repetitions": r.Repetitions, "ef": r.EF, "interval_days": r.IntervalDays,
		"scheduled_days": r.ScheduledDays, "stability": r.Stability, "difficulty": r.Difficulty,
		"due_at": r.DueAt, "last_reviewed_at": r.LastReviewedAt, "lapses": r.Lapses,
		"reviews": r.Reviews, "suspended": r.Suspended, "leech": r.Leech, "version": r.Version,
		"updated_at": r.UpdatedAt,
	}
}

// nullTime stores a zero time as NULL, others in the database's precision.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := dbTime(t)
	return &v
}

// fromNullTime reads a nullable time as UTC, NULL as the zero time.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// ProgressRepo stores learning progress and appends to the review log.
type ProgressRepo struct {
	db *DB
}

var _ ports.ProgressRepo = (*ProgressRepo)(nil)

// NewProgressRepo returns a ProgressRepo on db.
func NewProgressRepo(db *DB) *ProgressRepo { return &ProgressRepo{db: db} }

// Get returns userID's progress on cardID or domain.ErrNotFound when never studied.
func (r *ProgressRepo) Get(ctx context.Context, userID, cardID string) (*domain.Progress, error) {
	var row progressRow
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Where("user_id = ? AND card_id = ?", userID, cardID).Take(&row).Error
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: get %s/%s: %w", userID, cardID, translate(err))
	}
	p := row.toDomain()
	return &p, nil
}

// ListByDeck returns userID's progress rows for the cards of deckID, ordered by card.
func (r *ProgressRepo) ListByDeck(ctx context.Context, userID, deckID string) ([]domain.Progress, error) {
	var rows []progressRow
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Where("user_id = ? AND deck_id = ?", userID, deckID).Order("card_id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: list %s/%s: %w", userID, deckID, translate(err))
	}
	out := make([]domain.Progress, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// RecordReview loads the progress of (userID, cardID) — domain.NewProgress(userID,
// cardID, deckID) when there is none — hands it to fn, and commits the changed progress
// with the review fn returns in one transaction, the progress version one higher.
//
// Concurrency is optimistic: the row is written only if its version is still the one
// read, and a new row only if none appeared meanwhile. When another review won, the
// whole transaction is retried — fn runs again on the state that review committed — with
// a short jittered backoff, as is SQLite's busy error. fn may therefore run more than
// once; it must not have side effects outside its argument nor use the database (on
// SQLite the transaction holds the only connection).
//
// The review row is completed from the call: UserID, CardID and DeckID are those of the
// progress, and a missing ID gets a UUIDv7. An unknown user, card or deck is
// domain.ErrNotFound; an error from fn aborts without writing anything and is returned
// wrapped.
func (r *ProgressRepo) RecordReview(ctx context.Context, userID, cardID, deckID string,
	fn func(*domain.Progress) (*domain.Review, error),
) (*domain.Progress, error) {
	var committed *domain.Progress
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		for attempt := 1; ; attempt++ {
			p, err := recordOnce(db, userID, cardID, deckID, fn)
			switch {
			case err == nil:
				committed = p
				return nil
			case attempt == maxReviewAttempts && errors.Is(err, errStaleProgress):
				return fmt.Errorf("%w: gave up after %d attempts", domain.ErrConflict, attempt)
			case attempt == maxReviewAttempts || !errors.Is(err, errStaleProgress) && classify(err) != errTransient:
				return translate(err)
			}
			if err := retry.Sleep(db.Statement.Context, reviewBackoff.Pause(attempt)); err != nil {
				return err
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: record review %s/%s: %w", userID, cardID, err)
	}
	return committed, nil
}

// recordOnce is one attempt of RecordReview, on db.
func recordOnce(db *gorm.DB, userID, cardID, deckID string, fn func(*domain.Progress) (*domain.Review, error)) (*domain.Progress, error) {
	var committed domain.Progress
	err := db.Transaction(func(tx *gorm.DB) error {
		p, exists, err := loadProgress(tx, userID, cardID, deckID)
		if err != nil {
			return err
		}
		loaded := p
		review, err := fn(&p)
		if err != nil {
			return err
		}
		if review == nil {
			return errors.New("review function returned no review")
		}
		p.UserID, p.CardID = userID, cardID
		if !exists {
			p.DeckID = deckID
		}
		p.Version = loaded.Version + 1
		row := newProgressRow(&p)
		changes, err := saveProgress(tx, &row, &loaded, exists)
		if err != nil {
			return err
		}
		if err := insertReview(tx, review, &p); err != nil {
			return err
		}
		committed = row.toDomain() // as stored: UTC, microseconds
		return logChanges(tx, userID, review.ReviewedAt, changes...)
	})
	if err != nil {
		return nil, err
	}
	return &committed, nil
}

// loadProgress reads the progress row, or returns a new one and exists = false.
func loadProgress(tx *gorm.DB, userID, cardID, deckID string) (p domain.Progress, exists bool, err error) {
	var row progressRow
	err = tx.Where("user_id = ? AND card_id = ?", userID, cardID).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.NewProgress(userID, cardID, deckID), false, nil
	case err != nil:
		return domain.Progress{}, false, err
	}
	return row.toDomain(), true, nil
}

// saveProgress writes row over loaded, the progress read in the same transaction: an
// update if the stored version is still loaded's (an insert when the row did not exist),
// otherwise errStaleProgress. When the card's suspended or leech flag changed, the card
// row's copy of it (what card listings read) is written too. It returns the changes a
// syncing client must hear of (none for an answer that changed nothing, such as a
// drill), for the caller to log last in its transaction.
func saveProgress(tx *gorm.DB, row *progressRow, loaded *domain.Progress, exists bool) ([]domain.Change, error) {
	if !exists {
		if err := tx.Create(row).Error; err != nil {
			if classify(err) == errUnique {
				return nil, errStaleProgress
			}
			return nil, err
		}
	} else {
		res := tx.Model(&progressRow{}).
			Where("user_id = ? AND card_id = ? AND version = ?", row.UserID, row.CardID, loaded.Version).
			Updates(row.columns())
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, errStaleProgress
		}
	}
	saved := row.toDomain()
	var changes []domain.Change
	if !exists || !domain.SameCardState(saved.CardState, loaded.CardState) || saved.Suspended != loaded.Suspended {
		changes = append(changes, progressChanged(row.DeckID, row.CardID))
	}
	if row.Suspended == loaded.Suspended && row.Leech == loaded.Leech {
		return changes, nil
	}
	err := tx.Table("cards").Where("id = ?", row.CardID).
		Updates(map[string]any{"suspended": row.Suspended, "leech": row.Leech, "updated_at": row.UpdatedAt}).Error
	if err != nil {
		return nil, err
	}
	return append(changes, cardChanged(row.DeckID, row.CardID)), nil
}

// insertReview completes review from p and appends it to the log.
func insertReview(tx *gorm.DB, review *domain.Review, p *domain.Progress) error {
	if review.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("review id: %w", err)
		}
		review.ID = id.String()
	}
	review.UserID, review.CardID, review.DeckID = p.UserID, p.CardID, p.DeckID
	row, err := newReviewRow(review)
	if err != nil {
		return err
	}
	return tx.Create(&row).Error
}
