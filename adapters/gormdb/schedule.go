package gormdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/studytool/studytool/domain"
)

// UndoReview takes back review reviewID of (userID, cardID): in one transaction it loads
// the progress and the review, checks that no row of the card's log came after the
// review (a later answer, or an undo of it), hands both to fn and commits the progress
// with the undo row fn returns. Concurrent undos and answers of one card serialize on the
// progress version, as RecordReview's do.
func (r *ProgressRepo) UndoReview(ctx context.Context, userID, cardID, reviewID string,
	fn func(p *domain.Progress, undone *domain.Review) (*domain.Review, error),
) (*domain.Progress, error) {
	var committed domain.Progress
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			var err error
			committed, err = undoReview(tx, userID, cardID, reviewID, fn)
			return err
		})
	})
	if errors.Is(err, errStaleProgress) {
		err = domain.ErrConflict // another answer or undo of the card committed meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("progress repo: undo %s: %w", reviewID, translate(err))
	}
	return &committed, nil
}

// undoReview is UndoReview's transaction.
func undoReview(tx *gorm.DB, userID, cardID, reviewID string,
	fn func(p *domain.Progress, undone *domain.Review) (*domain.Review, error),
) (domain.Progress, error) {
	undone, err := latestAnswer(tx, userID, cardID, reviewID)
	if err != nil {
		return domain.Progress{}, err
	}
	p, exists, err := loadProgress(tx, userID, cardID, undone.DeckID)
	if err != nil {
		return domain.Progress{}, err
	}
	if !exists {
		return domain.Progress{}, domain.ErrConflict
	}
	loaded := p
	undo, err := fn(&p, undone)
	if err != nil {
		return domain.Progress{}, err
	}
	p.Version = loaded.Version + 1
	row := newProgressRow(&p)
	changes, err := saveProgress(tx, &row, &loaded, true)
	if err != nil {
		return domain.Progress{}, err
	}
	if err := insertReview(tx, undo, &p); err != nil {
		return domain.Progress{}, err
	}
	return row.toDomain(), logChanges(tx, userID, undo.ReviewedAt, changes...)
}

// latestAnswer returns review reviewID of (userID, cardID), or domain.ErrNotFound. It is
// domain.ErrConflict unless reviewID is the card's latest answer still standing: every
// row of the card's log after it must be an answer that a later undo took back, or that
// undo (so answers are undone one after another, latest first), and reviewID itself must
// not be undone already.
func latestAnswer(tx *gorm.DB, userID, cardID, reviewID string) (*domain.Review, error) {
	var row reviewRow
	if err := tx.Where("id = ? AND user_id = ? AND card_id = ?", reviewID, userID, cardID).Take(&row).Error; err != nil {
		return nil, err
	}
	if row.Kind == string(domain.ReviewUndo) {
		return nil, domain.ErrConflict // an undo is not an answer
	}
	var later []reviewRow
	err := tx.Model(&reviewRow{}).Select("id, kind, undone_id").Where("user_id = ? AND card_id = ? AND seq > ?", userID, cardID, row.Seq).
		Order("seq").Find(&later).Error
	if err != nil {
		return nil, err
	}
	var standing []string // answers after reviewID not taken back, oldest first
	for _, r := range later {
		switch {
		case r.Kind != string(domain.ReviewUndo):
			standing = append(standing, r.ID)
		case len(standing) > 0 && standing[len(standing)-1] == r.UndoneID:
			standing = standing[:len(standing)-1]
		default:
			return nil, domain.ErrConflict // reviewID was undone already
		}
	}
	if len(standing) > 0 {
		return nil, domain.ErrConflict // a later answer stands
	}
	review, err := row.toDomain()
	if err != nil {
		return nil, err
	}
	return &review, nil
}

// SetSuspended suspends or resumes userID's card; a card never studied gets a progress
// row (new, not due) to hold the flag. The card must be in userID's deckID.
func (r *ProgressRepo) SetSuspended(ctx context.Context, userID, cardID, deckID string, suspended bool, at time.Time) (*domain.Progress, error) {
	var committed domain.Progress
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			if err := checkCard(tx, userID, deckID, cardID); err != nil {
				return err
			}
			p, exists, err := loadProgress(tx, userID, cardID, deckID)
			if err != nil {
				return err
			}
			loaded := p
			p.Suspended, p.Version, p.UpdatedAt = suspended, loaded.Version+1, at
			row := newProgressRow(&p)
			changes, err := saveProgress(tx, &row, &loaded, exists)
			if err != nil {
				return err
			}
			committed = row.toDomain()
			return logChanges(tx, userID, at, changes...)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: suspend %s: %w", cardID, translate(err))
	}
	return &committed, nil
}

