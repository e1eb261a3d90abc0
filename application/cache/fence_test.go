package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
)

// TestInvalidateFencesALoadThatReadTheOldData reproduces the race of a read and an update:
// a miss starts loading and reads the record before the update commits; the update then
// invalidates; the load finishes with the old value. That value must neither be stored
// nor served to a read that starts after the invalidation.
func TestInvalidateFencesALoadThatReadTheOldData(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	c := newCache(t, memory.NewCacheStore(clk), clk, testConfig())
	key := cache.NewKey("user:profile", 1, "u-race")

	var record atomic.Pointer[string]
	setRecord := func(v string) { record.Store(&v) }
	setRecord("old")
	g := newGate()
	slowLoad := func(ctx context.Context) (string, error) {
		v := *record.Load() // read before the update commits
		return v, g.wait(ctx)
	}

	first := make(chan string, 1)
	go func() {
		v, err := cache.GetOrLoad(t.Context(), c, key, slowLoad)
		assert.NoError(t, err)
		first <- v
	}()
	<-g.entered

	setRecord("new") // the update commits…
	require.NoError(t, c.Invalidate(t.Context(), key))

	// …and a read after it must see the new value, not join the old flight.
	v, err := cache.GetOrLoad(t.Context(), c, key, func(context.Context) (string, error) {
		return *record.Load(), nil
	})
	require.NoError(t, err)
	assert.Equal(t, "new", v)

	close(g.open)
	assert.Equal(t, "old", <-first, "the reader that started before the update gets what it read")

	// The fenced load did not overwrite the fresh entry.
	v, err = cache.GetOrLoad(t.Context(), c, key, func(context.Context) (string, error) {
		t.Fatal("the fresh entry should be a hit")
		return "", nil
	})
	require.NoError(t, err)
	assert.Equal(t, "new", v)
}
