package domain_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

func TestFuzzRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval float64
		max      int
		lo, hi   int
	}{
		{"2.5 days, the shortest fuzzed", 2.5, domain.MaxIntervalDays, 2, 4},
		{"7 days", 7, domain.MaxIntervalDays, 5, 9},
		{"17 days", 17, domain.MaxIntervalDays, 14, 20},
		{"37 days", 37, domain.MaxIntervalDays, 33, 41},
		{"a fractional interval", 10.4, domain.MaxIntervalDays, 8, 12},
		{"under 2.5 days is not fuzzed", 2.4, domain.MaxIntervalDays, 2, 2},
		{"one day is not fuzzed", 1, domain.MaxIntervalDays, 1, 1},
		{"an unfuzzed interval is at least a day", 0.2, domain.MaxIntervalDays, 1, 1},
		{"the upper bound stops at the maximum", domain.MaxIntervalDays, domain.MaxIntervalDays, 34673, domain.MaxIntervalDays},
		{"a range beyond the maximum collapses onto it", 37, 30, 30, 30},
		{"the lower bound never passes the upper", 3, 2, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lo, hi := domain.FuzzRange(tt.interval, tt.max)
			assert.Equal(t, [2]int{tt.lo, tt.hi}, [2]int{lo, hi})
		})
	}
}

func TestFuzzInterval(t *testing.T) {
	t.Parallel()

	t.Run("the same seed picks the same day", func(t *testing.T) {
		t.Parallel()
		seed := domain.FuzzSeed("card-42", 3)
		assert.Equal(t, seed, domain.FuzzSeed("card-42", 3))
		assert.NotEqual(t, seed, domain.FuzzSeed("card-42", 4))
		assert.NotEqual(t, seed, domain.FuzzSeed("card-43", 3))
		assert.Equal(t, 14, domain.FuzzInterval(17, domain.MaxIntervalDays, seed)) // pinned: a change reschedules replays
	})

	t.Run("the extreme seeds pick the ends of the range", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, 14, domain.FuzzInterval(17, domain.MaxIntervalDays, 0))
		assert.Equal(t, 20, domain.FuzzInterval(17, domain.MaxIntervalDays, math.MaxUint64))
	})

	t.Run("every pick lies within the range", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(11, 12))
		for range 5000 {
			interval := math.Exp(rng.Float64() * 11) // about 1 to 60000 days
			seed := rng.Uint64()
			lo, hi := domain.FuzzRange(interval, domain.MaxIntervalDays)
			got := domain.FuzzInterval(interval, domain.MaxIntervalDays, seed)
			require.True(t, got >= lo && got <= hi, "interval %g seed %d: %d outside [%d, %d]", interval, seed, got, lo, hi)
		}
	})

	seeds := []struct {
		name string
		seed func(i int) uint64
	}{
		{"over cards", func(i int) uint64 { return domain.FuzzSeed(fmt.Sprintf("card-%d", i), 1) }},
		{"over the reviews of one card", func(i int) uint64 { return domain.FuzzSeed("card-1", i) }},
	}
	for _, s := range seeds {
		t.Run("picks are uniform "+s.name, func(t *testing.T) {
			t.Parallel()
			const draws = 7000
			counts := make(map[int]int)
			for i := range draws {
				counts[domain.FuzzInterval(17, domain.MaxIntervalDays, s.seed(i))]++
			}
			require.Len(t, counts, 7, "every day of [14, 20] is picked")
			expected := float64(draws) / 7
			chi2 := 0.0
			for _, n := range counts {
				chi2 += (float64(n) - expected) * (float64(n) - expected) / expected
			}
			assert.Less(t, chi2, 22.46, "χ² with 6 degrees of freedom, p = 0.001: counts %v", counts)
		})
	}
}
