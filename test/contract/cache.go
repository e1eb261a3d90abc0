package contract

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// CacheHarness is one cache store under test beside the rest of its deployment's state.
// Every field is required: a harness that cannot plant state beside the store cannot
// show that the store leaves it alone.
type CacheHarness struct {
	Store ports.CacheStore
	// Plant stores n beside Store: in the same keyspace (the same environment and key
	// prefix, the same database) but outside the cache namespace, where the deployment
	// keeps that kind of state.
	Plant func(ctx context.Context, n Neighbour) error
	// Planted reports whether n is still stored.
	Planted func(ctx context.Context, n Neighbour) (bool, error)
}

// CacheStoreFactory returns an empty cache store private to the calling property; it
// registers any teardown with t.Cleanup. The suite calls it once per property.
type CacheStoreFactory func(t *testing.T) CacheHarness

// cacheProperties are the behaviours of a ports.CacheStore, one check each.
var cacheProperties = []property[CacheStoreFactory]{
	{"GetSetAndMiss", cacheGetSetMiss},
	{"OverwriteReplacesValueAndTTL", cacheOverwrite},
	{"TTLExpiry", cacheTTLExpiry},
	{"SetRefusesNonPositiveTTL", cacheRefusesBadTTL},
	{"DeleteMany", cacheDeleteMany},
	{"GetMany", cacheGetMany},
	{"Incr", cacheIncr},
	{"DeletePattern", cacheDeletePattern},
	{"DeletePatternStaysInNamespace", cacheDeletePatternConfined},
	{"DeletePatternSparesStateBesideCache", cacheDeletePatternSparesNeighbours},
	{"InvalidKeysAndPatterns", cacheInvalidInput},
	{"LargeAndBinaryValues", cacheLargeBinary},
	{"StatsAndPing", cacheStatsPing},
	{"ConcurrentAccess", cacheConcurrent},
}

// CacheStore checks a ports.CacheStore, one named property per subtest: reads, writes,
// overwrites and misses, TTL expiry on the real clock, deletes, GetMany, Incr, pattern
// deletion confined to the namespace and sparing the state the deployment keeps beside
// it, validation of keys and patterns, large and binary values, and concurrent use. The
// store must measure TTLs with the wall clock.
func CacheStore(t *testing.T, newStore CacheStoreFactory) {
	t.Helper()
	runProperties(t, completeCacheHarness(newStore), cacheProperties)
}

// completeCacheHarness wraps newStore so that every property fails on a harness that
// leaves out a required field.
func completeCacheHarness(newStore CacheStoreFactory) CacheStoreFactory {
	return func(t *testing.T) CacheHarness {
		t.Helper()
		h := newStore(t)
		requireComplete(t, "CacheHarness", map[string]bool{
			"Store":   h.Store != nil,
			"Plant":   h.Plant != nil,
			"Planted": h.Planted != nil,
		})
		return h
	}
}

// cacheGetSetMiss checks reads, writes and misses: a value is read back whole, never
// aliased, and an empty value is a value, not a miss.
func cacheGetSetMiss(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	_, err := s.Get(ctx, "user:profile:v1:absent")
	require.ErrorIs(t, err, domain.ErrCacheMiss)

	require.NoError(t, s.Set(ctx, "user:profile:v1:u1", []byte("profile of u1"), time.Minute))
	got, err := s.Get(ctx, "user:profile:v1:u1")
	require.NoError(t, err)
	assert.Equal(t, "profile of u1", string(got))

	got[0] = 'X'
	again, err := s.Get(ctx, "user:profile:v1:u1")
	require.NoError(t, err)
	assert.Equal(t, "profile of u1", string(again), "a returned value must not alias the stored one")

	require.NoError(t, s.Set(ctx, "user:profile:v1:empty", []byte{}, time.Minute))
	empty, err := s.Get(ctx, "user:profile:v1:empty")
	require.NoError(t, err, "an empty value is a value, not a miss")
	assert.Empty(t, empty)
}

