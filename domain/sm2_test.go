package domain_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// start is the time of the first review in every scenario; later reviews happen on the
// day they are due.
var start = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// answer is one step of a scenario: a grade, given as a drill or as a graded review.
type answer struct {
	q     domain.Grade
	drill bool
}

// answerAll answers p in order, in a learner day in UTC starting at midnight: each graded
// answer when the card falls due (at start for a card never studied), each drill a
// minute after the answer before it, as in a study session. It returns the logged rows.
func answerAll(t *testing.T, p *domain.Progress, answers []answer) []domain.Review {
	t.Helper()
	var rows []domain.Review
	last := start.Add(-time.Minute)
	for _, a := range answers {
		at := last.Add(time.Minute)
		if !a.drill && p.DueAt.After(at) {
			at = p.DueAt
		}
		r, err := p.Apply(domain.Answer{Grade: a.q, At: at, Drill: a.drill})
		require.NoError(t, err)
		rows = append(rows, r)
		last = at
	}
	return rows
}

// graded turns grades into graded (non-drill) answers.
func graded(qs ...domain.Grade) []answer {
	out := make([]answer, len(qs))
	for i, q := range qs {
		out[i] = answer{q: q}
	}
	return out
}

// state builds a scheduler state: n repetitions, EF in hundredths, interval in days.
func state(n int, ef domain.EF, days int) domain.SchedState {
	return domain.SchedState{Repetitions: n, EF: ef, IntervalDays: days}
}

// TestApply_SM2Vectors reproduces every SM-2 test vector of docs/scheduling.md through
// Progress.Apply, each graded review given when the card falls due, and checks the
// interval after every step as well as the final state and due date.
func TestApply_SM2Vectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		from          domain.SchedState
		answers       []answer
		wantIntervals []int
		wantEFs       []domain.EF
		want          domain.SchedState
		wantEF        float64
	}{
		{
			name: "V1 one good answer", from: domain.NewSchedState(), answers: graded(4),
			wantIntervals: []int{1}, wantEFs: []domain.EF{250},
			want: state(1, 250, 1), wantEF: 2.5,
		},
		{
			name: "V2 three perfect answers", from: domain.NewSchedState(), answers: graded(5, 5, 5),
			wantIntervals: []int{1, 6, 17}, wantEFs: []domain.EF{260, 270, 280},
			want: state(3, 280, 17), wantEF: 2.8,
		},
		{
			name: "V3 then a good answer", from: domain.NewSchedState(), answers: graded(5, 5, 5, 4),
			wantIntervals: []int{1, 6, 17, 48}, wantEFs: []domain.EF{260, 270, 280, 280},
			want: state(4, 280, 48), wantEF: 2.8,
		},
		{
			name: "V4 then a failure", from: domain.NewSchedState(), answers: graded(5, 5, 5, 4, 2),
			wantIntervals: []int{1, 6, 17, 48, 1}, wantEFs: []domain.EF{260, 270, 280, 280, 280},
			want: state(0, 280, 1), wantEF: 2.8,
		},
		{
			name: "V4 continued with 4, 4, 4", from: domain.NewSchedState(), answers: graded(5, 5, 5, 4, 2, 4, 4, 4),
			wantIntervals: []int{1, 6, 17, 48, 1, 1, 6, 17}, wantEFs: []domain.EF{260, 270, 280, 280, 280, 280, 280, 280},
			want: state(3, 280, 17), wantEF: 2.8,
		},
		{
			name: "V5 grade 3 at EF 1.40 clamps", from: state(2, 140, 6), answers: graded(3),
			wantIntervals: []int{8}, wantEFs: []domain.EF{130},
			want: state(3, 130, 8), wantEF: 1.3,
		},
		{
			name: "V6 five perfect answers", from: domain.NewSchedState(), answers: graded(5, 5, 5, 5, 5),
			wantIntervals: []int{1, 6, 17, 50, 150}, wantEFs: []domain.EF{260, 270, 280, 290, 300},
			want: state(5, 300, 150), wantEF: 3.0,
		},
		{
			name: "V7 four hesitant answers", from: domain.NewSchedState(), answers: graded(3, 3, 3, 3),
			wantIntervals: []int{1, 6, 13, 26}, wantEFs: []domain.EF{236, 222, 208, 194},
			want: state(4, 194, 26), wantEF: 1.94,
		},
		{
			name: "V8 failure then drill", from: domain.NewSchedState(), answers: []answer{{q: 2}, {q: 5, drill: true}},
			wantIntervals: []int{1, 1}, wantEFs: []domain.EF{250, 250},
			want: state(0, 250, 1), wantEF: 2.5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := domain.NewProgress("u1", "c1", "d1")
			p.State = tt.from
			if tt.from != domain.NewSchedState() {
				p.LastReviewedAt = start.AddDate(0, 0, -tt.from.IntervalDays)
			}
			var intervals []int
			var efs []domain.EF
			var lastGraded time.Time
			for _, r := range answerAll(t, &p, tt.answers) {
				intervals = append(intervals, r.After.State.IntervalDays)
				efs = append(efs, r.After.State.EF)
				if r.Kind.Graded() {
					lastGraded = r.ReviewedAt
				}
			}
			assert.Equal(t, tt.wantIntervals, intervals)
			assert.Equal(t, tt.wantEFs, efs)
			assert.Equal(t, tt.want, p.State)
			assert.InDelta(t, tt.wantEF, p.State.EF.Float(), 1e-9)
			assert.Equal(t, domain.LearnerDay{}.DueAt(lastGraded, tt.want.IntervalDays), p.DueAt)
		})
	}
}

