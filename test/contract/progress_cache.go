package contract

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// ProgressCacheHarness is one progress cache under test, the time it lives by, and its
// steps. Every field is required.
type ProgressCacheHarness struct {
	Cache ports.ProgressCache
	// Sleep lets d of the cache's time pass: it advances a fake clock, or really waits
	// when the cache expires by real time (Redis TTLs).
	Sleep func(d time.Duration)
	// OnStep installs hook, which the cache must then call at the end of each of its
	// atomic steps, as SessionHarness.OnStep describes: the suite pauses a write there
	// to run another in the gap.
	OnStep func(hook func())
}

// ProgressCacheFactory returns an empty progress cache whose entries live for ttl. The
// suite calls it once per property; register any teardown with t.Cleanup.
type ProgressCacheFactory func(t *testing.T, ttl time.Duration) ProgressCacheHarness

// progressCacheTTL is the TTL of the properties that do not test expiry.
const progressCacheTTL = time.Hour

// Expiry is asserted as "eventually, within progressExpiryPolls steps of the cache's
// time", never as a deadline.
const (
	progressExpiryTTL   = 100 * time.Millisecond
	progressExpiryPolls = 100
	progressExpiryStep  = 100 * time.Millisecond
)

// progressCacheProperties are the behaviours of a ports.ProgressCache, one check each.
var progressCacheProperties = []property[ProgressCacheFactory]{
	{"MissThenRoundTrip", progressCacheRoundTrip},
	{"NeverReviewedRoundTrip", progressCacheNeverReviewed},
	{"KeyedByUserAndCard", progressCacheKeyed},
	{"ReturnedValuesDoNotAlias", progressCacheNoAlias},
	{"OlderVersionNeverReplacesNewer", progressCacheVersions},
	{"OlderVersionLosesWhenWritesInterleave", progressCacheVersionsInterleaved},
	{"RacingWritesKeepTheNewest", progressCacheRacingWrites},
	{"TTLExpiry", progressCacheExpiry},
	{"InvalidIDs", progressCacheInvalidIDs},
	{"SetManyWritesEachAsSetDoes", progressCacheSetMany},
	{"DeleteManyDropsTheUsersCopies", progressCacheDeleteMany},
}

// ProgressCache checks a ports.ProgressCache, one named property per subtest: misses, a
// faithful round trip of every field (times in UTC), entries keyed by user and card, no
// aliasing, TTL expiry, refusal of ids the Redis keyspace refuses, and the rule that a
// write never replaces a newer version with an older one: in sequence, when a newer
// write runs whole between any two steps of an older one, and when 50 write-throughs
// race in random order.
func ProgressCache(t *testing.T, newCache ProgressCacheFactory) {
	t.Helper()
	runProperties(t, completeProgressCacheHarness(newCache), progressCacheProperties)
}

// completeProgressCacheHarness wraps newCache so that every property fails on a harness
// that leaves out a required field.
func completeProgressCacheHarness(newCache ProgressCacheFactory) ProgressCacheFactory {
	return func(t *testing.T, ttl time.Duration) ProgressCacheHarness {
		t.Helper()
		h := newCache(t, ttl)
		requireComplete(t, "ProgressCacheHarness", map[string]bool{
			"Cache":  h.Cache != nil,
			"Sleep":  h.Sleep != nil,
			"OnStep": h.OnStep != nil,
		})
		return h
	}
}

// progressFixture returns a reviewed progress of a fresh user and card at version, its
// times off UTC and below the microsecond on purpose.
func progressFixture(version int64) *domain.Progress {
	zone := time.FixedZone("UTC-5", -5*60*60)
	reviewed := time.Date(2025, 4, 2, 8, 15, 30, 123456789, zone)
	return &domain.Progress{
		UserID: uuid.NewString(),
		CardID: uuid.NewString(),
		DeckID: uuid.NewString(),
		CardState: domain.CardState{
			State:          domain.SchedState{Repetitions: 3, EF: 194, IntervalDays: 13},
			Memory:         domain.FSRSMemory{Stability: 14.25, Difficulty: 6.5},
			IntervalDays:   15,
			DueAt:          reviewed.AddDate(0, 0, 15),
			LastReviewedAt: reviewed,
			Lapses:         2,
			Reviews:        7,
			Leech:          true,
		},
		Version: version,
	}
}

// requireCached asserts the cache holds want, times compared as instants and handed
// back in UTC.
func requireCached(t *testing.T, c ports.ProgressCache, want *domain.Progress) {
	t.Helper()
	got, err := c.Get(t.Context(), want.UserID, want.CardID)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, time.UTC, got.DueAt.Location(), "dueAt is handed back in UTC")
	assert.True(t, want.DueAt.Equal(got.DueAt), "dueAt: want %s, got %s", want.DueAt, got.DueAt)
	assert.True(t, want.LastReviewedAt.Equal(got.LastReviewedAt),
		"lastReviewedAt: want %s, got %s", want.LastReviewedAt, got.LastReviewedAt)
	if !got.LastReviewedAt.IsZero() {
		assert.Equal(t, time.UTC, got.LastReviewedAt.Location(), "lastReviewedAt is handed back in UTC")
	}
	wantRest, gotRest := *want, *got
	wantRest.DueAt, wantRest.LastReviewedAt = time.Time{}, time.Time{}
	gotRest.DueAt, gotRest.LastReviewedAt = time.Time{}, time.Time{}
	assert.Equal(t, wantRest, gotRest)
}

