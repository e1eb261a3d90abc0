package security_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/test/apptest"
)

// TestHardening_Postgres_Redis covers the lower findings, 7: /metrics was public on the
// API listener; nothing bounded how long a request body could take to arrive; the
// login response could be cached and no response forbade MIME sniffing (nor asked for
// HTTPS in production); the session cookie could be planted from a subdomain; the
// password rule checked the length only; and a password could not be changed, so a
// leaked one stayed valid in every session.
func TestHardening_Postgres_Redis(t *testing.T) {
	t.Run("metrics on their own listener", testMetricsListener)
	t.Run("a trickled body is cut off", testTrickledBody)
	t.Run("security and cache headers", testResponseHeaders)
	t.Run("production sends HSTS", testProduction)
	t.Run("secure cookies carry the __Host- prefix", testSecureCookies)
	t.Run("weak passwords are refused", testWeakPasswords)
	for _, s := range apptest.Stacks {
		t.Run("password change/"+string(s), testPasswordChange(s))
	}
}

// testMetricsListener expects /metrics on the metrics listener only.
func testMetricsListener(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	res := a.Client().Do(http.MethodGet, "/metrics", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the API listener serves /metrics")

	res = apptest.NewClient(t, "http://"+a.Metrics.Addr()).Do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(res.Body), "studytool_password_hashes_total")
}

// testTrickledBody sends a login whose body arrives one byte a second and expects the
// server to answer or close the connection well before the body could be complete.
// The bound is loose on purpose: HTTP_READ_TIMEOUT is 2 s, the test waits 10 s.
func testTrickledBody(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, map[string]string{"HTTP_READ_TIMEOUT": "2s"})
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(t.Context(), "tcp", a.Addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", a.Addr)
	require.NoError(t, err)

	stop := trickle(conn)
	defer stop()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	n, err := conn.Read(make([]byte, 512))
	var netErr net.Error
	assert.False(t, errors.As(err, &netErr) && netErr.Timeout(), "the connection was held for 10 s")
	t.Logf("the server answered %d bytes, then: %v", n, err)
}

// trickle writes one byte a second to conn until a write fails or stop is called.
func trickle(conn net.Conn) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// testResponseHeaders checks the headers of responses of every kind: security headers
// on all of them, no HSTS outside production, no-store on the responses that carry a
// token or an account and private on authenticated ones.
func testResponseHeaders(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	anon := a.Client()
	user := signedIn(a, "headers@example.com")
	login := logIn(anon, "headers@example.com", apptest.Password)
	assert.Equal(t, "no-store", login.Header.Get("Cache-Control"), "login")
	register := anon.Do(http.MethodPost, "/v1/auth/register", registration("new@example.com", apptest.Password, "New"))
	assert.Equal(t, "no-store", register.Header.Get("Cache-Control"), "registration")
	me := user.Do(http.MethodGet, "/v1/me", nil)
	assert.Contains(t, me.Header.Get("Cache-Control"), "private", "an authenticated response")

	responses := map[string]*apptest.Response{
		"login": login, "registration": register, "profile": me,
		"health":         anon.Do(http.MethodGet, "/healthz", nil),
		"unknown path":   anon.Do(http.MethodGet, "/no/such/path", nil),
		"wrong password": logIn(anon, "headers@example.com", wrongPassword),
		"invalid body":   anon.Do(http.MethodPost, "/v1/auth/register", map[string]string{"email": "x"}),
		"no session":     anon.Do(http.MethodGet, "/v1/me", nil),
		"forbidden":      user.Do(http.MethodGet, "/v1/admin/cache/stats", nil),
		"decks":          user.Do(http.MethodGet, "/v1/decks", nil),
		"openapi":        anon.Do(http.MethodGet, "/openapi.yaml", nil),
		"api docs":       anon.Do(http.MethodGet, "/docs", nil),
		"wrong method":   anon.Do(http.MethodPut, "/v1/auth/login", nil),
		"metrics on API": anon.Do(http.MethodGet, "/metrics", nil),
		"deck not found": user.Do(http.MethodGet, "/v1/decks/%00", nil),
	}
	for name, res := range responses {
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), name)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), name)
		assert.Empty(t, res.Header.Get("Strict-Transport-Security"), "%s: HSTS outside production", name)
	}
}

// testProduction starts the app as production runs it (which needs PostgreSQL and
// Redis) and checks that it asks browsers for HTTPS and sets __Host- cookies.
func testProduction(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Real, map[string]string{"APP_ENV": "production"})
	res := a.Client().Do(http.MethodGet, "/healthz", nil)
	assert.Equal(t, "max-age=63072000; includeSubDomains", res.Header.Get("Strict-Transport-Security"))
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))

	c := a.Client()
	c.Register("prod@example.com")
	session := findCookie(t, logIn(c, "prod@example.com", apptest.Password), "__Host-"+httpapi.SessionCookieName)
	assert.True(t, session.Secure, "production cookies are Secure")
}

