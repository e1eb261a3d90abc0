package memory_test

import (
	"testing"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
)

func TestMemoryIdempotencyStore_Contract(t *testing.T) {
	contract.IdempotencyStore(t, func(t *testing.T, policy ports.IdempotencyPolicy) contract.IdempotencyHarness {
		t.Helper()
		clk := clock.NewFake(sessionEpoch)
		return contract.IdempotencyHarness{Store: memory.NewIdempotencyStore(policy, clk), Sleep: clk.Advance}
	})
}