func TestSchedule_EasinessByGrade(t *testing.T) {
	t.Parallel()
	from := state(3, 250, 10)
	tests := []struct {
		q    domain.Grade
		want domain.SchedState
	}{
		{5, state(4, 260, 26)},
		{4, state(4, 250, 25)},
		{3, state(4, 236, 24)},
		{2, state(0, 250, 1)},
		{1, state(0, 250, 1)},
		{0, state(0, 250, 1)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("q=%d", tt.q), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, domain.Schedule(from, tt.q))
		})
	}
}

func TestSchedule_Bounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from domain.SchedState
		q    domain.Grade
		want domain.SchedState
	}{
		{"EF never drops below 1.30", state(5, 130, 40), 3, state(6, 130, 52)},
		{"EF has no upper bound", state(5, 990, 10), 5, state(6, 1000, 100)},
		{"interval rounds up, not to nearest", state(2, 250, 6), 3, state(3, 236, 15)},
		{"interval stops at the cap", state(9, 300, 20000), 5, state(10, 310, domain.MaxIntervalDays)},
		{"interval stays at the cap", state(10, 310, domain.MaxIntervalDays), 4, state(11, 310, domain.MaxIntervalDays)},
		{"huge factor cannot overflow", state(3, domain.EF(1<<60), 6), 5, state(4, domain.EF(1<<60)+10, domain.MaxIntervalDays)},
		{"failure keeps a clamped EF", state(7, 130, 300), 0, state(0, 130, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, domain.Schedule(tt.from, tt.q))
		})
	}
}

