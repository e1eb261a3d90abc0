package domain

import "time"

// OrganizationType classifies an organization; the set is closed.
type OrganizationType string

// The organization types the product knows.
const (
	OrgPERP     OrganizationType = "PERP"
	OrgSERP     OrganizationType = "SERP"
	OrgREGISTRY OrganizationType = "REGISTRY"
	OrgORG      OrganizationType = "ORG"
	OrgCU       OrganizationType = "CU"
)

// DefaultOrganizationID is the organization seeded by the first migration; users who
// register without naming one belong to it.
const DefaultOrganizationID = "00000000-0000-0000-0000-000000000001"

// Valid reports whether t is one of the known organization types.
func (t OrganizationType) Valid() bool {
	switch t {
	case OrgPERP, OrgSERP, OrgREGISTRY, OrgORG, OrgCU:
		return true
	}
	return false
}

// Organization is a tenant that users belong to.
type Organization struct {
	ID        string
	Name      string
	Type      OrganizationType
	CreatedAt time.Time
}
