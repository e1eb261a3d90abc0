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

// fsrsTolerance is the precision the FSRS test vectors are given to.
const fsrsTolerance = 1e-4

// fsrs6 holds the default FSRS-6 weights, with which every test vector is computed.
var fsrs6 = domain.DefaultFSRSWeights

// steps builds an FSRS history from parallel ratings and elapsed days.
func steps(t *testing.T, ratings []domain.FSRSRating, days []float64) []domain.FSRSStep {
	t.Helper()
	require.Len(t, days, len(ratings))
	out := make([]domain.FSRSStep, len(ratings))
	for i := range ratings {
		out[i] = domain.FSRSStep{Rating: ratings[i], ElapsedDays: days[i]}
	}
	return out
}

func TestFSRSWeights_Validate(t *testing.T) {
	t.Parallel()
	with := func(i int, v float64) domain.FSRSWeights {
		w := domain.DefaultFSRSWeights
		w[i] = v
		return w
	}
	tests := []struct {
		name    string
		weights domain.FSRSWeights
		wantErr bool
	}{
		{"the defaults", domain.DefaultFSRSWeights, false},
		{"decay at its lower bound", with(20, 0.1), false},
		{"decay at its upper bound", with(20, 0.8), false},
		{"no hard penalty", with(15, 1), false},
		{"NaN", with(9, math.NaN()), true},
		{"+Inf", with(3, math.Inf(1)), true},
		{"-Inf", with(14, math.Inf(-1)), true},
		{"zero first stability", with(0, 0), true},
		{"negative first stability", with(2, -1), true},
		{"first stability over 100 days", with(3, 101), true},
		{"first difficulty above 10", with(4, 10.5), true},
		{"decay below 0.1", with(20, 0.09), true},
		{"decay above 0.8", with(20, 0.81), true},
		{"zero decay", with(20, 0), true},
		{"mean reversion above 0.75", with(7, 0.8), true},
		{"an easy bonus that shrinks stability", with(16, 0.9), true},
		{"a hard penalty that boosts stability", with(15, 1.1), true},
		{"a negative same-day scale", with(17, -0.1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.weights.Validate()
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			requireFieldError(t, err, "fsrsWeights")
		})
	}
}

func TestFSRSRatingFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    domain.Grade
		want domain.FSRSRating
	}{
		{0, domain.FSRSAgain},
		{1, domain.FSRSAgain},
		{2, domain.FSRSAgain},
		{3, domain.FSRSHard},
		{4, domain.FSRSGood},
		{5, domain.FSRSEasy},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("q=%d", tt.q), func(t *testing.T) {
			t.Parallel()
			got, err := domain.FSRSRatingFor(tt.q)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, got.Valid())
		})
	}
	for _, q := range []domain.Grade{-1, 6} {
		t.Run(fmt.Sprintf("invalid q=%d", q), func(t *testing.T) {
			t.Parallel()
			_, err := domain.FSRSRatingFor(q)
			requireFieldError(t, err, "grade")
		})
	}
}

func TestValidateDesiredRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r       float64
		wantErr bool
	}{
		{0.70, false}, {0.90, false}, {0.99, false},
		{0.69, true}, {0.995, true}, {1, true}, {0, true}, {math.NaN(), true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.r), func(t *testing.T) {
			t.Parallel()
			err := domain.ValidateDesiredRetention(tt.r)
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			requireFieldError(t, err, "desiredRetention")
		})
	}
	assert.NoError(t, domain.ValidateDesiredRetention(domain.DefaultDesiredRetention))
}

// TestFSRS_ReplayVectors reproduces the FSRS-6 reference histories T1 and T2: a new card
// answered twice on its first day, then reviewed 1, 3, 8 and 21 days apart.
func TestFSRS_ReplayVectors(t *testing.T) {
	t.Parallel()
	days := []float64{0, 0, 1, 3, 8, 21}
	const again, hard, good, easy = domain.FSRSAgain, domain.FSRSHard, domain.FSRSGood, domain.FSRSEasy
	tests := []struct {
		name    string
		ratings []domain.FSRSRating
		want    domain.FSRSMemory
	}{
		{"T1 again then good", []domain.FSRSRating{again, good, good, good, good, good}, domain.FSRSMemory{Stability: 53.62691, Difficulty: 6.3574867}},
		{"T2 every rating", []domain.FSRSRating{again, hard, good, easy, good, good}, domain.FSRSMemory{Stability: 51.0810, Difficulty: 6.7493}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fsrs6.ReplayMemory(steps(t, tt.ratings, days))
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Stability, got.Stability, fsrsTolerance)
			assert.InDelta(t, tt.want.Difficulty, got.Difficulty, fsrsTolerance)
		})
	}
}

