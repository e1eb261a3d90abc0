package cacheadmin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestGetStatsAddsTheStoresFigures(t *testing.T) {
	t.Parallel()
	layer, store := mocks.NewCacheLayer(t), mocks.NewCacheStore(t)
	counters := ports.CacheStats{Hits: 3, Misses: 1, HitRate: 0.75}
	layer.EXPECT().Stats().Return(counters).Twice()
	store.EXPECT().Stats(mock.Anything).Return(ports.CacheStoreStats{Backend: "redis", Keys: 42}, nil).Once()
	store.EXPECT().Stats(mock.Anything).Return(ports.CacheStoreStats{}, domain.ErrStoreUnavailable).Once()
	h := cacheadmin.NewGetStatsHandler(layer, store, discard)

	got := h.Handle(t.Context())
	assert.Equal(t, counters, got.CacheStats)
	require.NotNil(t, got.Store)
	assert.Equal(t, int64(42), got.Store.Keys)

	got = h.Handle(t.Context())
	assert.Equal(t, counters, got.CacheStats, "the counters are worth seeing while the store is down")
	assert.Nil(t, got.Store)
}

func TestInvalidateValidatesThePattern(t *testing.T) {
	t.Parallel()
	layer := mocks.NewCacheLayer(t)
	layer.EXPECT().InvalidatePattern(mock.Anything, "user:*").Return(7, nil).Once()
	h := cacheadmin.NewInvalidateHandler(layer)

	n, err := h.Handle(t.Context(), "  user:*  ")
	require.NoError(t, err)
	assert.Equal(t, int64(7), n)
	for _, bad := range []string{"", "   ", strings.Repeat("x", 513)} {
		_, err := h.Handle(t.Context(), bad)
		var verr *domain.ValidationError
		require.ErrorAs(t, err, &verr, "%q", bad)
		assert.Equal(t, "pattern", verr.Field)
	}
}

func TestInvalidateReportsAStoreFailure(t *testing.T) {
	t.Parallel()
	layer := mocks.NewCacheLayer(t)
	down := errors.New("connection refused")
	layer.EXPECT().InvalidatePattern(mock.Anything, "*").Return(2, down).Once()
	n, err := cacheadmin.NewInvalidateHandler(layer).Handle(t.Context(), "*")
	require.ErrorIs(t, err, down)
	assert.Equal(t, int64(2), n, "what was deleted before the failure is reported")
}

func TestInvalidateFeatureDeletesItsEntriesAndRefusesGlobs(t *testing.T) {
	t.Parallel()
	layer := mocks.NewCacheLayer(t)
	layer.EXPECT().InvalidatePattern(mock.Anything, "user:profile:*").Return(3, nil).Once()
	h := cacheadmin.NewInvalidateHandler(layer)

	n, err := h.HandleFeature(t.Context(), "user:profile")
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	for _, bad := range []string{"", "*", "user:*", "user?", "user:[a-z]", `a\b`, "a b", strings.Repeat("x", 511)} {
		_, err := h.HandleFeature(t.Context(), bad)
		var verr *domain.ValidationError
		require.ErrorAs(t, err, &verr, "%q", bad)
		assert.Equal(t, "feature", verr.Field)
	}
}

func TestCleanupDeletesOnlyOtherVersionsOfKnownFeatures(t *testing.T) {
	t.Parallel()
	scanner, store := mocks.NewCacheScanner(t), mocks.NewCacheStore(t)
	page := []string{
		"user:profile:v2:gabc:u1", "user:profile:v1:gabc:u2", "user:profile:v3:gx:u3",
		"org:v1:g1:o1", "org:list:v0:g1:all", "gen:user:profile", "retired:v1:g1:x",
	}
	scanner.EXPECT().ScanKeys(mock.Anything, "*", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func([]string) error) error { return fn(slices.Clone(page)) }).Twice()
	store.EXPECT().Delete(mock.Anything, "user:profile:v1:gabc:u2", "user:profile:v3:gx:u3", "org:list:v0:g1:all").
		Return(3, nil).Once()
	h := cacheadmin.NewCleanupOldVersionsHandler(scanner, store, map[string]int{"user:profile": 2, "org": 1, "org:list": 1})

	dry, err := h.Handle(t.Context(), true, nil)
	require.NoError(t, err)
	assert.Equal(t, &cacheadmin.Cleanup{Scanned: 7, Old: 3, ByFeature: map[string]int64{
		"user:profile:v1": 1, "user:profile:v3": 1, "org:list:v0": 1,
	}}, dry)
	var steps []int64
	got, err := h.Handle(t.Context(), false, func(n int64) { steps = append(steps, n) })
	require.NoError(t, err)
	assert.Equal(t, int64(3), got.Deleted)
	assert.Equal(t, []int64{7}, steps)
}

func TestWarmRunsTheNamedWarmerOrAll(t *testing.T) {
	t.Parallel()
	var ran []string
	warmer := func(name string, err error) cache.Warmer {
		return cache.Warmer{Feature: name, Warm: func(context.Context) error { ran = append(ran, name); return err }}
	}
	down := errors.New("database down")
	h := cacheadmin.NewWarmHandler([]cache.Warmer{warmer("org", nil), warmer("decks:list", down)})

	got, err := h.Handle(t.Context(), "org")
	require.NoError(t, err)
	assert.Equal(t, []string{"org"}, got)
	got, err = h.Handle(t.Context(), "")
	require.ErrorIs(t, err, down)
	assert.Equal(t, []string{"org"}, got, "what was warmed before the failure")
	assert.Equal(t, []string{"org", "org", "decks:list"}, ran)
	_, err = h.Handle(t.Context(), "user:*")
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "feature", verr.Field)
}

func TestFeatureStatsCountSampleAndSpread(t *testing.T) {
	t.Parallel()
	scanner := mocks.NewCacheScanner(t)
	page := []string{"user:profile:v2:g1:a", "user:profile:v1:g1:b", "user:profile:v2:g1:c", "gen:user:profile"}
	scanner.EXPECT().ScanKeys(mock.Anything, "*", mock.Anything).RunAndReturn(
		func(_ context.Context, _ string, fn func([]string) error) error { return fn(slices.Clone(page)) }).Once()
	scanner.EXPECT().SampleKeys(mock.Anything, []string{"gen:user:profile"}).
		Return([]ports.CacheKeySample{{Key: "gen:user:profile", Bytes: 10, TTL: -1}}, nil).Once()
	scanner.EXPECT().SampleKeys(mock.Anything, page[:3]).Return([]ports.CacheKeySample{
		{Bytes: 100, TTL: 3 * time.Minute}, {Bytes: 200, TTL: time.Minute}, {Bytes: 300, TTL: 2 * time.Minute},
	}, nil).Once()
	h := cacheadmin.NewFeatureStatsHandler(scanner, map[string]int{"user:profile": 2})

	got, err := h.Handle(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, []cacheadmin.FeatureStats{
		{Feature: "(unknown)", Keys: 1, Sampled: 1, MemoryBytes: 10, NoTTL: 1},
		{Feature: "user:profile", Keys: 3, Sampled: 3, MemoryBytes: 600,
			TTLMin: time.Minute, TTLMedian: 2 * time.Minute, TTLMax: 3 * time.Minute},
	}, got)
}
