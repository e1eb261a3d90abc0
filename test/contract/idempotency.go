package contract

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// IdempotencyHarness is one idempotency store under test and the time it lives by.
type IdempotencyHarness struct {
	Store ports.IdempotencyStore
	// Sleep lets d of the store's time pass: it advances a fake clock, or really waits
	// when the store expires by real time (Redis TTLs).
	Sleep func(d time.Duration)
	// OnStep installs hook, which the store must then call at the end of each of its
	// atomic steps, as SessionHarness.OnStep describes: the suite pauses a claim there
	// and runs a competing call whole in the gap.
	OnStep func(hook func())
}

// IdempotencyStoreFactory returns a fresh store that keeps claims and responses as
// policy says. The suite calls it once per property; register any teardown with
// t.Cleanup.
type IdempotencyStoreFactory func(t *testing.T, policy ports.IdempotencyPolicy) IdempotencyHarness

// idempotencyPolicy is the policy of the properties that do not test expiry.
var idempotencyPolicy = ports.IdempotencyPolicy{LockTTL: time.Hour, Retention: time.Hour}

// idempotencyConcurrency is how many goroutines claim one key at once.
const idempotencyConcurrency = 50

// idempotencyProperties are the behaviours of the IdempotencyStore contract, one check
// each.
var idempotencyProperties = []property[IdempotencyStoreFactory]{
	{"FirstClaimHoldsTheKey", idemFirstClaimHolds},
	{"ClaimOfAHeldKeyIsInProgress", idemHeldKeyInProgress},
	{"CompletedResponseIsReplayed", idemCompletedReplayed},
	{"ReleasedKeyIsFreeAgain", idemReleasedIsFree},
	{"StaleTokenChangesNothing", idemStaleTokenChangesNothing},
	{"KeysAreScopedByUser", idemScopedByUser},
	{"ResponsesHandedOutAreCopies", idemHandsOutCopies},
	{"ClaimExpiresAfterLockTTL", idemClaimExpires},
	{"CompletedResponseOutlivesTheLock", idemCompletedOutlivesLock},
	{"CompletedResponseExpiresAfterRetention", idemResponseExpires},
	{"ConcurrentClaimsGrantOne", idemConcurrentClaims},
	{"InterleavedClaimsGrantOne", idemInterleavedClaims},
	{"ClaimDuringCompleteNeverRunsAgain", idemClaimDuringComplete},
	{"DeleteUserErasesEveryRecordOfTheUser", idemDeleteUser},
}

// IdempotencyStore checks a ports.IdempotencyStore: a first claim holds the key and
// later ones see it in progress (with the holder's fingerprint) until it is completed,
// when they get the kept response, or released, when the key is free again; tokens that
// no longer hold the claim change nothing; keys are scoped by user; a claim expires
// after the lock TTL and a response after the retention; of two claims interleaved at
// every step, or 50 released at once, exactly one wins, and a claim in the middle of a
// Complete never frees the key; DeleteUser erases a user's records and no one else's.
// Expiry is asserted as "eventually, within 10 s of the store's time", never as a
// deadline.
func IdempotencyStore(t *testing.T, newStore IdempotencyStoreFactory) {
	t.Helper()
	runProperties(t, completeIdempotencyHarness(newStore), idempotencyProperties)
}

// completeIdempotencyHarness wraps newStore so that every property fails on a harness
// that leaves out a required field.
func completeIdempotencyHarness(newStore IdempotencyStoreFactory) IdempotencyStoreFactory {
	return func(t *testing.T, policy ports.IdempotencyPolicy) IdempotencyHarness {
		t.Helper()
		h := newStore(t, policy)
		requireComplete(t, "IdempotencyHarness", map[string]bool{
			"Store":  h.Store != nil,
			"Sleep":  h.Sleep != nil,
			"OnStep": h.OnStep != nil,
		})
		return h
	}
}

// NewIdempotentResponseFixture returns a response as the HTTP adapter keeps one.
func NewIdempotentResponseFixture() ports.IdempotentResponse {
	return ports.IdempotentResponse{
		Status: 201,
		Header: map[string]string{"Content-Type": "application/json; charset=utf-8", "Location": "/v1/decks/" + uuid.NewString()},
		Body:   []byte(`{"id":"` + uuid.NewString() + `","name":"Capitals"}`),
	}
}

