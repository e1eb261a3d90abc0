package gormdb

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// organizationRow is the organizations table.
type organizationRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	Name      string    `gorm:"column:name"`
	Type      string    `gorm:"column:type"`
	CreatedAt time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

func (organizationRow) TableName() string { return "organizations" }

func (r *organizationRow) toDomain() domain.Organization {
	return domain.Organization{
		ID:        r.ID,
		Name:      r.Name,
		Type:      domain.OrganizationType(r.Type),
		CreatedAt: r.CreatedAt.UTC(),
	}
}

// OrganizationRepo reads organizations, which migrations seed.
type OrganizationRepo struct {
	db *DB
}

var _ ports.OrganizationRepo = (*OrganizationRepo)(nil)

// NewOrganizationRepo returns an OrganizationRepo on db.
func NewOrganizationRepo(db *DB) *OrganizationRepo { return &OrganizationRepo{db: db} }

// Get returns the organization or domain.ErrNotFound.
func (r *OrganizationRepo) Get(ctx context.Context, id string) (*domain.Organization, error) {
	var row organizationRow
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error { return db.Where("id = ?", id).Take(&row).Error })
	if err != nil {
		return nil, fmt.Errorf("organization repo: get %s: %w", id, translate(err))
	}
	org := row.toDomain()
	return &org, nil
}

// List returns every organization ordered by name (then id, for equal names).
func (r *OrganizationRepo) List(ctx context.Context) ([]domain.Organization, error) {
	var rows []organizationRow
	err := r.db.run(ctx, budgetContent, func(db *gorm.DB) error { return db.Order("name, id").Find(&rows).Error })
	if err != nil {
		return nil, fmt.Errorf("organization repo: list: %w", translate(err))
	}
	orgs := make([]domain.Organization, len(rows))
	for i := range rows {
		orgs[i] = rows[i].toDomain()
	}
	return orgs, nil
}