// progressCacheRoundTrip checks a miss, then that a written progress reads back whole.
func progressCacheRoundTrip(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	p := progressFixture(7)
	_, err := h.Cache.Get(t.Context(), p.UserID, p.CardID)
	require.ErrorIs(t, err, domain.ErrCacheMiss)

	require.NoError(t, h.Cache.Set(t.Context(), p))
	requireCached(t, h.Cache, p)
}

// progressCacheNeverReviewed checks the round trip of a card never reviewed: zero times
// stay zero.
func progressCacheNeverReviewed(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	p := progressFixture(0)
	p.State, p.Lapses = domain.NewSchedState(), 0
	p.DueAt, p.LastReviewedAt = time.Time{}, time.Time{}
	require.NoError(t, h.Cache.Set(t.Context(), p))
	requireCached(t, h.Cache, p)
	got, err := h.Cache.Get(t.Context(), p.UserID, p.CardID)
	require.NoError(t, err)
	assert.True(t, got.IsNew(), "a zero lastReviewedAt survives the round trip")
}

// progressCacheKeyed checks that entries are keyed by user and card together.
func progressCacheKeyed(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	ctx := t.Context()
	p := progressFixture(1)
	require.NoError(t, h.Cache.Set(ctx, p))

	for _, probe := range []struct{ name, userID, cardID string }{
		{"another user's copy of the card", uuid.NewString(), p.CardID},
		{"another card of the user", p.UserID, uuid.NewString()},
	} {
		_, err := h.Cache.Get(ctx, probe.userID, probe.cardID)
		require.ErrorIs(t, err, domain.ErrCacheMiss, probe.name)
	}

	other := *p
	other.UserID, other.State.Repetitions, other.Version = uuid.NewString(), 1, 9
	require.NoError(t, h.Cache.Set(ctx, &other))
	requireCached(t, h.Cache, p)
	requireCached(t, h.Cache, &other)
}

// progressCacheNoAlias checks that neither the written nor a returned value aliases the
// stored one.
func progressCacheNoAlias(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	ctx := t.Context()
	p := progressFixture(3)
	require.NoError(t, h.Cache.Set(ctx, p))
	want := *p
	p.State.Repetitions = 99 // the caller's value changes after Set

	got, err := h.Cache.Get(ctx, want.UserID, want.CardID)
	require.NoError(t, err)
	got.Lapses = 42 // and the reader's after Get
	requireCached(t, h.Cache, &want)
}

// progressCacheVersions checks, in sequence, that an older version is ignored without
// an error, a newer one replaces the entry and an equal one is rewritten.
func progressCacheVersions(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	ctx := t.Context()
	v5 := progressFixture(5)
	require.NoError(t, h.Cache.Set(ctx, v5))

	v3 := *v5
	v3.Version, v3.State.Repetitions = 3, 1
	require.NoError(t, h.Cache.Set(ctx, &v3), "a stale write is ignored, not an error")
	requireCached(t, h.Cache, v5)

	v6 := *v5
	v6.Version, v6.State.Repetitions, v6.State.IntervalDays = 6, 4, 26
	require.NoError(t, h.Cache.Set(ctx, &v6))
	requireCached(t, h.Cache, &v6)

	again := v6
	again.Lapses = 3
	require.NoError(t, h.Cache.Set(ctx, &again))
	requireCached(t, h.Cache, &again) // an equal version is rewritten (a retried write-through)
}

// progressCacheVersionsInterleaved checks that an older version never replaces a newer
// one when the newer write runs whole between any two steps of the older: however the
// cache splits comparing versions from writing, the older write may compare first and
// write last, and must still lose.
func progressCacheVersionsInterleaved(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	forceInterleavings(t, h.OnStep, func() race {
		current := progressFixture(1)
		require.NoError(t, h.Cache.Set(t.Context(), current))
		older, newer := *current, *current
		older.Version, older.State.IntervalDays = 2, 2
		newer.Version, newer.State.IntervalDays = 3, 3
		errs := make([]error, 2)
		return race{
			first:  func() { errs[0] = h.Cache.Set(t.Context(), &older) },
			second: func() { errs[1] = h.Cache.Set(t.Context(), &newer) },
			check: func() {
				require.NoError(t, errors.Join(errs...))
				requireCached(t, h.Cache, &newer)
			},
		}
	})
}

