package gormdb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// userRow is the users table.
type userRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	Email          string    `gorm:"column:email"`
	PasswordHash   string    `gorm:"column:password_hash"`
	DisplayName    string    `gorm:"column:display_name"`
	OrganizationID string    `gorm:"column:organization_id"`
	Permissions    string    `gorm:"column:permissions"` // JSON array
	TimeZone       string    `gorm:"column:time_zone"`
	DayStartHour   int       `gorm:"column:day_start_hour"`
	CreatedAt      time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (userRow) TableName() string { return "users" }

func newUserRow(u *domain.User) (userRow, error) {
	perms := u.Permissions
	if perms == nil {
		perms = []string{}
	}
	encoded, err := json.Marshal(perms)
	if err != nil {
		return userRow{}, fmt.Errorf("encode permissions: %w", err)
	}
	return userRow{
		ID:             u.ID,
		Email:          u.Email,
		PasswordHash:   u.PasswordHash,
		DisplayName:    u.DisplayName,
		OrganizationID: u.OrganizationID,
		Permissions:    string(encoded),
		TimeZone:       u.TimeZone,
		DayStartHour:   u.DayStartHour,
		CreatedAt:      dbTime(u.CreatedAt),
		UpdatedAt:      dbTime(u.UpdatedAt),
	}, nil
}

func (r *userRow) toDomain() (*domain.User, error) {
	var perms []string
	if err := json.Unmarshal([]byte(r.Permissions), &perms); err != nil {
		return nil, fmt.Errorf("decode permissions of user %s: %w", r.ID, err)
	}
	if len(perms) == 0 {
		perms = nil
	}
	return &domain.User{
		ID:             r.ID,
		Email:          r.Email,
		PasswordHash:   r.PasswordHash,
		DisplayName:    r.DisplayName,
		OrganizationID: r.OrganizationID,
		Permissions:    perms,
		TimeZone:       r.TimeZone,
		DayStartHour:   r.DayStartHour,
		CreatedAt:      r.CreatedAt.UTC(),
		UpdatedAt:      r.UpdatedAt.UTC(),
	}, nil
}

// UserRepo stores users. Emails are unique; callers pass them normalized.
type UserRepo struct {
	db *DB
}

var _ ports.UserRepo = (*UserRepo)(nil)

// NewUserRepo returns a UserRepo on db.
func NewUserRepo(db *DB) *UserRepo { return &UserRepo{db: db} }

// Create inserts u. A taken email is domain.ErrEmailTaken, a taken id domain.ErrConflict
// and an unknown organization domain.ErrNotFound.
func (r *UserRepo) Create(ctx context.Context, u *domain.User) error {
	row, err := newUserRow(u)
	if err != nil {
		return fmt.Errorf("user repo: create %s: %w", u.ID, err)
	}
	err = r.db.run(ctx, budgetContent, func(db *gorm.DB) error { return db.Create(&row).Error })
	if err != nil {
		return fmt.Errorf("user repo: create %s: %w", u.ID, translateUserErr(err))
	}
	return nil
}

// GetByID returns the user or domain.ErrNotFound.
func (r *UserRepo) GetByID(ctx context.Context, id string) (*domain.User, error) {
	u, err := r.find(ctx, "id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("user repo: get %s: %w", id, err)
	}
	return u, nil
}

// GetByEmail returns the user with the normalized email or domain.ErrNotFound.
func (r *UserRepo) GetByEmail(ctx context.Context, email string) (*domain.User, error) {
	u, err := r.find(ctx, "email = ?", email)
	if err != nil {
		return nil, fmt.Errorf("user repo: get by email: %w", err)
	}
	return u, nil
}

// Update loads user id (locking its row on PostgreSQL), applies fn and saves the result
// in one transaction, returning the user as stored. fn cannot change the id; an error
// from fn leaves the user unchanged and is returned wrapped.
func (r *UserRepo) Update(ctx context.Context, id string, fn func(*domain.User) error) (*domain.User, error) {
	var updated *domain.User
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			var err error
			updated, err = updateUser(tx, id, fn)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("user repo: update %s: %w", id, translateUserErr(err))
	}
	return updated, nil
}

// Delete erases user id; the foreign keys cascade to everything of theirs (decks, cards,
// progress, the review log, the change log). An account with a long history may take a
// while: the operation has the long bound.
func (r *UserRepo) Delete(ctx context.Context, id string) error {
	err := r.db.runLong(ctx, budgetContent, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			if err := r.db.extendStatementBounds(tx, longOperationFactor); err != nil {
				return err
			}
			res := tx.Where("id = ?", id).Delete(&userRow{})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return gorm.ErrRecordNotFound
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("user repo: delete %s: %w", id, translate(err))
	}
	return nil
}

// updateUser is Update's transaction.
func updateUser(tx *gorm.DB, id string, fn func(*domain.User) error) (*domain.User, error) {
	u, err := first(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}), "id = ?", id)
	if err != nil {
		return nil, err
	}
	if err := fn(u); err != nil {
		return nil, err
	}
	u.ID = id
	row, err := newUserRow(u)
	if err != nil {
		return nil, err
	}
	err = tx.Model(&row).
		Select("email", "password_hash", "display_name", "organization_id", "permissions",
			"time_zone", "day_start_hour", "created_at", "updated_at").
		Updates(&row).Error
	if err != nil {
		return nil, err
	}
	return row.toDomain() // as stored: UTC, microseconds
}

// find reads the user matching cond.
func (r *UserRepo) find(ctx context.Context, cond, arg string) (*domain.User, error) {
	var u *domain.User
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		var err error
		u, err = first(db, cond, arg)
		return err
	})
	return u, err
}

// first reads the user matching cond with q.
func first(q *gorm.DB, cond, arg string) (*domain.User, error) {
	var row userRow
	if err := q.Where(cond, arg).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	return row.toDomain()
}

// translateUserErr is translate, with the unique email told apart from other conflicts.
func translateUserErr(err error) error {
	if violates(err, "email") {
		return domain.ErrEmailTaken
	}
	return translate(err)
}