// checkCard returns domain.ErrNotFound unless cardID is a card of userID's deckID.
func checkCard(tx *gorm.DB, userID, deckID, cardID string) error {
	var n int64
	err := tx.Model(&cardRow{}).Joins("JOIN decks ON decks.id = cards.deck_id").
		Where("cards.id = ? AND cards.deck_id = ? AND decks.user_id = ?", cardID, deckID, userID).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// dueRow is one row of the due query.
type dueRow struct {
	CardID         string     `gorm:"column:card_id"`
	DueAt          time.Time  `gorm:"column:due_at"`
	LastReviewedAt *time.Time `gorm:"column:last_reviewed_at"`
	Stability      float64    `gorm:"column:stability"`
}

// Due lists up to q.Limit of userID's studied cards of deckID due before q.Before and not
// suspended, through the index on (user_id, deck_id, due_at): oldest due first, or, for
// an FSRS deck, lowest probability of recall first. Recall falls as elapsed time over
// stability grows, so that order is elapsed/stability descending (no memory first),
// computed by the database so that only the cards wanted leave it.
func (r *ProgressRepo) Due(ctx context.Context, userID, deckID string, q domain.DueQuery) ([]domain.DueCard, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	var rows []dueRow
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		query := db.Model(&progressRow{}).
			Select("card_id, due_at, last_reviewed_at, stability").
			Where("user_id = ? AND deck_id = ? AND due_at < ? AND last_reviewed_at IS NOT NULL AND NOT suspended",
				userID, deckID, dbTime(q.Before))
		if q.LeastRetrievableFirst {
			// One expression for the whole ORDER BY: GORM keeps the columns of a later
			// Order, not an expression before them.
			query = query.Order(clause.OrderBy{Expression: clause.Expr{SQL: r.recallOrder() + ", due_at, card_id", Vars: []any{dbTime(q.Now)}}})
		} else {
			query = query.Order("due_at, card_id")
		}
		return query.Limit(q.Limit).Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: due %s/%s: %w", userID, deckID, translate(err))
	}
	out := make([]domain.DueCard, len(rows))
	for i, row := range rows {
		out[i] = domain.DueCard{CardID: row.CardID, DueAt: row.DueAt.UTC(), LastReviewedAt: fromNullTime(row.LastReviewedAt), Stability: row.Stability}
	}
	return out, nil
}

// recallOrder is the ORDER BY term, in this database's dialect, putting the cards least
// likely recalled at its one parameter (now) first: no memory (stability 0), then the
// largest elapsed time over stability.
func (r *ProgressRepo) recallOrder() string {
	elapsed := "EXTRACT(EPOCH FROM (?::timestamptz - last_reviewed_at))"
	if r.db.dialect == DialectSQLite {
		elapsed = "(julianday(?) - julianday(last_reviewed_at))"
	}
	return "stability > 0, " + elapsed + " / NULLIF(stability, 0) DESC"
}

// Unstudied lists up to limit cards of deckID userID never studied and did not suspend,
// in the order they were added: the deck's cards in insertion order through the index
// on (deck_id, seq), skipping those in the set of the deck's studied or suspended cards,
// which the database hashes once (NOT IN a subquery: progress.card_id is never NULL).
func (r *ProgressRepo) Unstudied(ctx context.Context, userID, deckID string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ids []string
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		studied := db.Session(&gorm.Session{NewDB: true}).Model(&progressRow{}).Select("card_id").
			Where("user_id = ? AND deck_id = ? AND (last_reviewed_at IS NOT NULL OR suspended)", userID, deckID)
		return db.Model(&cardRow{}).
			Where("deck_id = ? AND id NOT IN (?)", deckID, studied).
			Order("seq").Limit(limit).Pluck("id", &ids).Error
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: unstudied %s/%s: %w", userID, deckID, translate(err))
	}
	return ids, nil
}