// referenceSchedule is SM-2's rule (docs/scheduling.md) in exact rational arithmetic,
// with its decimal constants as written: an oracle independent of the integer shortcut.
func referenceSchedule(t *testing.T, s domain.SchedState, q domain.Grade) domain.SchedState {
	t.Helper()
	if q < 3 {
		return domain.SchedState{Repetitions: 0, EF: s.EF, IntervalDays: 1}
	}
	miss := big.NewRat(int64(5-q), 1)
	step := new(big.Rat).Mul(miss, big.NewRat(2, 100))
	step.Add(step, big.NewRat(8, 100))
	step.Mul(step, miss)
	ef := new(big.Rat).Add(big.NewRat(int64(s.EF), 100), big.NewRat(1, 10))
	ef.Sub(ef, step)
	if ef.Cmp(big.NewRat(13, 10)) < 0 {
		ef = big.NewRat(13, 10)
	}
	hundredths := new(big.Rat).Mul(ef, big.NewRat(100, 1))
	if !hundredths.IsInt() {
		t.Fatalf("reference EF %s left the hundredths grid", ef.RatString())
	}
	next := domain.SchedState{Repetitions: s.Repetitions + 1, EF: domain.EF(hundredths.Num().Int64())}
	switch next.Repetitions {
	case 1:
		next.IntervalDays = 1
	case 2:
		next.IntervalDays = 6
	default:
		product := new(big.Rat).Mul(big.NewRat(int64(s.IntervalDays), 1), ef)
		ceil := new(big.Int).Div(product.Num(), product.Denom()) // floor: product ≥ 0
		if !product.IsInt() {
			ceil.Add(ceil, big.NewInt(1))
		}
		next.IntervalDays = int(min(ceil.Int64(), domain.MaxIntervalDays))
	}
	return next
}

// FuzzSchedule drives a new card through arbitrary grade sequences (each byte is a grade
// modulo 6), compares every step with the exact rational oracle, and checks the
// invariants SM-2 promises on every state reachable that way.
func FuzzSchedule(f *testing.F) {
	for _, seed := range [][]byte{{4}, {5, 5, 5, 4, 2, 4, 4, 4}, {5, 5, 5, 5, 5}, {3, 3, 3, 3}, {2, 5}, {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5}, {0, 1, 2, 3, 4, 5}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, grades []byte) {
		s := domain.NewSchedState()
		for i, b := range grades {
			q := domain.Grade(b % 6)
			next := domain.Schedule(s, q)
			if want := referenceSchedule(t, s, q); next != want {
				t.Fatalf("step %d: Schedule(%+v, %d) = %+v, exact rule gives %+v", i, s, q, next, want)
			}
			checkInvariants(t, s, q, next)
			s = next
		}
	})
}

func checkInvariants(t *testing.T, from domain.SchedState, q domain.Grade, next domain.SchedState) {
	t.Helper()
	if next.EF < domain.MinEF {
		t.Fatalf("Schedule(%+v, %d): EF %d below the floor", from, q, next.EF)
	}
	if next.IntervalDays < 1 || next.IntervalDays > domain.MaxIntervalDays {
		t.Fatalf("Schedule(%+v, %d): interval %d out of 1..%d", from, q, next.IntervalDays, domain.MaxIntervalDays)
	}
	if q < 3 {
		if next != (domain.SchedState{EF: from.EF, IntervalDays: 1}) {
			t.Fatalf("Schedule(%+v, %d) = %+v: a failure must restart at n=0, I=1, same EF", from, q, next)
		}
		return
	}
	if next.Repetitions != from.Repetitions+1 {
		t.Fatalf("Schedule(%+v, %d): repetitions %d, want %d", from, q, next.Repetitions, from.Repetitions+1)
	}
	// A pass never shortens the interval. It grows strictly except when relearning (n=0
	// after a failure, I stays 1) or at the cap.
	if next.IntervalDays < from.IntervalDays {
		t.Fatalf("Schedule(%+v, %d): interval shrank to %d", from, q, next.IntervalDays)
	}
	relearning := from.Repetitions == 0 && from.IntervalDays == 1
	if next.IntervalDays == from.IntervalDays && !relearning && from.IntervalDays != domain.MaxIntervalDays {
		t.Fatalf("Schedule(%+v, %d): interval did not grow", from, q)
	}
	if from.Repetitions >= 2 && next.IntervalDays != domain.MaxIntervalDays && from.IntervalDays*13 > next.IntervalDays*10 {
		t.Fatalf("Schedule(%+v, %d): interval %d grew by less than the minimum factor 1.3", from, q, next.IntervalDays)
	}
}
