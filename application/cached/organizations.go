package cached

import (
	"context"
	"fmt"
	"time"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Cached features of reference data; schema version 1.
const (
	featureOrganization      = "org"
	featureOrganizationList  = "org:list"
	organizationSchema       = 1
	organizationListIdentity = "all"
)

var _ ports.OrganizationRepo = (*Organizations)(nil)

// Organizations reads organizations through the cache with the application-level TTL.
// Organizations are created and changed only by migrations and operators, so entries
// simply expire (or are dropped with the admin invalidation).
type Organizations struct {
	repo ports.OrganizationRepo
	deps Deps
	ttl  time.Duration
}

// NewOrganizations wraps repo, the database's organizations; ttl is the application-level
// TTL (CACHE_APP_TTL).
func NewOrganizations(repo ports.OrganizationRepo, deps Deps, ttl time.Duration) *Organizations {
	return &Organizations{repo: repo, deps: deps, ttl: ttl}
}

// Get returns the organization id, from the cache when it holds it. Unknown ids are cached
// briefly as absent, so they cannot be used to hammer the database.
func (o *Organizations) Get(ctx context.Context, id string) (*domain.Organization, error) {
	org, err := cache.GetOrLoad(ctx, o.deps.Cache, cache.NewKey(featureOrganization, organizationSchema, id),
		func(ctx context.Context) (*domain.Organization, error) { return o.repo.Get(ctx, id) },
		cache.WithTTL(o.ttl))
	if err != nil {
		return nil, fmt.Errorf("organization %s: %w", id, err)
	}
	return org, nil
}

// List returns every organization, from the cache when it holds the list.
func (o *Organizations) List(ctx context.Context) ([]domain.Organization, error) {
	orgs, err := cache.GetOrLoad(ctx, o.deps.Cache, cache.NewKey(featureOrganizationList, organizationSchema, organizationListIdentity),
		o.repo.List, cache.WithTTL(o.ttl))
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	return orgs, nil
}

// Warmer loads every organization into the cache, individually and as the list.
func (o *Organizations) Warmer() cache.Warmer {
	return cache.Warmer{Feature: featureOrganization, Warm: func(ctx context.Context) error {
		orgs, err := o.List(ctx)
		if err != nil {
			return err
		}
		for _, org := range orgs {
			if _, err := o.Get(ctx, org.ID); err != nil {
				return err
			}
		}
		return nil
	}}
}