// claimed claims key for userID with fingerprint and requires the claim to be granted.
func claimed(t *testing.T, h IdempotencyHarness, userID, key, fingerprint string) ports.IdempotencyClaim {
	t.Helper()
	c, err := h.Store.Claim(t.Context(), userID, key, fingerprint)
	require.NoError(t, err)
	require.Equal(t, ports.IdempotencyClaimed, c.State, "the key should be free")
	return c
}

// idemFirstClaimHolds checks that the first claim of a key is granted with a token and
// the caller's fingerprint.
func idemFirstClaimHolds(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	c := claimed(t, h, uuid.NewString(), "key-1", "fp-1")
	assert.Equal(t, "fp-1", c.Fingerprint)
	assert.NotEmpty(t, c.Token)
	assert.Nil(t, c.Response)
}

// idemHeldKeyInProgress checks that a claim of a held key reports it in progress with
// the holder's fingerprint, whatever the caller's.
func idemHeldKeyInProgress(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	claimed(t, h, user, "key-1", "fp-1")
	for _, fp := range []string{"fp-1", "fp-2"} {
		c, err := h.Store.Claim(t.Context(), user, "key-1", fp)
		require.NoError(t, err)
		assert.Equal(t, ports.IdempotencyInProgress, c.State)
		assert.Equal(t, "fp-1", c.Fingerprint, "the holder's fingerprint")
		assert.Empty(t, c.Token, "no token for a claim not granted")
		assert.Nil(t, c.Response)
	}
}

// idemCompletedReplayed checks that a completed key hands out its response and the
// fingerprint of the request that produced it.
func idemCompletedReplayed(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	c := claimed(t, h, user, "key-1", "fp-1")
	resp := NewIdempotentResponseFixture()
	require.NoError(t, h.Store.Complete(t.Context(), user, "key-1", c.Token, resp))

	for range 2 {
		got, err := h.Store.Claim(t.Context(), user, "key-1", "fp-2")
		require.NoError(t, err)
		require.Equal(t, ports.IdempotencyCompleted, got.State)
		assert.Equal(t, "fp-1", got.Fingerprint)
		require.NotNil(t, got.Response)
		assert.Equal(t, resp, *got.Response)
	}
	err := h.Store.Complete(t.Context(), user, "key-1", c.Token, NewIdempotentResponseFixture())
	require.ErrorIs(t, err, domain.ErrConflict, "a completed claim completes once")
}

// idemReleasedIsFree checks that a released key can be claimed again, by any request.
func idemReleasedIsFree(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	c := claimed(t, h, user, "key-1", "fp-1")
	require.NoError(t, h.Store.Release(t.Context(), user, "key-1", c.Token))
	again := claimed(t, h, user, "key-1", "fp-2")
	assert.Equal(t, "fp-2", again.Fingerprint)
	assert.NotEqual(t, c.Token, again.Token, "every claim has a token of its own")
	require.NoError(t, h.Store.Release(t.Context(), user, "never-claimed", "no-token"))
}

// idemStaleTokenChangesNothing checks that a token that does not hold the claim can
// neither complete nor release it, and that a completed response cannot be released.
func idemStaleTokenChangesNothing(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	first := claimed(t, h, user, "key-1", "fp-1")
	require.NoError(t, h.Store.Release(t.Context(), user, "key-1", first.Token))
	second := claimed(t, h, user, "key-1", "fp-2")

	err := h.Store.Complete(t.Context(), user, "key-1", first.Token, NewIdempotentResponseFixture())
	require.ErrorIs(t, err, domain.ErrConflict)
	require.NoError(t, h.Store.Release(t.Context(), user, "key-1", first.Token))
	got, err := h.Store.Claim(t.Context(), user, "key-1", "fp-3")
	require.NoError(t, err)
	assert.Equal(t, ports.IdempotencyInProgress, got.State, "the second claim still holds the key")
	assert.Equal(t, "fp-2", got.Fingerprint)

	resp := NewIdempotentResponseFixture()
	require.NoError(t, h.Store.Complete(t.Context(), user, "key-1", second.Token, resp))
	require.NoError(t, h.Store.Release(t.Context(), user, "key-1", second.Token))
	got, err = h.Store.Claim(t.Context(), user, "key-1", "fp-3")
	require.NoError(t, err)
	assert.Equal(t, ports.IdempotencyCompleted, got.State, "a completed response is not released")
}

