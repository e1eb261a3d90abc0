package security_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/test/apptest"
)

// Login failure limits of TestFailureStormCannotLockOutTheOwner_Postgres_Redis; the
// window is an hour, so nothing refills while the test runs.
const (
	perClientFailures  = 3  // LOGIN_MAX_FAILURES: per account and client address
	perAccountFailures = 5  // LOGIN_ACCOUNT_MAX_FAILURES: per account, clients without a device cookie
	perDeviceFailures  = 10 // LOGIN_DEVICE_MAX_FAILURES: per device cookie
	stormAddresses     = 30
)

const wrongPassword = "not the password"

// TestFailureStormCannotLockOutTheOwner_Postgres_Redis covers finding 4: the per-account
// login limit counted every attempt, so anyone could lock an account's owner out by
// guessing wrong. Now only failures count, and a storm of failures from 30 addresses
// locks the account against clients without a device cookie only: the owner, whose
// browser keeps the device cookie of an earlier login, still logs in, from a new address
// too. The clients of the storm are refused even the right password, and a client that
// guesses from one address is refused there whatever cookie it holds (the per account
// and address hard limit).
func TestFailureStormCannotLockOutTheOwner_Postgres_Redis(t *testing.T) {
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, map[string]string{
				"TRUSTED_PROXIES": "127.0.0.1", "LOGIN_FAILURE_WINDOW": "1h",
				"LOGIN_MAX_FAILURES":         strconv.Itoa(perClientFailures),
				"LOGIN_ACCOUNT_MAX_FAILURES": strconv.Itoa(perAccountFailures),
				"LOGIN_DEVICE_MAX_FAILURES":  strconv.Itoa(perDeviceFailures),
			})
			const victim = "victim@example.com"
			a.Client().Register(victim)
			owner := from(a, "198.51.100.1")
			owner.Login(victim)
			device, ok := owner.Cookie(httpapi.DeviceCookieName)
			require.True(t, ok, "a successful login sets the device cookie")

			failureStorm(t, a, victim)
			for _, ip := range []string{"203.0.113.1", "192.0.2.50"} {
				res := logIn(from(a, ip), victim, apptest.Password)
				assertRetryLater(t, res, http.StatusTooManyRequests, "rate_limited")
			}

			owner.Login(victim) // the device cookie exempts the owner from the account's lock
			owner.Header.Set("X-Forwarded-For", "192.0.2.60")
			owner.Login(victim)

			guessingFromOneAddressIsRefused(t, a, victim, device)
		})
	}
}

// failureStorm sends one wrong password for victim from each of 30 addresses, none with
// a device cookie: the account's limit lets the first failures through and refuses the
// rest.
func failureStorm(t *testing.T, a *apptest.App, victim string) {
	t.Helper()
	statuses := map[int]int{}
	for i := range stormAddresses {
		res := logIn(from(a, fmt.Sprintf("203.0.113.%d", i+1)), victim, wrongPassword)
		statuses[res.StatusCode]++
		if res.StatusCode == http.StatusTooManyRequests {
			assertRetryLater(t, res, http.StatusTooManyRequests, "rate_limited")
		}
	}
	assert.Equal(t, map[int]int{
		http.StatusUnauthorized:    perAccountFailures,
		http.StatusTooManyRequests: stormAddresses - perAccountFailures,
	}, statuses)
}

// guessingFromOneAddressIsRefused checks the per account and address limit: a client
// holding the owner's device cookie, which exempts it from the account's lock, guesses
// wrong LOGIN_MAX_FAILURES times from one address and is then refused the right
// password there, while the same cookie still logs in from another address (the
// device's own limit is higher).
func guessingFromOneAddressIsRefused(t *testing.T, a *apptest.App, victim string, device *http.Cookie) {
	t.Helper()
	guesser := from(a, "192.0.2.70")
	guesser.SetCookie(device)
	for range perClientFailures {
		res := logIn(guesser, victim, wrongPassword)
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "body: %s", res.Body)
	}
	res := logIn(guesser, victim, apptest.Password)
	assertRetryLater(t, res, http.StatusTooManyRequests, "rate_limited")

	guesser.Header.Set("X-Forwarded-For", "192.0.2.71")
	guesser.Login(victim)
}
