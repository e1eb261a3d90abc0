package security_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// from returns a new client of a whose requests come from ip: the app trusts
// 127.0.0.1 as a proxy (TRUSTED_PROXIES), so X-Forwarded-For names the client.
func from(a *apptest.App, ip string) *apptest.Client {
	c := a.Client()
	c.Header.Set("X-Forwarded-For", ip)
	return c
}

// signedIn registers email and returns a client carrying the session's bearer token.
func signedIn(a *apptest.App, email string) *apptest.Client {
	c := a.Client()
	c.Register(email)
	c.Token = c.Login(email).Token
	return c
}

// logIn sends a login with password and returns the response, whatever it is.
func logIn(c *apptest.Client, email, password string) *apptest.Response {
	return c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password})
}

// registration is a registration body with the given fields.
func registration(email, password, displayName string) map[string]string {
	return map[string]string{"email": email, "password": password, "displayName": displayName}
}

// createDeck creates a deck called name and returns its id.
func createDeck(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	res := c.Do(http.MethodPost, "/v1/decks", map[string]string{"name": name})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
	var deck struct{ ID string }
	res.JSON(t, &deck)
	return deck.ID
}

// deckNames lists the names of the decks c sees.
func deckNames(t *testing.T, c *apptest.Client) []string {
	t.Helper()
	res := c.Do(http.MethodGet, "/v1/decks", nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
	var list struct {
		Decks []struct{ Name string } `json:"items"`
	}
	res.JSON(t, &list)
	names := make([]string, len(list.Decks))
	for i, d := range list.Decks {
		names[i] = d.Name
	}
	return names
}

// assertInvalid asserts a 422 validation_failed naming exactly field.
func assertInvalid(t *testing.T, res *apptest.Response, field string) {
	t.Helper()
	if !assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "body: %s", res.Body) {
		return
	}
	assert.Equal(t, "validation_failed", res.ProblemCode(t))
	assert.Equal(t, []string{field}, res.ProblemFields(t), "body: %s", res.Body)
}

// assertRetryLater asserts a refusal with status and code that says when to retry.
func assertRetryLater(t *testing.T, res *apptest.Response, status int, code string) {
	t.Helper()
	if !assert.Equal(t, status, res.StatusCode, "body: %s", res.Body) {
		return
	}
	assert.Equal(t, code, res.ProblemCode(t))
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	assert.NoError(t, err, "Retry-After %q", res.Header.Get("Retry-After"))
	assert.Positive(t, retry)
}
