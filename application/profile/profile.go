package profile

import (
	"time"

	"github.com/studytool/studytool/domain"
)

// Profile is the user as the user sees themself: no password hash, with the type of
// their organization resolved. The JSON names are its cache encoding (schema version in
// keys.go), not the HTTP shape, which the HTTP adapter maps on its own.
type Profile struct {
	ID               string                  `json:"id"`
	Email            string                  `json:"email"`
	DisplayName      string                  `json:"displayName"`
	OrganizationID   string                  `json:"organizationId"`
	OrganizationType domain.OrganizationType `json:"organizationType"`
	Permissions      []string                `json:"permissions"`
	CreatedAt        time.Time               `json:"createdAt"`
	UpdatedAt        time.Time               `json:"updatedAt"`
}

// newProfile builds the profile of u in org.
func newProfile(u *domain.User, org *domain.Organization) *Profile {
	perms := u.Permissions
	if perms == nil {
		perms = []string{}
	}
	return &Profile{
		ID:               u.ID,
		Email:            u.Email,
		DisplayName:      u.DisplayName,
		OrganizationID:   u.OrganizationID,
		OrganizationType: org.Type,
		Permissions:      perms,
		CreatedAt:        u.CreatedAt,
		UpdatedAt:        u.UpdatedAt,
	}
}
