package main

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// operation is what a request tried.
type operation int

// The operations of a worker, in the order it cycles through them.
const (
	opRegister operation = iota
	opLoginRight
	opLoginWrong
	numOperations
)

// String names the operation in the report.
func (op operation) String() string {
	return [...]string{"register", "login, right pw", "login, wrong pw"}[op]
}

// expectedStatuses are the answers anonymous registrations and logins may get: success,
// a wrong password (401), a taken email (409), a refused input (422), a spent limit (429)
// and a full hasher (503).
var expectedStatuses = map[int]bool{
	http.StatusOK: true, http.StatusCreated: true, http.StatusUnauthorized: true, http.StatusConflict: true,
	http.StatusUnprocessableEntity: true, http.StatusTooManyRequests: true, http.StatusServiceUnavailable: true,
}

// codeBusy is the problem code of a 503 from a full hasher.
const codeBusy = "busy"

// answer is what the benchmark keeps of one response.
type answer struct {
	op         operation
	status     int
	code       string // the problem code of an error body; empty on success
	retryAfter string // the Retry-After header
	latency    time.Duration
}

// outcome is one kind of answer: its status and problem code.
type outcome struct {
	status int
	code   string
}

// tally counts one worker's answers; the workers' tallies are merged at the end.
type tally struct {
	counts    map[outcome]*[numOperations]int
	latencies []time.Duration
	// unexpected counts statuses outside expectedStatuses; missingRetryAfter the 429s
	// and 503s without a positive whole number of seconds in Retry-After.
	unexpected, missingRetryAfter int
	// transportErrors counts requests that got no answer; firstError is the first.
	transportErrors int
	firstError      string
}

func newTally() *tally {
	return &tally{counts: map[outcome]*[numOperations]int{}}
}

// add counts a and checks its status and Retry-After.
func (t *tally) add(a answer) {
	t.count(outcome{a.status, a.code})[a.op]++
	t.latencies = append(t.latencies, a.latency)
	if !expectedStatuses[a.status] {
		t.unexpected++
	}
	if needsRetryAfter(a.status) && !validRetryAfter(a.retryAfter) {
		t.missingRetryAfter++
	}
}

// addError counts a request that got no answer.
func (t *tally) addError(err error) {
	t.transportErrors++
	if t.firstError == "" {
		t.firstError = err.Error()
	}
}

// merge adds o's figures to t.
func (t *tally) merge(o *tally) {
	for k, n := range o.counts {
		c := t.count(k)
		for op := range n {
			c[op] += n[op]
		}
	}
	t.latencies = append(t.latencies, o.latencies...)
	t.unexpected += o.unexpected
	t.missingRetryAfter += o.missingRetryAfter
	t.transportErrors += o.transportErrors
	if t.firstError == "" {
		t.firstError = o.firstError
	}
}

func (t *tally) count(k outcome) *[numOperations]int {
	c, ok := t.counts[k]
	if !ok {
		c = new([numOperations]int)
		t.counts[k] = c
	}
	return c
}

// total is the number of answers of kind k, whatever their operation.
func (t *tally) total(k outcome) int {
	sum := 0
	if c, ok := t.counts[k]; ok {
		for _, n := range c {
			sum += n
		}
	}
	return sum
}

// requests is the number of requests sent, answered or not.
func (t *tally) requests() int { return len(t.latencies) + t.transportErrors }

// answersOK reports whether every request got an expected answer, with Retry-After where due.
func (t *tally) answersOK() bool {
	return t.unexpected == 0 && t.missingRetryAfter == 0 && t.transportErrors == 0
}

// outcomes returns the outcomes seen, by status then code.
func (t *tally) outcomes() []outcome {
	return slices.SortedFunc(maps.Keys(t.counts), func(a, b outcome) int {
		return cmp.Or(cmp.Compare(a.status, b.status), cmp.Compare(a.code, b.code))
	})
}

// needsRetryAfter reports whether an answer with status must say when to retry.
func needsRetryAfter(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// validRetryAfter reports whether v is a positive whole number of seconds: ASCII digits
// only (no sign, no spaces, no HTTP date), not zero.
func validRetryAfter(v string) bool {
	if v == "" || len(v) > 9 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(v)
	return err == nil && n > 0
}
