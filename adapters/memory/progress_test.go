package memory_test

import (
	"testing"
	"time"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/test/contract"
)

func TestMemoryProgressCache_Contract(t *testing.T) {
	contract.ProgressCache(t, func(_ *testing.T, ttl time.Duration) contract.ProgressCacheHarness {
		clk := clock.NewFake(sessionEpoch)
		cache := memory.NewProgressCache(clk, ttl)
		return contract.ProgressCacheHarness{
			Cache:  cache,
			Sleep:  clk.Advance,
			OnStep: func(step func()) { memory.OnProgressSteps(cache, step) },
		}
	})
}
