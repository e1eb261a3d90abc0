package memory_test

import (
	"testing"
	"time"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/test/contract"
)

func TestMemoryStudySessionStore_Contract(t *testing.T) {
	contract.StudySessionStore(t, func(t *testing.T, ttl time.Duration) contract.StudySessionHarness {
		t.Helper()
		clk := clock.NewFake(sessionEpoch)
		store := memory.NewStudySessionStore(ttl, clk)
		return contract.StudySessionHarness{Store: store, TTL: store.TTL, Sleep: clk.Advance}
	})
}
