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
		store := memory.NewIdempotencyStore(policy, clk)
		return contract.IdempotencyHarness{
			Store:  store,
			Sleep:  clk.Advance,
			OnStep: func(step func()) { memory.OnIdempotencySteps(store, step) },
		}
	})
}
