package decks_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/decks"
)

// newListCache returns a deck-list cache over an in-memory store.
func newListCache(t *testing.T) *decks.ListCache {
	t.Helper()
	clk := clock.NewFake(epoch)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := cache.New(memory.NewCacheStore(clk), cache.DefaultConfig(), logger, clk)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(t.Context()) })
	return decks.NewListCache(c, logger)
}
