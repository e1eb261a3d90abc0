package security_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/test/apptest"
)

// trustedOrigin is the web app CORS_ALLOWED_ORIGINS lets send unsafe requests.
const trustedOrigin = "https://app.example.com"

// TestCrossSiteRequestsAreRefused covers finding 5: CSRF protection rested on
// SameSite=Lax alone, so a page on another site could create a deck with the visitor's
// session cookie (a text/plain "simple" request) and log the visitor in to an account
// of its choosing. A browser's unsafe request from another site is now refused with 403
// before anything runs, whatever its body, while a trusted web-app origin, the service's
// own pages and API clients that send no browser headers are unaffected. The defence
// does not depend on the stores, so it runs on the embedded stack only.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, map[string]string{"CORS_ALLOWED_ORIGINS": trustedOrigin})
	browser := a.Client() // authenticated by its session cookie alone
	browser.Register("visitor@example.com")
	browser.Login("visitor@example.com")
	require.Equal(t, http.StatusOK, browser.Do(http.MethodGet, "/v1/decks", nil).StatusCode)

	crossSiteRequestsAreRefused(t, browser)
	crossSiteLoginIsRefused(t, a)

	for _, tc := range []struct{ name, origin, site string }{
		{"trusted origin", trustedOrigin, "cross-site"},
		{"same origin", a.BaseURL, "same-origin"},
	} {
		browser.Header = http.Header{"Origin": {tc.origin}, "Sec-Fetch-Site": {tc.site}}
		res := browser.Do(http.MethodPost, "/v1/decks", map[string]string{"name": tc.name})
		assert.Equal(t, http.StatusCreated, res.StatusCode, "%s: %s", tc.name, res.Body)
	}
	api := signedIn(a, "api@example.com") // a bearer token and no browser headers
	createDeck(t, api, "from an API client")

	browser.Header = http.Header{}
	assert.ElementsMatch(t, []string{"trusted origin", "same origin"}, deckNames(t, browser))
}

// crossSiteRequestsAreRefused sends unsafe requests with browser's session cookie as
// a page of https://evil.example would make a browser send them, and checks that they
// are refused and create nothing.
func crossSiteRequestsAreRefused(t *testing.T, browser *apptest.Client) {
	t.Helper()
	for _, tc := range []struct {
		name    string
		header  http.Header
		payload string
	}{
		{"text/plain form", crossSite("text/plain", true), `{"name":"csrf text"}`},
		{"urlencoded form", crossSite("application/x-www-form-urlencoded", true), `name=csrf+form`},
		{"JSON by fetch", crossSite("application/json", true), `{"name":"csrf json"}`},
		{"JSON from a browser without Sec-Fetch-Site", crossSite("application/json", false), `{"name":"csrf origin"}`},
	} {
		browser.Header = tc.header
		res := browser.Do(http.MethodPost, "/v1/decks", tc.payload)
		if assert.Equal(t, http.StatusForbidden, res.StatusCode, "%s: %s", tc.name, res.Body) {
			assert.Equal(t, "forbidden", res.ProblemCode(t), tc.name)
		}
	}
	browser.Header = http.Header{}
	assert.Empty(t, deckNames(t, browser), "a cross-site request created a deck")
}

// crossSiteLoginIsRefused checks that another site cannot log a visitor's browser in
// to an account of its choosing: the login is refused and sets no cookie.
func crossSiteLoginIsRefused(t *testing.T, a *apptest.App) {
	t.Helper()
	a.Client().Register("attacker@example.com")
	for _, contentType := range []string{"text/plain", "application/json"} {
		victim := a.Client()
		victim.Header = crossSite(contentType, true)
		res := victim.Do(http.MethodPost, "/v1/auth/login",
			`{"email":"attacker@example.com","password":"`+apptest.Password+`"}`)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "%s login: %s", contentType, res.Body)
		assert.Empty(t, res.Header.Values("Set-Cookie"), "%s login", contentType)
		_, ok := victim.Cookie(httpapi.SessionCookieName)
		assert.False(t, ok, "%s login planted a session cookie", contentType)
	}
}

// crossSite returns the headers of a request a page on https://evil.example makes a
// browser send, with Sec-Fetch-Site when the browser sends it.
func crossSite(contentType string, fetchMetadata bool) http.Header {
	h := http.Header{"Origin": {"https://evil.example"}, "Content-Type": {contentType}}
	if fetchMetadata {
		h.Set("Sec-Fetch-Site", "cross-site")
	}
	return h
}