// testSecureCookies checks the cookies of SESSION_COOKIE_SECURE=true: named with the
// __Host- prefix, Secure, HttpOnly, for the whole site and no domain; and a session
// cookie under the plain name, which a subdomain could set, authenticates nothing.
func testSecureCookies(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, map[string]string{"SESSION_COOKIE_SECURE": "true"})
	c := a.Client()
	c.Register("cookies@example.com")
	login := logIn(c, "cookies@example.com", apptest.Password)
	require.Equal(t, http.StatusOK, login.StatusCode, "body: %s", login.Body)
	var token string
	for _, name := range []string{httpapi.SessionCookieName, httpapi.DeviceCookieName} {
		cookie := findCookie(t, login, "__Host-"+name)
		assert.True(t, cookie.Secure, name)
		assert.True(t, cookie.HttpOnly, name)
		assert.Equal(t, "/", cookie.Path, name)
		assert.Empty(t, cookie.Domain, name)
		assert.Equal(t, http.SameSiteLaxMode, cookie.SameSite, name)
		if name == httpapi.SessionCookieName {
			token = cookie.Value
		}
	}

	browser := a.Client() // sends the cookie by hand: a jar keeps Secure cookies off plain HTTP
	browser.Header.Set("Cookie", httpapi.SessionCookieName+"="+token)
	assert.Equal(t, http.StatusUnauthorized, browser.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the plain name")
	browser.Header.Set("Cookie", "__Host-"+httpapi.SessionCookieName+"="+token)
	assert.Equal(t, http.StatusOK, browser.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the __Host- name")
}

// findCookie returns the cookie called name that res sets, failing the test without it.
func findCookie(t *testing.T, res *apptest.Response, name string) *http.Cookie {
	t.Helper()
	for _, cookie := range res.Cookies() {
		if cookie.Name == name {
			return cookie
		}
	}
	require.Failf(t, "cookie not set", "no %s among %v", name, res.Header.Values("Set-Cookie"))
	return nil
}

// weakPasswords are refused at registration and as a new password.
var weakPasswords = map[string]string{
	"repeated":   "aaaaaaaaaa",
	"ten NULs":   strings.Repeat("\x00", 10),
	"sequential": "abcdefghij",
	"common":     "password123",
	"too short":  "tr0ub4dor",
}

// testWeakPasswords expects each of weakPasswords refused on its field, at
// registration and as a new password.
func testWeakPasswords(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	user := signedIn(a, "strong@example.com")
	for name, password := range weakPasswords {
		t.Run(name, func(t *testing.T) {
			res := a.Client().Do(http.MethodPost, "/v1/auth/register", registration("weak@example.com", password, "Weak"))
			assertInvalid(t, res, "password")
			res = user.Do(http.MethodPost, "/v1/me/password", map[string]string{"currentPassword": apptest.Password, "newPassword": password})
			assertInvalid(t, res, "newPassword")
		})
	}
}

// testPasswordChange changes the password of an account with two sessions on stack s:
// the other session ends, the caller's stays, and only the new password logs in.
func testPasswordChange(s apptest.Stack) func(*testing.T) {
	return func(t *testing.T) {
		t.Parallel()
		a := apptest.Start(t, s, nil)
		const email, newPassword = "changer@example.com", "a fresh passphrase 42"
		caller := signedIn(a, email)
		other := a.Client()
		other.Token = other.Login(email).Token

		change := func(current string) *apptest.Response {
			return caller.Do(http.MethodPost, "/v1/me/password", map[string]string{"currentPassword": current, "newPassword": newPassword})
		}
		assertInvalid(t, change(wrongPassword), "currentPassword")
		assert.Equal(t, http.StatusOK, other.Do(http.MethodGet, "/v1/me", nil).StatusCode, "a refused change revoked a session")

		res := change(apptest.Password)
		require.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
		assert.Equal(t, http.StatusUnauthorized, other.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the other session")
		assert.Equal(t, http.StatusOK, caller.Do(http.MethodGet, "/v1/me", nil).StatusCode, "the caller's session")

		anon := a.Client()
		assert.Equal(t, http.StatusUnauthorized, logIn(anon, email, apptest.Password).StatusCode, "the old password")
		assert.Equal(t, http.StatusOK, logIn(anon, email, newPassword).StatusCode, "the new password")
	}
}
