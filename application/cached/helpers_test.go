package cached_test

import (
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/application/cached"
)

// countingObserver counts absorbed failures per feature.
type countingObserver struct {
	mu     sync.Mutex
	counts map[string]uint64
}

func (o *countingObserver) CacheFailureAbsorbed(feature, _ string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]uint64{}
	}
	o.counts[feature]++
}

func (o *countingObserver) count(feature string) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[feature]
}

// deps returns the decorators' dependencies: a cache layer over the in-memory store (a
// full implementation), the observer and the logger.
func deps(t *testing.T, observer *countingObserver, logger *slog.Logger) cached.Deps {
	t.Helper()
	clk := clock.NewFake(epoch)
	c, err := cache.New(memory.NewCacheStore(clk), cache.DefaultConfig(), logger, clk)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(t.Context()) })
	return cached.Deps{Cache: c, Observer: observer, Logger: logger}
}
