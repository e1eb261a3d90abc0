package gormdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var _ ports.ProgressRewriter = (*ProgressRepo)(nil)

// RewriteProgress implements ports.ProgressRewriter: every row is written over the
// version it was computed against, in one transaction, with the changes syncing clients
// must hear of.
func (r *ProgressRepo) RewriteProgress(ctx context.Context, userID string, rows []domain.Progress, at time.Time) error {
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			var changes []domain.Change
			for i := range rows {
				changed, err := rewriteRow(tx, userID, &rows[i], at)
				if err != nil {
					return err
				}
				changes = append(changes, changed...)
			}
			return logChanges(tx, userID, at, changes...)
		})
	})
	if errors.Is(err, errStaleProgress) {
		err = fmt.Errorf("%w: %w", domain.ErrConflict, err)
	} else if err != nil {
		err = translate(err)
	}
	if err != nil {
		return fmt.Errorf("progress repo: rewrite progress of %s: %w", userID, err)
	}
	return nil
}

// rewriteRow writes want over the stored row of its card if that is still the version
// want was computed against.
func rewriteRow(tx *gorm.DB, userID string, want *domain.Progress, at time.Time) ([]domain.Change, error) {
	loaded, exists, err := loadProgress(tx, userID, want.CardID, want.DeckID)
	if err != nil {
		return nil, err
	}
	if loaded.Version != want.Version {
		return nil, errStaleProgress
	}
	p := *want
	p.UserID, p.Suspended = userID, loaded.Suspended
	p.Version, p.UpdatedAt = loaded.Version+1, at
	row := newProgressRow(&p)
	return saveProgress(tx, &row, &loaded, exists)
}