// cacheOverwrite checks that a Set replaces both the value and the TTL of a key.
func cacheOverwrite(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "deck:list:v1:u1", []byte("old"), 100*time.Millisecond))
	require.NoError(t, s.Set(ctx, "deck:list:v1:u1", []byte("new"), time.Hour))
	got, err := s.Get(ctx, "deck:list:v1:u1")
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))

	// The second Set replaced the short TTL: the key outlives the first one by far.
	time.Sleep(300 * time.Millisecond)
	got, err = s.Get(ctx, "deck:list:v1:u1")
	require.NoError(t, err, "the overwrite's TTL applies, not the first one")
	assert.Equal(t, "new", string(got))
}

// cacheTTLExpiry checks that a key expires after its TTL, and only that key.
func cacheTTLExpiry(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "org:ref:v1:short", []byte("x"), 50*time.Millisecond))
	require.NoError(t, s.Set(ctx, "org:ref:v1:long", []byte("y"), time.Hour))
	cacheEventually(t, 10*time.Second, func() bool {
		_, err := s.Get(ctx, "org:ref:v1:short")
		return errors.Is(err, domain.ErrCacheMiss)
	}, "a key must expire after its TTL")
	got, err := s.Get(ctx, "org:ref:v1:long")
	require.NoError(t, err)
	assert.Equal(t, "y", string(got))
	n, err := s.Delete(ctx, "org:ref:v1:short")
	require.NoError(t, err)
	assert.Zero(t, n, "an expired key does not count as deleted")
}

// cacheRefusesBadTTL checks that Set refuses a TTL that is not positive and stores
// nothing.
func cacheRefusesBadTTL(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	for _, ttl := range []time.Duration{0, -time.Second} {
		require.Error(t, s.Set(ctx, "user:profile:v1:u1", []byte("x"), ttl), "ttl %s", ttl)
	}
	_, err := s.Get(ctx, "user:profile:v1:u1")
	require.ErrorIs(t, err, domain.ErrCacheMiss, "a refused Set stores nothing")
}

// cacheDeleteMany checks that Delete removes several keys at once and counts those
// that existed.
func cacheDeleteMany(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	for _, k := range []string{"a:1", "a:2", "a:3"} {
		require.NoError(t, s.Set(ctx, k, []byte(k), time.Minute))
	}
	n, err := s.Delete(ctx, "a:1", "a:3", "a:absent")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	_, err = s.Get(ctx, "a:1")
	require.ErrorIs(t, err, domain.ErrCacheMiss)
	_, err = s.Get(ctx, "a:2")
	require.NoError(t, err)

	n, err = s.Delete(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "deleting no keys is a no-op")
}

