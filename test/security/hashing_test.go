package security_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// TestPasswordHashingIsBounded_Postgres_Redis covers finding 2: every argon2id hash
// takes 64 MiB, nothing bounded how many ran at once, and registration was not rate
// limited, so anonymous traffic could exhaust the memory. Bursts of 40 concurrent
// registrations now find at most PASSWORD_HASH_CONCURRENCY hashes running (the hasher's
// own count), callers that waited PASSWORD_HASH_WAIT for a slot answered 503 busy, the
// registrations of one client beyond REGISTER_RATE_LIMIT_PER_HOUR answered 429 without a
// hash, and nothing else. A registration answered busy gives its allowance back.
func TestPasswordHashingIsBounded_Postgres_Redis(t *testing.T) {
	const (
		slots   = 2
		perHour = 25
	)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, map[string]string{
				"PASSWORD_HASH_CONCURRENCY": strconv.Itoa(slots), "PASSWORD_HASH_WAIT": "300ms",
				"REGISTER_RATE_LIMIT_PER_HOUR": strconv.Itoa(perHour), "TRUSTED_PROXIES": "127.0.0.1",
			})

			// One client address: the limit admits at most its allowance (the hour-long
			// window does not refill during the test). How many are refused depends on
			// timing: a registration answered busy gives its allowance back, and under load
			// some of those refunds land before the last of the burst reaches the limit.
			one := registrationBurst(t, a, "one", func(int) string { return "198.51.100.7" })
			assert.LessOrEqual(t, one[http.StatusTooManyRequests], burstSize-perHour, "statuses: %v", one)
			assert.LessOrEqual(t, one[http.StatusCreated], perHour, "statuses: %v", one)

			// Forty addresses: none is limited, but the two slots stay taken, so callers
			// that waited for one too long are answered busy.
			spread := registrationBurst(t, a, "spread", func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) })
			assert.Zero(t, spread[http.StatusTooManyRequests], "statuses: %v", spread)
			assert.Positive(t, spread[http.StatusServiceUnavailable], "statuses: %v", spread)

			stats := a.Hasher.Stats()
			assert.Equal(t, int64(slots), stats.Peak, "hashes running at once, counted by the hasher")
			assert.Positive(t, stats.Busy)
			t.Logf("one address: %v; forty addresses: %v; hasher: %+v", one, spread, stats)

			// The registrations answered busy gave their allowance back; spend what is left,
			// then a registration the limit refuses costs no hash.
			late := from(a, "198.51.100.7")
			for i := 0; ; i++ {
				require.Less(t, i, perHour, "the allowance never ran out")
				res := late.Do(http.MethodPost, "/v1/auth/register", registration(fmt.Sprintf("late-%d@example.com", i), apptest.Password, "Late"))
				if res.StatusCode == http.StatusTooManyRequests {
					break
				}
				require.Contains(t, []int{http.StatusCreated, http.StatusServiceUnavailable}, res.StatusCode, "body: %s", res.Body)
			}
			completed := a.Hasher.Stats().Completed
			res := late.Do(http.MethodPost, "/v1/auth/register", registration("last@example.com", apptest.Password, "Late"))
			assertRetryLater(t, res, http.StatusTooManyRequests, "rate_limited")
			assert.Equal(t, completed, a.Hasher.Stats().Completed, "a refused registration hashed")
		})
	}
}

// burstSize is the number of registrations sent at once.
const burstSize = 40

// registrationBurst sends burstSize registrations with distinct emails at once, the i-th from
// address ip(i), and returns how many got each status. Every answer must be 201, 429
// or 503, and the refusals must say when to retry.
func registrationBurst(t *testing.T, a *apptest.App, name string, ip func(i int) string) map[int]int {
	t.Helper()
	responses := make([]*apptest.Response, burstSize)
	errs := make([]error, burstSize)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range burstSize {
		c := from(a, ip(i))
		body := registration(fmt.Sprintf("%s-%d@example.com", name, i), apptest.Password, "Burst")
		wg.Go(func() {
			<-start
			responses[i], errs[i] = c.Try(http.MethodPost, "/v1/auth/register", body)
		})
	}
	close(start)
	wg.Wait()

	statuses := map[int]int{}
	for i, res := range responses {
		require.NoError(t, errs[i])
		statuses[res.StatusCode]++
		switch res.StatusCode {
		case http.StatusCreated:
		case http.StatusTooManyRequests:
			assertRetryLater(t, res, http.StatusTooManyRequests, "rate_limited")
		case http.StatusServiceUnavailable:
			assertRetryLater(t, res, http.StatusServiceUnavailable, "busy")
		default:
			t.Errorf("registration %d answered %d: %s", i, res.StatusCode, res.Body)
		}
	}
	return statuses
}