// Reschedule changes userID's deckID with deckFn (the deck row locked) and hands every
// progress row of the deck, with its card's review log, to fn; the deck and the changed
// rows commit in one transaction.
func (r *ProgressRepo) Reschedule(ctx context.Context, userID, deckID string, deckFn func(*domain.Deck) error,
	fn func(p *domain.Progress, log []domain.Review) error,
) (*domain.Deck, []domain.Progress, error) {
	var (
		deck domain.Deck
		out  []domain.Progress
	)
	err := r.db.runLong(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			if err := r.db.extendStatementBounds(tx, longOperationFactor); err != nil {
				return err
			}
			var err error
			deck, out, err = reschedule(tx, userID, deckID, deckFn, fn)
			return err
		})
	})
	if errors.Is(err, errStaleProgress) {
		err = domain.ErrConflict // a review of the deck committed meanwhile
	}
	if err != nil {
		return nil, nil, fmt.Errorf("progress repo: reschedule %s/%s: %w", userID, deckID, translate(err))
	}
	return &deck, out, nil
}

// reschedule is Reschedule's transaction.
func reschedule(tx *gorm.DB, userID, deckID string, deckFn func(*domain.Deck) error,
	fn func(p *domain.Progress, log []domain.Review) error,
) (domain.Deck, []domain.Progress, error) {
	deck, err := updateDeck(tx, userID, deckID, deckFn)
	if err != nil {
		return domain.Deck{}, nil, err
	}
	var rows []progressRow
	if err := tx.Where("user_id = ? AND deck_id = ?", userID, deckID).Order("card_id").Find(&rows).Error; err != nil {
		return domain.Deck{}, nil, err
	}
	logs, err := deckLog(tx, userID, deckID)
	if err != nil {
		return domain.Deck{}, nil, err
	}
	loaded := make([]domain.Progress, len(rows))
	next := make([]progressRow, len(rows))
	for i := range rows {
		loaded[i] = rows[i].toDomain()
		p := loaded[i]
		if err := fn(&p, logs[p.CardID]); err != nil {
			return domain.Deck{}, nil, err
		}
		p.UserID, p.CardID, p.DeckID, p.Version = loaded[i].UserID, loaded[i].CardID, loaded[i].DeckID, loaded[i].Version+1
		next[i] = newProgressRow(&p)
	}
	changes, err := saveProgressBatch(tx, next, loaded)
	if err != nil {
		return domain.Deck{}, nil, err
	}
	if err := logChanges(tx, userID, deck.UpdatedAt, append(changes, deckChanged(deckID))...); err != nil {
		return domain.Deck{}, nil, err
	}
	out := make([]domain.Progress, len(next))
	for i := range next {
		out[i] = next[i].toDomain()
	}
	return deck, out, nil
}

// rescheduleBatch is how many progress rows one statement of saveProgressBatch writes.
const rescheduleBatch = 500

// saveProgressBatch writes rows, each over the progress loaded at the same index in the
// same transaction, a batch of rows per statement (an upsert whose update applies only
// where the stored version is still the loaded one): errStaleProgress when any row
// changed meanwhile. Changed card flags are copied to the card rows, as saveProgress does;
// the changes to log are returned.
func saveProgressBatch(tx *gorm.DB, rows []progressRow, loaded []domain.Progress) ([]domain.Change, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	columns := make([]string, 0, len(progressColumns))
	columns = append(columns, progressColumns...)
	res := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "card_id"}},
		DoUpdates: clause.AssignmentColumns(columns),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "progress.version = excluded.version - 1"}}},
	}).CreateInBatches(rows, rescheduleBatch)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != int64(len(rows)) {
		return nil, errStaleProgress
	}
	var changes []domain.Change
	for i := range rows {
		if saved := rows[i].toDomain(); !domain.SameCardState(saved.CardState, loaded[i].CardState) {
			changes = append(changes, progressChanged(rows[i].DeckID, rows[i].CardID))
		}
		if rows[i].Suspended != loaded[i].Suspended || rows[i].Leech != loaded[i].Leech {
			err := tx.Table("cards").Where("id = ?", rows[i].CardID).
				Updates(map[string]any{"suspended": rows[i].Suspended, "leech": rows[i].Leech, "updated_at": rows[i].UpdatedAt}).Error
			if err != nil {
				return nil, err
			}
			changes = append(changes, cardChanged(rows[i].DeckID, rows[i].CardID))
		}
	}
	return changes, nil
}

// deckLog returns the review log of userID's deckID per card, in commit order.
func deckLog(tx *gorm.DB, userID, deckID string) (map[string][]domain.Review, error) {
	var rows []reviewRow
	if err := tx.Where("user_id = ? AND deck_id = ?", userID, deckID).Order("seq").Find(&rows).Error; err != nil {
		return nil, err
	}
	reviews, err := toReviews(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]domain.Review)
	for _, r := range reviews {
		out[r.CardID] = append(out[r.CardID], r)
	}
	return out, nil
}
