package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
)

// sessionEpoch is where the fake clocks of these tests start.
var sessionEpoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestMemorySessionStore_Contract(t *testing.T) {
	contract.SessionStore(t, func(t *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
		t.Helper()
		clk := clock.NewFake(sessionEpoch)
		store := memory.NewSessionStore(policy, clk, nil)
		return contract.SessionHarness{
			Store:    store,
			Now:      clk.Now,
			Sleep:    clk.Advance,
			IndexLen: func(_ context.Context, userID string) (int, error) { return memory.IndexLen(store, userID), nil },
			OnStep:   func(step func()) { memory.OnSessionSteps(store, step) },
		}
	})
}

func BenchmarkMemorySessionCreate(b *testing.B) {
	clk := clock.NewFake(sessionEpoch)
	store := memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute, MaxPerUser: 5,
	}, clk, nil)
	ctx := context.Background()
	for b.Loop() {
		clk.Advance(time.Millisecond)
		if _, err := store.Create(ctx, contract.NewSessionFixture(b, "bench-user", clk.Now())); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemorySessionValidate(b *testing.B) {
	clk := clock.NewFake(sessionEpoch)
	store := memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute, MaxPerUser: 5,
	}, clk, nil)
	ctx := context.Background()
	s := contract.NewSessionFixture(b, "bench-user", clk.Now())
	if _, err := store.Create(ctx, s); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := store.Validate(ctx, s.ID, clk.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
