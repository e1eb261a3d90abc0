package e2e_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

type sessionList struct {
	Sessions []struct {
		ID      string `json:"id"`
		Current bool   `json:"current"`
	} `json:"items"`
}

// TestAuthFlow drives the whole session API over HTTP on each stack.
func TestAuthFlow(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, map[string]string{"MAX_SESSIONS_PER_USER": "3"})
			anon := a.Client()
			anon.Register("Flow@Example.com")

			res := anon.Do(http.MethodPost, "/v1/auth/register", map[string]string{
				"email": "flow@example.com", "password": "correct horse battery", "displayName": "Dup",
			})
			assert.Equal(t, http.StatusConflict, res.StatusCode)
			assert.Equal(t, "email_taken", res.ProblemCode(t))

			// Login answers the token in the body and as an HttpOnly cookie.
			cookieClient := a.Client()
			res = cookieClient.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "flow@example.com", "password": "correct horse battery"})
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)
			setCookie := res.Header.Get("Set-Cookie")
			assert.Contains(t, setCookie, "studytool_session=")
			assert.Contains(t, setCookie, "HttpOnly")
			assert.Contains(t, setCookie, "SameSite=Lax")
			assert.Contains(t, setCookie, "Path=/")
			var first apptest.LoginBody
			res.JSON(t, &first)
			assert.NotEqual(t, first.Token, first.Session.ID, "the public session id is not the token")
			assert.Equal(t, "ORG", first.Session.OrganizationType)

			// The cookie alone authenticates.
			res = cookieClient.Do(http.MethodGet, "/v1/me", nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", res.Body)

			// A second device, by bearer token.
			bearer := a.Client()
			second := bearer.Login("flow@example.com")
			bearer.Token = second.Token

			res = bearer.Do(http.MethodGet, "/v1/auth/sessions", nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			var list sessionList
			res.JSON(t, &list)
			require.Len(t, list.Sessions, 2)
			assert.Equal(t, second.Session.ID, list.Sessions[0].ID, "newest first")
			assert.True(t, list.Sessions[0].Current)
			assert.False(t, list.Sessions[1].Current)

			// Revoke the first device from the second: its cookie is dead at once.
			res = bearer.Do(http.MethodDelete, "/v1/auth/sessions/"+first.Session.ID, nil)
			assert.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
			res = cookieClient.Do(http.MethodGet, "/v1/me", nil)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
			assert.Equal(t, "session_invalid", res.ProblemCode(t))
			res = bearer.Do(http.MethodDelete, "/v1/auth/sessions/"+first.Session.ID, nil)
			assert.Equal(t, http.StatusNotFound, res.StatusCode, "already revoked")

			// Another user's session cannot be revoked (404, and it stays alive).
			otherClient := a.Client()
			otherClient.Register("other@example.com")
			other := otherClient.Login("other@example.com")
			otherClient.Token = other.Token
			res = bearer.Do(http.MethodDelete, "/v1/auth/sessions/"+other.Session.ID, nil)
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			assert.Equal(t, http.StatusOK, otherClient.Do(http.MethodGet, "/v1/me", nil).StatusCode)

			// Logout kills that token only.
			third := a.Client()
			third.Token = third.Login("flow@example.com").Token
			res = bearer.Do(http.MethodPost, "/v1/auth/logout", nil)
			assert.Equal(t, http.StatusNoContent, res.StatusCode)
			assert.Equal(t, http.StatusUnauthorized, bearer.Do(http.MethodGet, "/v1/me", nil).StatusCode)
			assert.Equal(t, http.StatusOK, third.Do(http.MethodGet, "/v1/me", nil).StatusCode)

			// The limit: 3 sessions; a fourth login evicts the oldest.
			devices := make([]*apptest.Client, 4)
			for i := range devices {
				devices[i] = a.Client()
				devices[i].Token = devices[i].Login("flow@example.com").Token
			}
			assert.Equal(t, http.StatusUnauthorized, third.Do(http.MethodGet, "/v1/me", nil).StatusCode, "oldest evicted")
			assert.Equal(t, http.StatusUnauthorized, devices[0].Do(http.MethodGet, "/v1/me", nil).StatusCode, "evicted by the fourth")
			res = devices[3].Do(http.MethodGet, "/v1/auth/sessions", nil)
			res.JSON(t, &list)
			assert.Len(t, list.Sessions, 3)

			// Logout-all kills every token of the user, and only of that user.
			res = devices[3].Do(http.MethodPost, "/v1/auth/logout-all", nil)
			assert.Equal(t, http.StatusNoContent, res.StatusCode)
			for i := 1; i < 4; i++ {
				assert.Equal(t, http.StatusUnauthorized, devices[i].Do(http.MethodGet, "/v1/me", nil).StatusCode, "device %d", i)
			}
			assert.Equal(t, http.StatusOK, otherClient.Do(http.MethodGet, "/v1/me", nil).StatusCode)
		})
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	c := a.Client()
	c.Register("known@example.com")
	wrong := c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "known@example.com", "password": "wrong password!"})
	unknown := c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "unknown@example.com", "password": "wrong password!"})
	require.Equal(t, http.StatusUnauthorized, wrong.StatusCode)
	require.Equal(t, http.StatusUnauthorized, unknown.StatusCode)
	assert.Equal(t, "invalid_credentials", wrong.ProblemCode(t))
	assert.Equal(t, string(wrong.Body), string(unknown.Body), "same body for both")
}