// cacheGetMany checks that GetMany returns the keys that hold a value, more than one
// batch of them, and leaves out the absent ones.
func cacheGetMany(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	keys := make([]string, 0, 1200)
	for i := range 1200 {
		k := fmt.Sprintf("item:v1:%d", i)
		keys = append(keys, k)
		if i%3 != 0 {
			require.NoError(t, s.Set(ctx, k, []byte(k), time.Minute))
		}
	}
	got, err := s.GetMany(ctx, append(keys, "item:v1:absent"))
	require.NoError(t, err)
	assert.Len(t, got, 800, "absent keys are left out; more keys than one batch are read")
	for i, k := range keys {
		if i%3 == 0 {
			assert.NotContains(t, got, k)
			continue
		}
		assert.Equal(t, k, string(got[k]))
	}

	none, err := s.GetMany(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// cacheIncr checks that Incr counts from 1, reads back as decimal text, refuses a
// non-integer, keeps the key's TTL and is atomic under concurrent calls.
func cacheIncr(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	for want := int64(1); want <= 3; want++ {
		n, err := s.Incr(ctx, "gen:user:profile")
		require.NoError(t, err)
		assert.Equal(t, want, n)
	}
	got, err := s.Get(ctx, "gen:user:profile")
	require.NoError(t, err)
	assert.Equal(t, "3", string(got), "a counter reads back as its decimal text")

	require.NoError(t, s.Set(ctx, "gen:words", []byte("not a number"), time.Minute))
	_, err = s.Incr(ctx, "gen:words")
	require.Error(t, err, "incrementing a non-integer fails")

	require.NoError(t, s.Set(ctx, "gen:ttl", []byte("41"), 100*time.Millisecond))
	n, err := s.Incr(ctx, "gen:ttl")
	require.NoError(t, err)
	assert.Equal(t, int64(42), n)
	cacheEventually(t, 10*time.Second, func() bool {
		_, err := s.Get(ctx, "gen:ttl")
		return errors.Is(err, domain.ErrCacheMiss)
	}, "incr keeps the key's TTL")

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := s.Incr(ctx, "gen:race")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	n, err = s.Incr(ctx, "gen:race")
	require.NoError(t, err)
	assert.Equal(t, int64(51), n, "concurrent increments are atomic")
}

// cacheDeletePattern checks that DeletePattern removes exactly the keys its glob
// matches, more than one batch of them, and counts them.
func cacheDeletePattern(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	keys := []string{
		"user:profile:v1:1", "user:profile:v1:12", "user:permissions:v1:1",
		"deck:list:v1:1", "userx:profile:v1:1",
	}
	for _, k := range keys {
		require.NoError(t, s.Set(ctx, k, []byte("x"), time.Minute))
	}
	for i := range 1100 {
		require.NoError(t, s.Set(ctx, fmt.Sprintf("bulk:v1:%d", i), []byte("x"), time.Minute))
	}

	tests := []struct {
		pattern string
		want    int64
		gone    []string
	}{
		{"user:profile:v1:?", 1, []string{"user:profile:v1:1"}},
		{"user:*", 2, []string{"user:profile:v1:12", "user:permissions:v1:1"}},
		{"nothing:*", 0, nil},
		{"bulk:*", 1100, nil},
	}
	for _, tt := range tests {
		n, err := s.DeletePattern(ctx, tt.pattern)
		require.NoError(t, err, tt.pattern)
		assert.Equal(t, tt.want, n, tt.pattern)
		for _, k := range tt.gone {
			_, err := s.Get(ctx, k)
			require.ErrorIs(t, err, domain.ErrCacheMiss, "%s after %s", k, tt.pattern)
		}
	}
	for _, k := range []string{"deck:list:v1:1", "userx:profile:v1:1"} {
		_, err := s.Get(ctx, k)
		require.NoError(t, err, "%s must survive", k)
	}
}

// cacheDeletePatternConfined checks that a pattern cannot climb out of the namespace and
// that `*` covers the cache namespace only.
func cacheDeletePatternConfined(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "user:profile:v1:1", []byte("x"), time.Minute))
	require.NoError(t, s.Set(ctx, "session:abc", []byte("a cache key named like a session"), time.Minute))

	n, err := s.DeletePattern(ctx, "../*")
	require.NoError(t, err)
	assert.Zero(t, n, "`..` is a literal segment, not a way out")

	n, err = s.DeletePattern(ctx, "session:*")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "session:* matches only the cache key under that name")
	_, err = s.Get(ctx, "user:profile:v1:1")
	require.NoError(t, err)

	n, err = s.DeletePattern(ctx, "*")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "* covers the cache namespace and nothing else")
	_, err = s.Get(ctx, "user:profile:v1:1")
	require.ErrorIs(t, err, domain.ErrCacheMiss)
}