// TestFSRS_NextIntervalDays reproduces T3: the interval of a card of stability 1 for
// desired retentions 0.1 to 1.0, without the maximum. fsrs-rs computes in float32, so
// its 3116766 days for 0.1 is matched to 1e-5 relative (float64 gives 3116769).
func TestFSRS_NextIntervalDays(t *testing.T) {
	t.Parallel()
	want := []int{3116766, 34793, 2508, 387, 90, 27, 9, 3, 1, 1}
	for i, days := range want {
		r := float64(i+1) / 10
		t.Run(fmt.Sprintf("T3 r=%.1f", r), func(t *testing.T) {
			t.Parallel()
			got := fsrs6.NextIntervalDays(1, r, math.MaxInt)
			if i == 0 {
				assert.InEpsilon(t, days, got, 1e-5)
				return
			}
			assert.Equal(t, days, got)
		})
	}

	tests := []struct {
		name      string
		stability float64
		retention float64
		want      int
	}{
		{"at 90 % the interval is the stability", 23.2469, 0.9, 23},
		{"halves round away from zero", 2.5, 0.9, 3},
		{"never below one day", 0.2, 0.9, 1},
		{"capped at the maximum interval", 36000, 0.7, domain.MaxIntervalDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, fsrs6.NextIntervalDays(tt.stability, tt.retention, domain.MaxIntervalDays))
		})
	}
}

// TestFSRS_Review reproduces T6: a card of stability 10 and difficulty 5 reviewed 10
// days after its last review, with each rating, and the next interval at 90 %.
func TestFSRS_Review(t *testing.T) {
	t.Parallel()
	from := domain.FSRSMemory{Stability: 10, Difficulty: 5}
	tests := []struct {
		name         string
		rating       domain.FSRSRating
		want         domain.FSRSMemory
		wantInterval int
	}{
		{"T6a again", domain.FSRSAgain, domain.FSRSMemory{Stability: 1.3920, Difficulty: 8.3418}, 1},
		{"T6b hard", domain.FSRSHard, domain.FSRSMemory{Stability: 23.2469, Difficulty: 6.6660}, 23},
		{"T6c good", domain.FSRSGood, domain.FSRSMemory{Stability: 32.0267, Difficulty: 4.9902}, 32},
		{"T6d easy", domain.FSRSEasy, domain.FSRSMemory{Stability: 51.2539, Difficulty: 3.3145}, 51},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fsrs6.Review(from, tt.rating, 10)
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Stability, got.Stability, fsrsTolerance)
			assert.InDelta(t, tt.want.Difficulty, got.Difficulty, fsrsTolerance)
			assert.Equal(t, tt.wantInterval, fsrs6.NextIntervalDays(got.Stability, domain.DefaultDesiredRetention, domain.MaxIntervalDays))
		})
	}
}

// TestFSRS_FirstReview reproduces T7: the memory of a new card after its first rating.
func TestFSRS_FirstReview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rating domain.FSRSRating
		want   domain.FSRSMemory
	}{
		{domain.FSRSAgain, domain.FSRSMemory{Stability: 0.212, Difficulty: 6.4133}},
		{domain.FSRSHard, domain.FSRSMemory{Stability: 1.2931, Difficulty: 5.1122}},
		{domain.FSRSGood, domain.FSRSMemory{Stability: 2.3065, Difficulty: 2.1181}},
		{domain.FSRSEasy, domain.FSRSMemory{Stability: 8.2956, Difficulty: 1.0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("T7 rating %d", tt.rating), func(t *testing.T) {
			t.Parallel()
			got, err := fsrs6.Review(domain.FSRSMemory{}, tt.rating, 3) // elapsed days mean nothing for a new card
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Stability, got.Stability, fsrsTolerance)
			assert.InDelta(t, tt.want.Difficulty, got.Difficulty, fsrsTolerance)
			assert.Equal(t, got, fsrs6.InitialMemory(tt.rating))
			assert.False(t, got.IsNew())
		})
	}
}