// idemScopedByUser checks that one key of two users is two records.
func idemScopedByUser(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	alice, bob := uuid.NewString(), uuid.NewString()
	c := claimed(t, h, alice, "shared-key", "fp-alice")
	require.NoError(t, h.Store.Complete(t.Context(), alice, "shared-key", c.Token, NewIdempotentResponseFixture()))
	got := claimed(t, h, bob, "shared-key", "fp-bob")
	assert.Equal(t, "fp-bob", got.Fingerprint)
	mine, err := h.Store.Claim(t.Context(), alice, "shared-key", "fp-alice")
	require.NoError(t, err)
	assert.Equal(t, ports.IdempotencyCompleted, mine.State, "bob's claim leaves alice's response alone")
}

// idemHandsOutCopies checks that the stored response is not shared with callers.
func idemHandsOutCopies(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	c := claimed(t, h, user, "key-1", "fp-1")
	resp := NewIdempotentResponseFixture()
	want := ports.IdempotentResponse{Status: resp.Status, Header: map[string]string{}, Body: append([]byte(nil), resp.Body...)}
	for k, v := range resp.Header {
		want.Header[k] = v
	}
	require.NoError(t, h.Store.Complete(t.Context(), user, "key-1", c.Token, resp))
	resp.Body[0] = 'X'
	resp.Header["Location"] = "changed-after-complete"

	got, err := h.Store.Claim(t.Context(), user, "key-1", "fp-1")
	require.NoError(t, err)
	require.NotNil(t, got.Response)
	got.Response.Body[0] = 'Y'
	got.Response.Header["Location"] = "changed-after-claim"
	again, err := h.Store.Claim(t.Context(), user, "key-1", "fp-1")
	require.NoError(t, err)
	require.NotNil(t, again.Response)
	assert.Equal(t, want, *again.Response)
}

// idemClaimExpires checks that a claim neither completed nor released frees the key
// after the lock TTL.
func idemClaimExpires(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, ports.IdempotencyPolicy{LockTTL: time.Second, Retention: time.Hour})
	user := uuid.NewString()
	claimed(t, h, user, "key-1", "fp-1")
	awaitFree(t, h, user, "key-1", "the claim outlived its 1 s lock TTL")
}

// idemCompletedOutlivesLock checks that Complete keeps the response for the retention,
// not for what was left of the lock.
func idemCompletedOutlivesLock(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, ports.IdempotencyPolicy{LockTTL: time.Second, Retention: time.Hour})
	user := uuid.NewString()
	c := claimed(t, h, user, "key-1", "fp-1")
	require.NoError(t, h.Store.Complete(t.Context(), user, "key-1", c.Token, NewIdempotentResponseFixture()))
	h.Sleep(2 * time.Second)
	got, err := h.Store.Claim(t.Context(), user, "key-1", "fp-1")
	require.NoError(t, err)
	assert.Equal(t, ports.IdempotencyCompleted, got.State)
}

// idemResponseExpires checks that a completed response is forgotten after the
// retention.
func idemResponseExpires(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, ports.IdempotencyPolicy{LockTTL: time.Hour, Retention: time.Second})
	user := uuid.NewString()
	c := claimed(t, h, user, "key-1", "fp-1")
	require.NoError(t, h.Store.Complete(t.Context(), user, "key-1", c.Token, NewIdempotentResponseFixture()))
	awaitFree(t, h, user, "key-1", "the response outlived its 1 s retention")
}

// awaitFree polls until key can be claimed, within 10 s of the store's time.
func awaitFree(t *testing.T, h IdempotencyHarness, userID, key, failure string) {
	t.Helper()
	for range sessionExpiryPolls {
		c, err := h.Store.Claim(t.Context(), userID, key, "fp-after")
		require.NoError(t, err)
		if c.State == ports.IdempotencyClaimed {
			return
		}
		h.Sleep(sessionExpiryStep)
	}
	t.Fatalf("%s by more than %s", failure, sessionExpiryPolls*sessionExpiryStep)
}