// progressCacheRacingWrites checks that the newest of 50 racing write-throughs wins,
// whatever their arrival order.
func progressCacheRacingWrites(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	ctx := t.Context()
	const writers = 50
	base := progressFixture(0)
	versions := make([]*domain.Progress, writers)
	for i := range versions {
		p := *base
		p.Version, p.State.IntervalDays = int64(i+1), i+1
		versions[i] = &p
	}
	rand.Shuffle(len(versions), func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })

	var wg sync.WaitGroup
	for _, p := range versions {
		wg.Go(func() { assert.NoError(t, h.Cache.Set(ctx, p)) })
	}
	wg.Wait()

	got, err := h.Cache.Get(ctx, base.UserID, base.CardID)
	require.NoError(t, err)
	assert.Equal(t, int64(writers), got.Version, "the newest version wins whatever the arrival order")
	assert.Equal(t, writers, got.State.IntervalDays, "the value is the newest version's, whole")
}

// progressCacheExpiry checks that an entry expires after its TTL and then no longer
// guards its version.
func progressCacheExpiry(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressExpiryTTL)
	ctx := t.Context()
	p := progressFixture(1)
	require.NoError(t, h.Cache.Set(ctx, p))
	requireCached(t, h.Cache, p)
	for range progressExpiryPolls {
		h.Sleep(progressExpiryStep)
		if _, err := h.Cache.Get(ctx, p.UserID, p.CardID); err != nil {
			require.ErrorIs(t, err, domain.ErrCacheMiss)
			break
		}
	}
	_, err := h.Cache.Get(ctx, p.UserID, p.CardID)
	require.ErrorIs(t, err, domain.ErrCacheMiss, "an entry expires after its TTL")

	older := *p
	older.Version = 0
	require.NoError(t, h.Cache.Set(ctx, &older), "an expired entry no longer guards its version")
	requireCached(t, h.Cache, &older)
}

// progressCacheInvalidIDs checks that ids outside the key schema are a miss to Get and
// refused by Set.
func progressCacheInvalidIDs(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, progressCacheTTL)
	ctx := t.Context()
	for _, id := range []string{"", "a:b", "a*", "a b", "[x]"} {
		_, err := h.Cache.Get(ctx, id, uuid.NewString())
		require.ErrorIs(t, err, domain.ErrCacheMiss, "user id %q: no such entry can exist", id)
		_, err = h.Cache.Get(ctx, uuid.NewString(), id)
		require.ErrorIs(t, err, domain.ErrCacheMiss, "card id %q: no such entry can exist", id)

		p := progressFixture(1)
		p.CardID = id
		require.Error(t, h.Cache.Set(ctx, p), "card id %q is refused", id)
		p = progressFixture(1)
		p.UserID = id
		require.Error(t, h.Cache.Set(ctx, p), "user id %q is refused", id)
	}
}

// progressCacheSetMany checks that SetMany writes every progress it is given (more than
// one batch of a pipelining adapter), and, like Set, never replaces a newer version.
func progressCacheSetMany(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, time.Hour)
	user := uuid.NewString()
	ps := make([]domain.Progress, 1200)
	for i := range ps {
		p := progressFixture(2)
		p.UserID = user
		ps[i] = *p
	}
	newer := ps[7]
	newer.Version, newer.State.Repetitions = 9, 8
	require.NoError(t, h.Cache.Set(t.Context(), &newer))

	require.NoError(t, h.Cache.SetMany(t.Context(), ps))
	for i := range ps {
		want := &ps[i]
		if i == 7 {
			want = &newer
		}
		requireCached(t, h.Cache, want)
	}
	require.NoError(t, h.Cache.SetMany(t.Context(), nil), "nothing to write")
}

// progressCacheDeleteMany checks that DeleteMany drops the named copies of the user and
// nothing else, and ignores ids that cannot be cached.
func progressCacheDeleteMany(t *testing.T, newCache ProgressCacheFactory) {
	h := newCache(t, time.Hour)
	user := uuid.NewString()
	ps := make([]*domain.Progress, 3)
	for i := range ps {
		ps[i] = progressFixture(1)
		ps[i].UserID = user
		require.NoError(t, h.Cache.Set(t.Context(), ps[i]))
	}
	stranger := progressFixture(1)
	stranger.CardID = ps[0].CardID
	require.NoError(t, h.Cache.Set(t.Context(), stranger))

	require.NoError(t, h.Cache.DeleteMany(t.Context(), user, []string{ps[0].CardID, ps[2].CardID, "a:b"}))
	for _, gone := range []*domain.Progress{ps[0], ps[2]} {
		_, err := h.Cache.Get(t.Context(), user, gone.CardID)
		require.ErrorIs(t, err, domain.ErrCacheMiss)
	}
	requireCached(t, h.Cache, ps[1])
	requireCached(t, h.Cache, stranger)
	require.NoError(t, h.Cache.DeleteMany(t.Context(), user, nil), "nothing to drop")
}