// TestFSRS_NextDifficulty checks that mean reversion pulls towards the unclamped
// initial difficulty of Easy (−4.7716 with the defaults), not towards its clamped 1.
func TestFSRS_NextDifficulty(t *testing.T) {
	t.Parallel()
	const unclampedEasy = -4.771630703161737
	tests := []struct {
		name   string
		d      float64
		rating domain.FSRSRating
		want   float64
	}{
		{"good on the hardest card only reverts", 10, domain.FSRSGood, 0.001*unclampedEasy + 0.999*10},
		{"again on a hard card steps less as it nears 10", 9, domain.FSRSAgain, 9.656535},
		{"easy on the easiest card stays at 1", 1, domain.FSRSEasy, 1},
		{"good on a middling card", 5, domain.FSRSGood, 4.9902},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tt.want, fsrs6.NextDifficulty(tt.d, tt.rating), fsrsTolerance)
		})
	}
}

func TestFSRS_SameDayStability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		stability float64
		rating    domain.FSRSRating
		want      float64
	}{
		{"again lowers a stable card", 100, domain.FSRSAgain, 26.2227},
		{"hard never lowers it", 100, domain.FSRSHard, 100},
		{"good never lowers it", 100, domain.FSRSGood, 100},
		{"easy raises it", 100, domain.FSRSEasy, 133.5033},
		{"again lowers a fresh card", 1, domain.FSRSAgain, 0.3550},
		{"hard keeps a fresh card", 1, domain.FSRSHard, 1},
		{"good raises a fresh card", 1, domain.FSRSGood, 1.0507},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tt.want, fsrs6.SameDayStability(tt.stability, tt.rating), fsrsTolerance)
		})
	}

	t.Run("a review under a day is same-day", func(t *testing.T) {
		t.Parallel()
		from := domain.FSRSMemory{Stability: 100, Difficulty: 5}
		got, err := fsrs6.Review(from, domain.FSRSAgain, 0.99)
		require.NoError(t, err)
		assert.InDelta(t, 26.2227, got.Stability, fsrsTolerance)
		assert.InDelta(t, fsrs6.NextDifficulty(5, domain.FSRSAgain), got.Difficulty, 1e-12)
	})
}

func TestFSRS_StabilityAfterLapse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    domain.FSRSMemory
		r    float64
		want float64
	}{
		{"the relearned stability when it is lower", domain.FSRSMemory{Stability: 10, Difficulty: 5}, fsrs6.Retrievability(10, 10), 1.3920},
		{"at most S / e^(w17·w18)", domain.FSRSMemory{Stability: 0.5, Difficulty: 1}, 0.1, 0.4759},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tt.want, fsrs6.StabilityAfterLapse(tt.m, tt.r), fsrsTolerance)
		})
	}
}

func TestFSRS_Retrievability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		elapsed   float64
		stability float64
		want      float64
	}{
		{"certain right after a review", 0, 7, 1},
		{"90 % after stability days", 7, 7, 0.9},
		{"scales with stability", 14, 14, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tt.want, fsrs6.Retrievability(tt.elapsed, tt.stability), 1e-12)
		})
	}
}

