package localtier_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/localtier"
)

func newTier(t *testing.T, entries int, bytes int64) *localtier.Tier {
	t.Helper()
	tier, err := localtier.New("test", localtier.Config{MaxEntries: entries, MaxBytes: bytes})
	require.NoError(t, err)
	tier.Up()
	return tier
}

func fill(t *testing.T, tier *localtier.Tier, key string, value any, size int64) {
	t.Helper()
	require.True(t, tier.Fill(tier.Begin(key), value, size), "fill %s", key)
}

func TestNewRefusesEmptyBounds(t *testing.T) {
	_, err := localtier.New("x", localtier.Config{MaxEntries: 0, MaxBytes: 1})
	require.Error(t, err)
	_, err = localtier.New("x", localtier.Config{MaxEntries: 1, MaxBytes: 0})
	require.Error(t, err)
}

func TestGetServesWhatWasFilled(t *testing.T) {
	tier := newTier(t, 10, 1000)
	_, ok := tier.Get("a")
	assert.False(t, ok)
	fill(t, tier, "a", "A", 1)
	v, ok := tier.Get("a")
	require.True(t, ok)
	assert.Equal(t, "A", v)
	s := tier.Stats()
	assert.Equal(t, int64(1), s.Hits)
	assert.Equal(t, int64(1), s.Misses)
	assert.Equal(t, 1, s.Entries)
	assert.Equal(t, int64(1), s.Bytes)
}

// An invalidation that arrives while a read is under way means the value read may be
// older than the change: it must not be stored.
func TestInvalidationDuringReadRefusesTheFill(t *testing.T) {
	tier := newTier(t, 10, 1000)
	tk := tier.Begin("a")
	tier.Invalidate("a")
	assert.False(t, tier.Fill(tk, "stale", 1))
	_, ok := tier.Get("a")
	assert.False(t, ok)
}

func TestOutageDuringReadRefusesTheFill(t *testing.T) {
	tier := newTier(t, 10, 1000)
	tk := tier.Begin("a")
	tier.Down()
	tier.Up()
	assert.False(t, tier.Fill(tk, "maybe stale", 1), "a read that straddled an outage may have missed an invalidation")
}

func TestOnlyTheNewestReaderFills(t *testing.T) {
	tier := newTier(t, 10, 1000)
	older := tier.Begin("a")
	newer := tier.Begin("a")
	assert.False(t, tier.Fill(older, "old", 1))
	assert.True(t, tier.Fill(newer, "new", 1))
	v, _ := tier.Get("a")
	assert.Equal(t, "new", v)
}

func TestDownEmptiesAndBypasses(t *testing.T) {
	tier := newTier(t, 10, 1000)
	fill(t, tier, "a", "A", 1)
	tier.Down()
	_, ok := tier.Get("a")
	assert.False(t, ok)
	assert.False(t, tier.Begin("a").Valid(), "no ticket while down")
	assert.False(t, tier.Fill(tier.Begin("a"), "A", 1))
	tier.Up()
	_, ok = tier.Get("a")
	assert.False(t, ok, "the tier comes back empty")
	s := tier.Stats()
	assert.Equal(t, int64(1), s.Bypasses)
	assert.Equal(t, int64(1), s.Flushes)
	assert.True(t, s.Up)
	assert.Zero(t, s.Entries)
	assert.Zero(t, s.Bytes)
}

func TestBoundsEvictLeastRecentlyUsed(t *testing.T) {
	tier := newTier(t, 3, 1000)
	for _, k := range []string{"a", "b", "c"} {
		fill(t, tier, k, k, 10)
	}
	_, _ = tier.Get("a") // a is now the most recent
	fill(t, tier, "d", "d", 10)
	_, ok := tier.Get("b")
	assert.False(t, ok, "b was the least recently used")
	for _, k := range []string{"a", "c", "d"} {
		_, ok := tier.Get(k)
		assert.True(t, ok, k)
	}
	assert.Equal(t, int64(1), tier.Stats().Evictions)

	bytes := newTier(t, 100, 25)
	fill(t, bytes, "a", "a", 10)
	fill(t, bytes, "b", "b", 10)
	fill(t, bytes, "c", "c", 10)
	s := bytes.Stats()
	assert.Equal(t, 2, s.Entries)
	assert.Equal(t, int64(20), s.Bytes)
	assert.False(t, bytes.Fill(bytes.Begin("huge"), "x", 26), "a value larger than the whole tier is not kept")
}

func TestRefillReplacesAndCountsBytesOnce(t *testing.T) {
	tier := newTier(t, 10, 1000)
	fill(t, tier, "a", "A", 10)
	fill(t, tier, "a", "AA", 20)
	assert.Equal(t, int64(20), tier.Stats().Bytes)
	tier.Invalidate("a")
	s := tier.Stats()
	assert.Zero(t, s.Bytes)
	assert.Equal(t, int64(1), s.Invalidations)
}

func TestInvalidateFuncAndPrefix(t *testing.T) {
	tier := newTier(t, 10, 1000)
	fill(t, tier, "s:1", "u1", 1)
	fill(t, tier, "s:2", "u2", 1)
	fill(t, tier, "c:1", "x", 1)
	tier.InvalidateFunc(func(_ string, v any) bool { return v == "u1" })
	_, ok := tier.Get("s:1")
	assert.False(t, ok)
	tk := tier.Begin("c:2")
	tier.InvalidatePrefix("c:")
	_, ok = tier.Get("c:1")
	assert.False(t, ok)
	assert.False(t, tier.Fill(tk, "y", 1), "a read under way of a dropped prefix is refused")
	_, ok = tier.Get("s:2")
	assert.True(t, ok)
}

func TestAbandonFreesTheClaim(t *testing.T) {
	tier := newTier(t, 10, 1000)
	tk := tier.Begin("a")
	tier.Abandon(tk)
	assert.False(t, tier.Fill(tk, "A", 1))
	tier.Abandon(localtier.Ticket{}) // harmless
}

// Readers, fillers and invalidations racing: run with -race; afterwards the byte count
// must still match the entries.
func TestConcurrentUse(t *testing.T) {
	tier := newTier(t, 50, 400)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := fmt.Sprintf("k%d", (i*7+g)%80)
				if _, ok := tier.Get(k); !ok {
					tier.Fill(tier.Begin(k), i, 8)
				}
				if i%13 == 0 {
					tier.Invalidate(k)
				}
				if i%500 == 0 && g == 0 {
					tier.Down()
					tier.Up()
				}
			}
		})
	}
	wg.Wait()
	s := tier.Stats()
	assert.LessOrEqual(t, s.Entries, 50)
	assert.Equal(t, int64(s.Entries)*8, s.Bytes)
}
