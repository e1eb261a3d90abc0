package gormdb

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
)

// deckCount is one row of a grouped count.
type deckCount struct {
	DeckID string `gorm:"column:deck_id"`
	Kind   string `gorm:"column:kind"`
	N      int    `gorm:"column:n"`
}

// CountsByDeck counts, for every deck of userID, the learner day from dayStart to
// nextDayStart, in four grouped queries over the user's rows: the decks' card counts,
// the cards due (the index on (user_id, due_at)), the cards studied or suspended, and
// the day's graded answers (the index on (user_id, reviewed_at); answers taken back do
// not count).
func (r *ProgressRepo) CountsByDeck(ctx context.Context, userID string, dayStart, nextDayStart time.Time) (map[string]domain.DeckCounts, error) {
	out := make(map[string]domain.DeckCounts)
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		var decks []struct {
			ID        string `gorm:"column:id"`
			CardCount int    `gorm:"column:card_count"`
		}
		if err := db.Model(&deckRow{}).Select("id, card_count").Where("user_id = ?", userID).Find(&decks).Error; err != nil {
			return err
		}
		for _, d := range decks {
			out[d.ID] = domain.DeckCounts{Unstudied: d.CardCount}
		}
		var due, studied, answered []deckCount
		err := db.Model(&progressRow{}).Select("deck_id, COUNT(*) AS n").
			Where("user_id = ? AND due_at < ? AND last_reviewed_at IS NOT NULL AND NOT suspended", userID, dbTime(nextDayStart)).
			Group("deck_id").Find(&due).Error
		if err != nil {
			return err
		}
		err = db.Model(&progressRow{}).Select("deck_id, COUNT(*) AS n").
			Where("user_id = ? AND (last_reviewed_at IS NOT NULL OR suspended)", userID).
			Group("deck_id").Find(&studied).Error
		if err != nil {
			return err
		}
		undone := db.Session(&gorm.Session{NewDB: true}).Model(&reviewRow{}).Select("undone_id").
			Where("user_id = ? AND reviewed_at >= ? AND kind = ?", userID, dbTime(dayStart), string(domain.ReviewUndo))
		err = db.Model(&reviewRow{}).Select("deck_id, kind, COUNT(*) AS n").
			Where("user_id = ? AND reviewed_at >= ? AND kind IN ?", userID, dbTime(dayStart),
				[]string{string(domain.ReviewNew), string(domain.ReviewReview)}).
			Where("id NOT IN (?)", undone).Group("deck_id, kind").Find(&answered).Error
		if err != nil {
			return err
		}
		for _, c := range due {
			adjust(out, c.DeckID, func(dc *domain.DeckCounts) { dc.Due = c.N })
		}
		for _, c := range studied {
			adjust(out, c.DeckID, func(dc *domain.DeckCounts) { dc.Unstudied = max(dc.Unstudied-c.N, 0) })
		}
		for _, c := range answered {
			adjust(out, c.DeckID, func(dc *domain.DeckCounts) {
				if domain.ReviewKind(c.Kind) == domain.ReviewNew {
					dc.NewToday = c.N
				} else {
					dc.ReviewsToday = c.N
				}
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: counts of %s: %w", userID, translate(err))
	}
	return out, nil
}

// adjust changes the counts of a deck that exists in out (a row of a deck deleted
// meanwhile is ignored).
func adjust(out map[string]domain.DeckCounts, deckID string, fn func(*domain.DeckCounts)) {
	c, ok := out[deckID]
	if !ok {
		return
	}
	fn(&c)
	out[deckID] = c
}

// StudiedCards lists the cards userID has a progress row of.
func (r *ProgressRepo) StudiedCards(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := r.db.run(ctx, budgetStudy, func(db *gorm.DB) error {
		return db.Model(&progressRow{}).Where("user_id = ?", userID).Pluck("card_id", &ids).Error
	})
	if err != nil {
		return nil, fmt.Errorf("progress repo: studied cards of %s: %w", userID, translate(err))
	}
	return ids, nil
}
