package security_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/apptest"
)

// TestOrganizationIsNotChosenByTheClient_Postgres covers finding 6: anyone joined any
// organization by sending its organizationId at registration. The field is now unknown
// (422 naming it, and no account is made), and every account joins the default
// organization.
func TestOrganizationIsNotChosenByTheClient_Postgres(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c := a.Client()
			for _, org := range []string{"5b0c7a52-2f36-4c8e-9d55-0d1c1f0e6a11", domain.DefaultOrganizationID} {
				res := c.Do(http.MethodPost, "/v1/auth/register", map[string]string{
					"email": "joiner@example.com", "password": apptest.Password, "displayName": "Joiner", "organizationId": org,
				})
				assertInvalid(t, res, "organizationId")
			}

			user := c.Register("joiner@example.com") // 201, not 409: the refusals made no account
			assert.Equal(t, domain.DefaultOrganizationID, user.OrganizationID)
			assert.Equal(t, domain.DefaultOrganizationID, c.Login("joiner@example.com").Session.OrganizationID)
		})
	}
}
