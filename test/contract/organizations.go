package contract

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// organizationRepoProperties are the behaviours of the OrganizationRepo contract, one
// check each.
var organizationRepoProperties = []property[Repositories]{
	{"GetDefaultOrganization", orgGetDefault},
	{"GetOfUnknownIsNotFound", orgGetUnknown},
	{"ListOrderedByName", orgListOrdered},
}

// OrganizationRepo checks a ports.OrganizationRepo over a database holding at least the
// seeded default organization.
func OrganizationRepo(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	runProperties(t, newRepos(t), organizationRepoProperties)
}

// orgGetDefault checks that Get returns the default organization.
func orgGetDefault(t *testing.T, repos Repositories) {
	org, err := repos.Organizations.Get(t.Context(), domain.DefaultOrganizationID)
	require.NoError(t, err)
	assert.Equal(t, domain.DefaultOrganizationID, org.ID)
	assert.Equal(t, "Default", org.Name)
	assert.Equal(t, domain.OrgORG, org.Type)
	assert.False(t, org.CreatedAt.IsZero(), "created_at not set")
}

// orgGetUnknown checks that Get of an unknown organization is ErrNotFound.
func orgGetUnknown(t *testing.T, repos Repositories) {
	org, err := repos.Organizations.Get(t.Context(), newRepoFixture(t, repos).newID())
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.Nil(t, org)
}

// orgListOrdered checks that List returns every organization ordered by name.
func orgListOrdered(t *testing.T, repos Repositories) {
	orgs, err := repos.Organizations.List(t.Context())
	require.NoError(t, err)
	assert.True(t, slices.IsSortedFunc(orgs, func(a, b domain.Organization) int {
		return strings.Compare(a.Name, b.Name)
	}), "not ordered by name: %v", orgs)
	i := slices.IndexFunc(orgs, func(o domain.Organization) bool { return o.ID == domain.DefaultOrganizationID })
	require.GreaterOrEqual(t, i, 0, "default organization missing from %v", orgs)
	assert.Equal(t, domain.OrgORG, orgs[i].Type)
	for _, o := range orgs {
		assert.True(t, o.Type.Valid(), "organization %s has type %q", o.ID, o.Type)
	}
}
