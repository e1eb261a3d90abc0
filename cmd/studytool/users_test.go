package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// The account the tests manage, as registered and as stored.
const (
	registeredAs   = "Operator.Target@Example.com"
	operatorTarget = "operator.target@example.com"
)

// TestUsersCommand_Postgres_Redis runs `studytool users` as an operator does: the
// compiled binary, in a process of its own, with the database and Redis configuration
// of a running service (on SQLite alone, and on PostgreSQL and Redis). The binary, not
// the cobra command in process, is what is tested because exit statuses are part of
// the interface and only a process has one; it also lets the subtests run in parallel,
// which t.Setenv forbids. It checks what show prints, the refusals and their exit
// statuses, that grant and revoke change what show prints, and, on PostgreSQL and
// Redis, that a logged-in session sees a grant and a revocation on its next request.
func TestUsersCommand_Postgres_Redis(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			user := a.Client().Register(registeredAs)
			users := func(args ...string) apptest.Run {
				t.Helper()
				return apptest.RunStudytool(t, bin, a.Environ, append([]string{"users"}, args...)...)
			}
			session := a.Client()
			session.Token = session.Login(operatorTarget).Token
			live := func(want int, when string) {
				t.Helper()
				if s == apptest.Real { // a separate process has a cache of its own on the memory stores
					// The app's local tier learns of the command's change from Redis's
					// invalidation message, which may arrive just after the command exits.
					require.Eventually(t, func() bool {
						return session.Do(http.MethodGet, "/v1/admin/cache/stats", nil).StatusCode == want
					}, 5*time.Second, time.Millisecond, "the logged-in session %s", when)
				}
			}

			showPrints(t, users, user)
			refusals(t, users)
			live(http.StatusForbidden, "before the grant")

			run := users("grant", operatorTarget, "admin:sessions", "admin:cache")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Stdout, "permissions: admin:cache, admin:sessions")
			assert.Equal(t, []string{"admin:cache", "admin:sessions"}, showJSON(t, users).Permissions)
			live(http.StatusOK, "after the grant")

			run = users("revoke", operatorTarget, "admin:cache")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Equal(t, []string{"admin:sessions"}, showJSON(t, users).Permissions)
			live(http.StatusForbidden, "after the revocation")

			run = users("revoke", operatorTarget, "admin:sessions")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, users("show", operatorTarget).Stdout, "permissions: (none)")
		})
	}
}

// usersCommand runs `studytool users` with args.
type usersCommand func(args ...string) apptest.Run

// shown is what `users show --json` prints.
type shown struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"createdAt"`
	Permissions []string  `json:"permissions"`
}

// showPrints checks that `users show`, given the address as registered, prints the
// account's id, canonical email, creation time and (no) permissions, as text and as
// JSON.
func showPrints(t *testing.T, users usersCommand, user apptest.User) {
	t.Helper()
	run := users("show", registeredAs)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.Equal(t, fmt.Sprintf("id:          %s\nemail:       %s\ncreated:     %s\npermissions: (none)",
		user.ID, operatorTarget, user.CreatedAt.UTC().Format(time.RFC3339)), run.Stdout)

	run = users("show", "--json", operatorTarget)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &fields), "stdout: %s", run.Stdout)
	assert.Len(t, fields, 4, "only id, email, createdAt and permissions: %s", run.Stdout)
	got := showJSON(t, users)
	assert.WithinDuration(t, user.CreatedAt, got.CreatedAt, time.Millisecond, "the database keeps microseconds at most")
	got.CreatedAt = time.Time{}
	assert.Equal(t, shown{ID: user.ID, Email: operatorTarget, Permissions: []string{}}, got)
}

// showJSON runs `users show --json` on the account and decodes what it prints.
func showJSON(t *testing.T, users usersCommand) shown {
	t.Helper()
	run := users("show", "--json", operatorTarget)
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	var got shown
	require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "stdout: %s", run.Stdout)
	return got
}

// refusals checks that commands that cannot act exit with a message naming what is
// wrong and change nothing: an unknown email (status 1); an unknown permission, even
// beside a valid one, a wrong number of arguments and an unknown flag (2, a usage
// error).
func refusals(t *testing.T, users usersCommand) {
	t.Helper()
	for _, tc := range []struct {
		name    string
		args    []string
		status  int
		message string
	}{
		{"show of an unknown email", []string{"show", "nobody@example.com"}, 1, `no account has the email "nobody@example.com"`},
		{"grant to an unknown email", []string{"grant", "nobody@example.com", "admin:cache"}, 1, `no account has the email "nobody@example.com"`},
		{"unknown permission", []string{"grant", operatorTarget, "admin:everything"}, 2, `"admin:everything" is not a permission`},
		{"unknown permission beside a known one", []string{"grant", operatorTarget, "admin:cache", "root"}, 2, `"root" is not a permission`},
		{"revoke of an unknown permission", []string{"revoke", operatorTarget, "admin"}, 2, `"admin" is not a permission`},
		{"grant of no permission", []string{"grant", operatorTarget}, 2, "studytool users grant: requires at least 2 arg(s)"},
		{"show of two emails", []string{"show", operatorTarget, "nobody@example.com"}, 2, "studytool users show: accepts 1 arg(s)"},
		{"unknown flag", []string{"show", "--all", operatorTarget}, 2, "studytool users show: unknown flag: --all"},
	} {
		run := users(tc.args...)
		assert.Equal(t, tc.status, run.ExitCode, "%s: %s", tc.name, run.Output)
		assert.Contains(t, run.Stderr, tc.message, tc.name)
		assert.Empty(t, run.Stdout, tc.name)
	}
	assert.Empty(t, showJSON(t, users).Permissions, "a refused command changed the permissions")
}
