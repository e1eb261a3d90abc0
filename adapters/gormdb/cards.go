package gormdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/studytool/studytool/domain"
)

// errBadPosition reports a page position this repository did not hand out.
var errBadPosition = errors.New("unknown page position")

// parsePosition reads a position a page returned (a sequence number); "" is the start.
func parsePosition(after string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(after, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.NewValidationError("cursor", errBadPosition.Error())
	}
	return n, nil
}

// PageCards returns up to page.Limit cards of userID's deck after page.After, by their
// insertion order (the seq column and its index), so a card added or deleted meanwhile
// neither shifts nor repeats the others.
func (r *DeckRepo) PageCards(ctx context.Context, userID, deckID string, page domain.Page) ([]domain.Card, string, error) {
	after, err := parsePosition(page.After)
	if err != nil {
		return nil, "", err
	}
	var rows []cardRow
	err = r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		if err := checkOwner(db, userID, deckID); err != nil {
			return err
		}
		return db.Where("deck_id = ? AND seq > ?", deckID, after).Order("seq").Limit(page.Limit + 1).Find(&rows).Error
	})
	if err != nil {
		return nil, "", fmt.Errorf("deck repo: page cards of %s: %w", deckID, translate(err))
	}
	next := ""
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		next = strconv.FormatInt(rows[len(rows)-1].Seq, 10)
	}
	cards := make([]domain.Card, len(rows))
	for i := range rows {
		cards[i] = rows[i].toDomain()
	}
	return cards, next, nil
}

// GetCard returns userID's card cardID, of whichever of their decks.
func (r *DeckRepo) GetCard(ctx context.Context, userID, cardID string) (*domain.Card, error) {
	var row cardRow
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		return ownedCard(db, userID, cardID).Take(&row).Error
	})
	if err != nil {
		return nil, fmt.Errorf("deck repo: get card %s: %w", cardID, translate(err))
	}
	c := row.toDomain()
	return &c, nil
}

// ownedCard selects card cardID if it belongs to one of userID's decks.
func ownedCard(q *gorm.DB, userID, cardID string) *gorm.DB {
	return q.Model(&cardRow{}).Select("cards.*").Joins("JOIN decks ON decks.id = cards.deck_id").
		Where("cards.id = ? AND decks.user_id = ?", cardID, userID)
}

// lockCard reads userID's card cardID of deckID in tx, locking its row on PostgreSQL.
func lockCard(tx *gorm.DB, userID, deckID, cardID string) (cardRow, error) {
	var row cardRow
	err := ownedCard(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: "cards"}}), userID, cardID).
		Where("cards.deck_id = ?", deckID).Take(&row).Error
	return row, err
}

// UpdateCard loads userID's card of deckID (locking its row), applies fn and saves its
// sides and UpdatedAt (which fn sets), in one transaction; fn cannot move the card or
// change its flags.
func (r *DeckRepo) UpdateCard(ctx context.Context, userID, deckID, cardID string, fn func(*domain.Card) error) (*domain.Card, error) {
	var updated domain.Card
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			row, err := lockCard(tx, userID, deckID, cardID)
			if err != nil {
				return err
			}
			c := row.toDomain()
			if err := fn(&c); err != nil {
				return err
			}
			if c.Front == row.Front && c.Back == row.Back && c.UpdatedAt.Equal(row.UpdatedAt) {
				updated = row.toDomain() // nothing changed: nothing to write or to sync
				return nil
			}
			err = tx.Model(&cardRow{}).Where("id = ?", cardID).
				Updates(map[string]any{"front": c.Front, "back": c.Back, "updated_at": dbTime(c.UpdatedAt)}).Error
			if err != nil {
				return err
			}
			row.Front, row.Back, row.UpdatedAt = c.Front, c.Back, dbTime(c.UpdatedAt)
			updated = row.toDomain()
			return logChanges(tx, userID, c.UpdatedAt, cardChanged(deckID, cardID))
		})
	})
	if err != nil {
		return nil, fmt.Errorf("deck repo: update card %s: %w", cardID, translate(err))
	}
	return &updated, nil
}

// DeleteCard deletes userID's card of deckID, its progress and its review log (the
// foreign keys cascade), and counts it out of the deck, once check accepts the card.
func (r *DeckRepo) DeleteCard(ctx context.Context, userID, deckID, cardID string, at time.Time, check func(*domain.Card) error) error {
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			row, err := lockCard(tx, userID, deckID, cardID)
			if err != nil {
				return err
			}
			c := row.toDomain()
			if err := check(&c); err != nil {
				return err
			}
			if err := tx.Where("id = ?", cardID).Delete(&cardRow{}).Error; err != nil {
				return err
			}
			err = tx.Model(&deckRow{}).Where("id = ?", deckID).
				UpdateColumns(map[string]any{"card_count": gorm.Expr("card_count - 1"), "updated_at": dbTime(at)}).Error
			if err != nil {
				return err
			}
			return logChanges(tx, userID, at,
				domain.Change{Kind: domain.EntityCard, EntityID: cardID, DeckID: deckID, Deleted: true}, deckChanged(deckID))
		})
	})
	if err != nil {
		return fmt.Errorf("deck repo: delete card %s: %w", cardID, translate(err))
	}
	return nil
}

// DeleteDeck deletes userID's deck once check accepts it as stored (its row locked);
// its cards, their progress and the deck's review log go with it (the foreign keys
// cascade). It returns the ids of the cards that had progress, read in the same
// transaction. A large deck may take a while: the operation has the long bound.
func (r *DeckRepo) DeleteDeck(ctx context.Context, userID, deckID string, at time.Time, check func(*domain.Deck) error) ([]string, error) {
	var studied []string
	err := r.db.runLong(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			if err := r.db.extendStatementBounds(tx, longOperationFactor); err != nil {
				return err
			}
			var row deckWithCount
			err := decksWithCount(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: "decks"}}), userID).
				Where("decks.id = ?", deckID).Take(&row).Error
			if err != nil {
				return err
			}
			d, err := row.toDomain()
			if err != nil {
				return err
			}
			if err := check(&d); err != nil {
				return err
			}
			if err := tx.Model(&progressRow{}).Where("user_id = ? AND deck_id = ?", userID, deckID).Pluck("card_id", &studied).Error; err != nil {
				return err
			}
			if err := tx.Where("id = ? AND user_id = ?", deckID, userID).Delete(&deckRow{}).Error; err != nil {
				return err
			}
			return logChanges(tx, userID, at, domain.Change{Kind: domain.EntityDeck, EntityID: deckID, DeckID: deckID, Deleted: true})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("deck repo: delete %s: %w", deckID, translate(err))
	}
	return studied, nil
}