// idemConcurrentClaims checks that of many claims of one key released at once, exactly
// one is granted and every other sees it in progress.
func idemConcurrentClaims(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	states := make([]ports.IdempotencyState, idempotencyConcurrency)
	errs := make([]error, idempotencyConcurrency)
	barrier := make(chan struct{})
	var wg sync.WaitGroup
	for i := range idempotencyConcurrency {
		wg.Go(func() {
			<-barrier
			c, err := h.Store.Claim(t.Context(), user, "key-1", "fp-1")
			states[i], errs[i] = c.State, err
		})
	}
	close(barrier)
	wg.Wait()

	require.NoError(t, errors.Join(errs...))
	counts := map[ports.IdempotencyState]int{}
	for _, s := range states {
		counts[s]++
	}
	assert.Equal(t, map[ports.IdempotencyState]int{
		ports.IdempotencyClaimed: 1, ports.IdempotencyInProgress: idempotencyConcurrency - 1,
	}, counts)
}

// idemInterleavedClaims checks that a claim run whole in any gap between two steps of
// another claim of the same key leaves exactly one of them holding it.
func idemInterleavedClaims(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	forceInterleavings(t, h.OnStep, func() race {
		key := uuid.NewString()
		claims := make([]ports.IdempotencyClaim, 2)
		errs := make([]error, 2)
		return race{
			first:  func() { claims[0], errs[0] = h.Store.Claim(t.Context(), user, key, "fp-first") },
			second: func() { claims[1], errs[1] = h.Store.Claim(t.Context(), user, key, "fp-second") },
			check: func() {
				require.NoError(t, errors.Join(errs...))
				winner, loser := claims[0], claims[1]
				if loser.State == ports.IdempotencyClaimed {
					winner, loser = loser, winner
				}
				require.Equal(t, ports.IdempotencyClaimed, winner.State, "one claim holds the key")
				assert.Equal(t, ports.IdempotencyInProgress, loser.State, "the other sees it in progress")
				assert.Equal(t, winner.Fingerprint, loser.Fingerprint, "with the holder's fingerprint")
			},
		}
	})
}

// idemClaimDuringComplete checks that a claim run whole in any gap of a Complete sees
// the key in progress or completed, never free, and that the response is kept.
func idemClaimDuringComplete(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user := uuid.NewString()
	forceInterleavings(t, h.OnStep, func() race {
		key := uuid.NewString()
		c := claimed(t, h, user, key, "fp-1")
		resp := NewIdempotentResponseFixture()
		var completeErr, claimErr error
		var during ports.IdempotencyClaim
		return race{
			first:  func() { completeErr = h.Store.Complete(t.Context(), user, key, c.Token, resp) },
			second: func() { during, claimErr = h.Store.Claim(t.Context(), user, key, "fp-1") },
			check: func() {
				require.NoError(t, errors.Join(completeErr, claimErr))
				assert.NotEqual(t, ports.IdempotencyClaimed, during.State, "the request would run twice")
				after, err := h.Store.Claim(t.Context(), user, key, "fp-1")
				require.NoError(t, err)
				require.Equal(t, ports.IdempotencyCompleted, after.State)
				assert.Equal(t, resp, *after.Response)
			},
		}
	})
}

// idemDeleteUser checks that DeleteUser erases the user's claims and responses, leaves
// another user's, and is a no-op for a user without records.
func idemDeleteUser(t *testing.T, newStore IdempotencyStoreFactory) {
	h := newStore(t, idempotencyPolicy)
	user, other := uuid.NewString(), uuid.NewString()
	claimed(t, h, user, "running", "fp-1")
	done := claimed(t, h, user, "done", "fp-2")
	require.NoError(t, h.Store.Complete(t.Context(), user, "done", done.Token, NewIdempotentResponseFixture()))
	theirs := claimed(t, h, other, "done", "fp-3")
	require.NoError(t, h.Store.Complete(t.Context(), other, "done", theirs.Token, NewIdempotentResponseFixture()))

	require.NoError(t, h.Store.DeleteUser(t.Context(), user))
	claimed(t, h, user, "running", "fp-4")
	claimed(t, h, user, "done", "fp-5")
	got, err := h.Store.Claim(t.Context(), other, "done", "fp-3")
	require.NoError(t, err)
	assert.Equal(t, ports.IdempotencyCompleted, got.State, "another user's response stays")
	require.NoError(t, h.Store.DeleteUser(t.Context(), uuid.NewString()))
}
