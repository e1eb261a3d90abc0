package memory_test

import (
	"testing"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/test/contract"
)

func TestMemoryRateLimiter_Contract(t *testing.T) {
	contract.RateLimiter(t, func(t *testing.T) contract.RateLimiterHarness {
		t.Helper()
		clk := clock.NewFake(sessionEpoch)
		return contract.RateLimiterHarness{Limiter: memory.NewRateLimiter(clk), Sleep: clk.Advance}
	})
}
