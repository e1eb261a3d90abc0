package contract

import (
	"sync"
	"testing"
	"time"
)

// maxSteps bounds how many atomic steps the paused call of a forced interleaving may
// take: one that never ends is a bug of its own.
const maxSteps = 64

// stepTimeout bounds how long the second call of a forced interleaving may run while
// the first is paused. Running past it means the paused call holds something the second
// waits for: the harness reports a step where the store is not between two steps.
const stepTimeout = 10 * time.Second

// race is one round of a forced interleaving of two store calls: first is paused at the
// end of one of its atomic steps while second runs whole, then check asserts what both
// left behind. first and second run on goroutines of their own, so they record their
// results for check instead of asserting; check runs on the test's goroutine.
type race struct {
	first, second func()
	check         func()
}

// forceInterleavings runs second in each gap between two atomic steps of first, one gap
// per round: round n pauses first at the end of its n-th step (as the store reports
// through the hook onStep installs), runs second to completion, lets first finish and
// checks. The rounds end with the first one in which first finishes in fewer than n
// steps; that round runs second after first. newRace builds each round on fresh state.
//
// The schedule is the same on every run: no sleep, no retry, no scheduling luck. A store
// whose every call is one atomic step sees second run after first; a store that decides
// in one step and acts in a later one sees second run in between.
func forceInterleavings(t *testing.T, onStep func(hook func()), newRace func() race) {
	t.Helper()
	gate := &stepGate{}
	onStep(gate.step)
	for n := 1; n <= maxSteps; n++ {
		r := newRace()
		paused := gate.play(t, n, r)
		r.check()
		if !paused {
			return
		}
	}
	t.Fatalf("a call still had steps left after %d", maxSteps)
}

// stepGate pauses one store call at the end of its n-th atomic step. Until then that call
// is the only one in flight, so every step the store reports is its own; once it is
// paused, the gate lets every step pass.
type stepGate struct {
	mu sync.Mutex
	// pauseAt is the step to pause at, 0 when disarmed; steps counts those reported
	// since the gate was armed.
	pauseAt, steps int
	paused, resume chan struct{}
}

// step is the hook the store calls at the end of each atomic step.
func (g *stepGate) step() {
	g.mu.Lock()
	if g.pauseAt == 0 {
		g.mu.Unlock()
		return
	}
	g.steps++
	if g.steps < g.pauseAt {
		g.mu.Unlock()
		return
	}
	g.pauseAt = 0
	paused, resume := g.paused, g.resume
	g.mu.Unlock()
	close(paused)
	<-resume
}

// arm makes the gate pause the next call at the end of its n-th step.
func (g *stepGate) arm(n int) (paused, resume chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pauseAt, g.steps = n, 0
	g.paused, g.resume = make(chan struct{}), make(chan struct{})
	return g.paused, g.resume
}

// disarm lets every step pass and returns how many steps were reported since the gate
// was armed.
func (g *stepGate) disarm() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pauseAt = 0
	return g.steps
}

// play runs one round: r.first, paused at the end of its n-th step while r.second runs.
// It reports whether first was paused; when it was not, first finished before its n-th
// step and second ran after it.
func (g *stepGate) play(t *testing.T, n int, r race) bool {
	t.Helper()
	paused, resume := g.arm(n)
	firstDone := start(r.first)
	select {
	case <-firstDone:
		if g.disarm() == 0 {
			t.Fatal("the store reported no step of a whole call: the harness's OnStep does not reach it")
		}
		r.second()
		return false
	case <-paused:
	}
	timer := time.NewTimer(stepTimeout)
	defer timer.Stop()
	select {
	case <-start(r.second):
	case <-timer.C:
		close(resume)
		t.Fatalf("a call did not finish within %s while another was paused at the end of its step %d: "+
			"the harness reports a step where the store still holds what other calls wait for", stepTimeout, n)
	}
	close(resume)
	<-firstDone
	return true
}

// start runs fn on a goroutine of its own and returns a channel closed when fn returns.
func start(fn func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return done
}
