package gormdb

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// profileRow is a user joined with the type of their organization.
type profileRow struct {
	User             userRow `gorm:"embedded"`
	OrganizationType string  `gorm:"column:organization_type"`
}

// ProfileRepo reads users as they see themselves, in one query: the user joined with
// their organization's type, without the password hash.
type ProfileRepo struct {
	db *DB
}

var _ ports.ProfileRepo = (*ProfileRepo)(nil)

// NewProfileRepo returns a ProfileRepo on db.
func NewProfileRepo(db *DB) *ProfileRepo { return &ProfileRepo{db: db} }

// GetProfile returns the profile of userID or domain.ErrNotFound.
func (r *ProfileRepo) GetProfile(ctx context.Context, userID string) (*domain.Profile, error) {
	var row profileRow
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error {
		return db.Table("users").
			Select("users.id, users.email, users.display_name, users.organization_id, users.permissions, "+
				"users.time_zone, users.day_start_hour, users.created_at, users.updated_at, organizations.type AS organization_type").
			Joins("JOIN organizations ON organizations.id = users.organization_id").
			Where("users.id = ?", userID).Take(&row).Error
	})
	if err != nil {
		return nil, fmt.Errorf("profile repo: get %s: %w", userID, translate(err))
	}
	u, err := row.User.toDomain()
	if err != nil {
		return nil, fmt.Errorf("profile repo: get %s: %w", userID, err)
	}
	p := u.Profile(domain.OrganizationType(row.OrganizationType))
	return &p, nil
}