// TestLoginLimits checks the login limits over HTTP: racing wrong passwords from one
// client pass the (account, client) failure limit exactly, after which that client is
// refused even the right password, while another client is not; successes never count.
// The failure window is an hour, so nothing refills while the test runs.
func TestLoginLimits(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			const limit = 5
			a := apptest.Start(t, s, map[string]string{
				"LOGIN_MAX_FAILURES": strconv.Itoa(limit), "LOGIN_FAILURE_WINDOW": "1h",
				"LOGIN_ACCOUNT_MAX_FAILURES": "1000", "TRUSTED_PROXIES": "127.0.0.1",
			})
			from := func(ip string) *apptest.Client {
				c := a.Client()
				c.Header.Set("X-Forwarded-For", ip)
				return c
			}
			a.Client().Register("limited@example.com")
			owner := from("198.51.100.1")
			for range 2 * limit {
				owner.Login("limited@example.com") // successes are not failures
			}

			attacker := from("203.0.113.9")
			var mu sync.Mutex
			codes := map[int]int{}
			var wg sync.WaitGroup
			for range 3 * limit {
				wg.Go(func() {
					res := attacker.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "limited@example.com", "password": "wrong password!"})
					mu.Lock()
					codes[res.StatusCode]++
					mu.Unlock()
					if res.StatusCode == http.StatusTooManyRequests {
						retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
						assert.NoError(t, err)
						assert.Positive(t, retry)
						assert.Equal(t, "rate_limited", res.ProblemCode(t))
					}
				})
			}
			wg.Wait()
			assert.Equal(t, map[int]int{http.StatusUnauthorized: limit, http.StatusTooManyRequests: 2 * limit}, codes)

			res := attacker.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "limited@example.com", "password": "correct horse battery"})
			assert.Equal(t, http.StatusTooManyRequests, res.StatusCode, "the guessing client is refused the right password too")
			owner.Login("limited@example.com")
		})
	}
}

func TestMalformedBodiesNever500(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	c := a.Client()
	c.Register("bodies@example.com")
	c.Token = c.Login("bodies@example.com").Token
	cases := []struct {
		method, path, body string
		status             int
	}{
		{http.MethodPost, "/v1/auth/register", `{"email":`, http.StatusBadRequest},
		{http.MethodPost, "/v1/auth/register", ``, http.StatusBadRequest},
		{http.MethodPost, "/v1/auth/register", `[]`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/register", `{"email":1,"password":"x","displayName":"y"}`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/register", `{"email":"a@example.com","password":"short","displayName":"y"}`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/register", `{"email":"nope","password":"long enough pw","displayName":"y"}`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/register", `{"email":"b@example.com","password":"long enough pw","displayName":"y","admin":true}`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/login", `{"email":"a@example.com"}`, http.StatusUnprocessableEntity},
		{http.MethodPost, "/v1/auth/login", `{"email":"a@example.com","password":"x"} trailing`, http.StatusBadRequest},
		{http.MethodPost, "/v1/auth/login", `"` + strings.Repeat("x", 2<<20) + `"`, http.StatusRequestEntityTooLarge},
		{http.MethodPatch, "/v1/me", `{"displayName":""}`, http.StatusUnprocessableEntity},
		{http.MethodPatch, "/v1/me", `{"displayName":null}`, http.StatusUnprocessableEntity},
		{http.MethodPatch, "/v1/me", `{"displayName":12}`, http.StatusUnprocessableEntity},
		{http.MethodDelete, "/v1/auth/sessions/not-a-session-id", ``, http.StatusNotFound},
		{http.MethodDelete, "/v1/auth/sessions/a:b*", ``, http.StatusNotFound},
	}
	for _, tc := range cases {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		res := c.Do(tc.method, tc.path, body)
		assert.Equal(t, tc.status, res.StatusCode, "%s %s %.60s: %s", tc.method, tc.path, tc.body, res.Body)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	}
}

func TestAdminRevokesAUsersSessions(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Embedded, nil)
	admin, user := a.Client(), a.Client()
	admin.Register("root@example.com")
	user.Register("user@example.com")
	a.Grant("root@example.com", "admin:cache", "admin:sessions")
	adminLogin := admin.Login("root@example.com")
	admin.Token = adminLogin.Token
	assert.ElementsMatch(t, []string{"admin:cache", "admin:sessions"}, adminLogin.Session.Permissions)
	userLogin := user.Login("user@example.com")
	user.Token = userLogin.Token

	res := user.Do(http.MethodDelete, "/v1/admin/users/"+adminLogin.User.ID+"/sessions", nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Equal(t, "forbidden", res.ProblemCode(t))

	res = admin.Do(http.MethodDelete, "/v1/admin/users/"+userLogin.User.ID+"/sessions", nil)
	assert.Equal(t, http.StatusNoContent, res.StatusCode, "body: %s", res.Body)
	assert.Equal(t, http.StatusUnauthorized, user.Do(http.MethodGet, "/v1/me", nil).StatusCode)
	assert.Equal(t, http.StatusOK, admin.Do(http.MethodGet, "/v1/me", nil).StatusCode)
}
