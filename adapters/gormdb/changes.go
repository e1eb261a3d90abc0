package gormdb

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// changeRow is the changes table: a user's change log.
type changeRow struct {
	UserID    string    `gorm:"column:user_id;primaryKey"`
	Seq       int64     `gorm:"column:seq;primaryKey"`
	Entity    string    `gorm:"column:entity"`
	EntityID  string    `gorm:"column:entity_id"`
	DeckID    string    `gorm:"column:deck_id"`
	Deleted   bool      `gorm:"column:deleted"`
	ChangedAt time.Time `gorm:"column:changed_at"`
}

func (changeRow) TableName() string { return "changes" }

// changeLogBatch is how many change rows one statement appends.
const changeLogBatch = 500

// deckChanged, cardChanged and progressChanged describe a write of an entity.
func deckChanged(deckID string) domain.Change {
	return domain.Change{Kind: domain.EntityDeck, EntityID: deckID, DeckID: deckID}
}

func cardChanged(deckID, cardID string) domain.Change {
	return domain.Change{Kind: domain.EntityCard, EntityID: cardID, DeckID: deckID}
}

func progressChanged(deckID, cardID string) domain.Change {
	return domain.Change{Kind: domain.EntityProgress, EntityID: cardID, DeckID: deckID}
}

// logChanges appends changes to userID's change log in tx, at at. It advances the
// user's change counter, which locks the user's row until tx ends, and numbers the
// changes after it: the changes of one user therefore commit in the order of their
// numbers, and a client reading the log after the last number it saw misses none. Call
// it last in a transaction, so the lock is held briefly.
func logChanges(tx *gorm.DB, userID string, at time.Time, changes ...domain.Change) error {
	if len(changes) == 0 {
		return nil
	}
	var last int64
	res := tx.Raw("UPDATE users SET change_seq = change_seq + ? WHERE id = ? RETURNING change_seq", len(changes), userID).Scan(&last)
	if res.Error != nil {
		return fmt.Errorf("change log: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return gorm.ErrRecordNotFound
	}
	rows := make([]changeRow, len(changes))
	first := last - int64(len(changes)) + 1
	for i, c := range changes {
		rows[i] = changeRow{
			UserID: userID, Seq: first + int64(i), Entity: string(c.Kind), EntityID: c.EntityID,
			DeckID: c.DeckID, Deleted: c.Deleted, ChangedAt: dbTime(at),
		}
	}
	if err := tx.CreateInBatches(rows, changeLogBatch).Error; err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	return nil
}

// ChangeLog reads a user's change log (the ports.ChangeLog).
type ChangeLog struct {
	db *DB
}

var _ ports.ChangeLog = (*ChangeLog)(nil)

// NewChangeLog returns a ChangeLog on db.
func NewChangeLog(db *DB) *ChangeLog { return &ChangeLog{db: db} }

// Changes returns what changed for userID after change number after, covering at most
// limit changes: the change rows in order, then, in the same transaction, the current
// rows of the decks, cards and progress they name (an entity written several times
// appears once, as it is now; one deleted since is a tombstone).
func (l *ChangeLog) Changes(ctx context.Context, userID string, after int64, limit int) (*domain.ChangeSet, error) {
	set := &domain.ChangeSet{Last: after}
	err := l.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			var rows []changeRow
			err := tx.Where("user_id = ? AND seq > ?", userID, after).Order("seq").Limit(limit + 1).Find(&rows).Error
			if err != nil {
				return err
			}
			if len(rows) > limit {
				rows, set.More = rows[:limit], true
			}
			if len(rows) == 0 {
				return nil
			}
			set.Last = rows[len(rows)-1].Seq
			return loadChanged(tx, userID, latestChanges(rows), set)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("change log: %s after %d: %w", userID, after, translate(err))
	}
	return set, nil
}

// entityKey names an entity of the change log.
type entityKey struct {
	kind domain.EntityKind
	id   string
}

// latestChanges keeps, for each entity, its latest change, in the order of those.
func latestChanges(rows []changeRow) []changeRow {
	latest := make(map[entityKey]int, len(rows))
	for i, r := range rows {
		latest[entityKey{domain.EntityKind(r.Entity), r.EntityID}] = i
	}
	out := make([]changeRow, 0, len(latest))
	for i, r := range rows {
		if latest[entityKey{domain.EntityKind(r.Entity), r.EntityID}] == i {
			out = append(out, r)
		}
	}
	return out
}

// loadChanged fills set with the current rows of changes' entities and the tombstones
// of the deleted ones. An entity written and then deleted by a later change (beyond this
// page) is left for that change to report.
func loadChanged(tx *gorm.DB, userID string, changes []changeRow, set *domain.ChangeSet) error {
	ids := map[domain.EntityKind][]string{}
	for _, c := range changes {
		kind := domain.EntityKind(c.Entity)
		if c.Deleted {
			set.Deleted = append(set.Deleted, domain.Tombstone{Kind: kind, ID: c.EntityID, DeckID: c.DeckID})
			continue
		}
		ids[kind] = append(ids[kind], c.EntityID)
	}
	if deckIDs := ids[domain.EntityDeck]; len(deckIDs) > 0 {
		var rows []deckWithCount
		if err := decksWithCount(tx, userID).Where("decks.id IN ?", deckIDs).Find(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			d, err := rows[i].toDomain()
			if err != nil {
				return err
			}
			set.Decks = append(set.Decks, d)
		}
	}
	if cardIDs := ids[domain.EntityCard]; len(cardIDs) > 0 {
		var rows []cardRow
		err := tx.Model(&cardRow{}).Select("cards.*").Joins("JOIN decks ON decks.id = cards.deck_id").
			Where("decks.user_id = ? AND cards.id IN ?", userID, cardIDs).Order("cards.seq").Find(&rows).Error
		if err != nil {
			return err
		}
		for i := range rows {
			set.Cards = append(set.Cards, rows[i].toDomain())
		}
	}
	if cardIDs := ids[domain.EntityProgress]; len(cardIDs) > 0 {
		var rows []progressRow
		if err := tx.Where("user_id = ? AND card_id IN ?", userID, cardIDs).Order("card_id").Find(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			set.Progress = append(set.Progress, rows[i].toDomain())
		}
	}
	return nil
}