// cacheInvalidInput checks that every operation refuses keys and patterns outside the
// key schema, and that a refused key is never reported as a miss.
func cacheInvalidInput(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	for _, p := range []string{"", "user:[a-z]*", `user:\*`, "user::*", "user: *", "a:*:", "user:\n*"} {
		_, err := s.DeletePattern(ctx, p)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve, "pattern %q", p)
		assert.Equal(t, "pattern", ve.Field)
	}
	for _, k := range []string{"", "user:*", "user:a b", "user::1", "user:?"} {
		_, err := s.Get(ctx, k)
		require.Error(t, err, "get %q", k)
		require.NotErrorIs(t, err, domain.ErrCacheMiss, "an invalid key is not a miss: %q", k)
		require.Error(t, s.Set(ctx, k, []byte("x"), time.Minute), "set %q", k)
		_, err = s.Delete(ctx, k)
		require.Error(t, err, "delete %q", k)
		_, err = s.GetMany(ctx, []string{"ok:1", k})
		require.Error(t, err, "get many %q", k)
		_, err = s.Incr(ctx, k)
		require.Error(t, err, "incr %q", k)
	}
}

// cacheLargeBinary checks that large and binary values survive the round trip.
func cacheLargeBinary(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	large := make([]byte, 1<<20)
	_, err := rand.Read(large)
	require.NoError(t, err)
	binary := []byte{0, 1, 2, 0xff, 0xfe, '\r', '\n', 0, '*', ':'}

	for key, want := range map[string][]byte{"blob:v1:large": large, "blob:v1:binary": binary} {
		require.NoError(t, s.Set(ctx, key, want, time.Minute))
		got, err := s.Get(ctx, key)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s: %d bytes back of %d", key, len(got), len(want))
	}
	many, err := s.GetMany(ctx, []string{"blob:v1:large", "blob:v1:binary"})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(large, many["blob:v1:large"]))
	assert.True(t, bytes.Equal(binary, many["blob:v1:binary"]))
}

// cacheStatsPing checks that Ping answers and Stats reports the store's own figures.
func cacheStatsPing(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	require.NoError(t, s.Ping(ctx))
	for i := range 10 {
		require.NoError(t, s.Set(ctx, fmt.Sprintf("stats:v1:%d", i), make([]byte, 1000), time.Minute))
	}
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, st.Backend)
	assert.GreaterOrEqual(t, st.Keys, int64(10))
	assert.GreaterOrEqual(t, st.MemoryBytes, int64(10*1000))
}

// cacheConcurrent checks that concurrent reads, writes and deletes leave a consistent
// store.
func cacheConcurrent(t *testing.T, newStore CacheStoreFactory) {
	s := newStore(t).Store
	ctx := t.Context()
	const workers, rounds = 16, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				key := fmt.Sprintf("race:v1:%d", i%7)
				val := fmt.Appendf(nil, "%d-%d", w, i)
				switch i % 4 {
				case 0:
					assert.NoError(t, s.Set(ctx, key, val, time.Minute))
				case 1:
					if _, err := s.Get(ctx, key); err != nil {
						assert.ErrorIs(t, err, domain.ErrCacheMiss)
					}
				case 2:
					_, err := s.Delete(ctx, key)
					assert.NoError(t, err)
				default:
					_, err := s.GetMany(ctx, []string{key, "race:v1:0"})
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()

	// Afterwards the store is consistent: a write is read back whole.
	require.NoError(t, s.Set(ctx, "race:v1:final", []byte("done"), time.Minute))
	got, err := s.Get(ctx, "race:v1:final")
	require.NoError(t, err)
	assert.Equal(t, "done", string(got))
	n, err := s.DeletePattern(ctx, "race:*")
	require.NoError(t, err)
	left, err := s.GetMany(ctx, cacheRaceKeys())
	require.NoError(t, err)
	assert.Empty(t, left, "pattern deletion removed every racing key (%d)", n)
}

// cacheRaceKeys returns every key cacheConcurrent writes.
func cacheRaceKeys() []string {
	keys := []string{"race:v1:final"}
	for i := range 7 {
		keys = append(keys, fmt.Sprintf("race:v1:%d", i))
	}
	return keys
}

// cacheEventually polls cond until it holds or deadline passes. The deadline is generous
// on purpose: the suite asserts that expiry happens, never how fast.
func cacheEventually(t *testing.T, deadline time.Duration, cond func() bool, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal(msg)
		case <-tick.C:
		}
	}
}
