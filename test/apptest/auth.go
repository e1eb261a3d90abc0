package apptest

import (
	"net/http"
	"time"

	"github.com/stretchr/testify/require"
)

// Password is the password Register gives every account.
const Password = "correct horse battery"

// User is the account object of the API's responses.
type User struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	DisplayName    string    `json:"displayName"`
	OrganizationID string    `json:"organizationId"`
	Permissions    []string  `json:"permissions"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Session is the session object of a login response.
type Session struct {
	ID               string   `json:"id"`
	UserID           string   `json:"userId"`
	OrganizationID   string   `json:"organizationId"`
	OrganizationType string   `json:"organizationType"`
	Permissions      []string `json:"permissions"`
}

// LoginBody is the body of a successful login.
type LoginBody struct {
	Token     string  `json:"token"`
	ExpiresAt string  `json:"expiresAt"`
	Session   Session `json:"session"`
	User      User    `json:"user"`
}

// Register creates an account with Password and returns it; anything but 201 fails the
// test.
func (c *Client) Register(email string) User {
	c.t.Helper()
	res := c.Do(http.MethodPost, "/v1/auth/register", map[string]string{
		"email": email, "password": Password, "displayName": "Tester",
	})
	require.Equal(c.t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var body struct{ User User }
	res.JSON(c.t, &body)
	return body.User
}

// Login logs in with Password; anything but 200 fails the test. The client keeps the
// cookies the app sets, not the token.
func (c *Client) Login(email string) LoginBody {
	c.t.Helper()
	res := c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": Password})
	require.Equal(c.t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var body LoginBody
	res.JSON(c.t, &body)
	return body
}