func TestFSRS_ReviewRejects(t *testing.T) {
	t.Parallel()
	known := domain.FSRSMemory{Stability: 10, Difficulty: 5}
	tests := []struct {
		name    string
		rating  domain.FSRSRating
		elapsed float64
		field   string
	}{
		{"rating 0", 0, 1, "rating"},
		{"rating 5", 5, 1, "rating"},
		{"negative elapsed days", domain.FSRSGood, -1, "elapsedDays"},
		{"NaN elapsed days", domain.FSRSGood, math.NaN(), "elapsedDays"},
		{"infinite elapsed days", domain.FSRSGood, math.Inf(1), "elapsedDays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := fsrs6.Review(known, tt.rating, tt.elapsed)
			requireFieldError(t, err, tt.field)
		})
	}

	t.Run("replay names the step", func(t *testing.T) {
		t.Parallel()
		_, err := fsrs6.ReplayMemory([]domain.FSRSStep{{Rating: domain.FSRSGood}, {Rating: 7, ElapsedDays: 2}})
		requireFieldError(t, err, "rating")
		assert.ErrorContains(t, err, "step 1")
	})
	t.Run("an empty history leaves the card new", func(t *testing.T) {
		t.Parallel()
		got, err := fsrs6.ReplayMemory(nil)
		require.NoError(t, err)
		assert.True(t, got.IsNew())
	})
}

// randomMemory draws a reviewed card's memory across the whole range FSRS reaches.
func randomMemory(rng *rand.Rand) domain.FSRSMemory {
	return domain.FSRSMemory{
		Stability:  math.Exp(rng.Float64()*14 - 5), // about 0.007 to 8000 days
		Difficulty: 1 + 9*rng.Float64(),
	}
}

// TestFSRS_Properties checks, on random memories and histories drawn with a fixed seed,
// what the model promises whatever the weights were fitted to.
func TestFSRS_Properties(t *testing.T) {
	t.Parallel()
	const trials = 2000

	t.Run("recall probability falls with time and the interval inverts it", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(1, 2))
		for range trials {
			s, t1 := randomMemory(rng).Stability, rng.Float64()*1000
			t2 := t1 + 0.01 + rng.Float64()*1000
			r1, r2 := fsrs6.Retrievability(t1, s), fsrs6.Retrievability(t2, s)
			require.Greater(t, r1, r2, "S=%g t1=%g t2=%g", s, t1, t2)
			require.True(t, r2 > 0 && r1 <= 1, "S=%g: R out of (0, 1]", s)
			retention := 0.7 + 0.29*rng.Float64()
			require.InDelta(t, retention, fsrs6.Retrievability(fsrs6.IntervalDays(s, retention), s), 1e-9)
		}
	})

	t.Run("a pass a day or more later raises stability, more for easier ratings", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(3, 4))
		for range trials {
			m := randomMemory(rng)
			elapsed := 1 + rng.Float64()*2*m.Stability
			hard, good, easy := reviewed(t, m, domain.FSRSHard, elapsed), reviewed(t, m, domain.FSRSGood, elapsed), reviewed(t, m, domain.FSRSEasy, elapsed)
			require.Greater(t, good.Stability, m.Stability, "%+v after %g days", m, elapsed)
			require.LessOrEqual(t, hard.Stability, good.Stability)
			require.LessOrEqual(t, good.Stability, easy.Stability)
		}
	})

	t.Run("a lapse never raises stability", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(5, 6))
		for range trials {
			m := randomMemory(rng)
			elapsed := 1 + rng.Float64()*1000
			require.LessOrEqual(t, reviewed(t, m, domain.FSRSAgain, elapsed).Stability, m.Stability, "%+v", m)
		}
	})

	t.Run("random histories keep difficulty in 1..10 and stability finite and positive", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(7, 8))
		for range trials / 10 {
			var m domain.FSRSMemory
			for range 1 + rng.IntN(60) {
				elapsed := 0.0
				if rng.IntN(4) > 0 { // a quarter of the reviews are same-day drills
					elapsed = 1 + float64(rng.IntN(400))
				}
				m = reviewed(t, m, domain.FSRSRating(1+rng.IntN(4)), elapsed)
				require.True(t, m.Difficulty >= domain.MinFSRSDifficulty && m.Difficulty <= domain.MaxFSRSDifficulty, "%+v", m)
				require.True(t, m.Stability > 0 && !math.IsInf(m.Stability, 0), "%+v", m)
			}
		}
	})
}

// reviewed applies one valid review and fails the test on an error.
func reviewed(t *testing.T, m domain.FSRSMemory, g domain.FSRSRating, elapsed float64) domain.FSRSMemory {
	t.Helper()
	next, err := fsrs6.Review(m, g, elapsed)
	require.NoError(t, err)
	return next
}
