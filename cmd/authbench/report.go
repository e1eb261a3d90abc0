package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/studytool/studytool/cmd/internal/latencybench"
)

// report writes the benchmark's output, remembering the first write error.
type report struct {
	out io.Writer
	err error
}

func (r *report) printf(format string, args ...any) {
	if _, err := fmt.Fprintf(r.out, format, args...); err != nil && r.err == nil {
		r.err = err
	}
}

// flush writes out a table (writes into a tabwriter only buffer).
func (r *report) flush(w *tabwriter.Writer) {
	if err := w.Flush(); err != nil && r.err == nil {
		r.err = err
	}
}

// header states what runs and with which environment.
func (r *report) header(o options, env map[string]string, pid int) {
	r.printf("authbench: %d workers for %s from %d client addresses, %d seeded accounts; studytool pid %d\n",
		o.workers, o.duration, o.ips, o.accounts, pid)
	r.printf("child environment: %s\n", strings.Join(redactedEnv(env), " "))
}

// answers prints the count of each status and problem code per operation, the request
// rate and the latency percentiles.
func (r *report) answers(t *tally, elapsed time.Duration) {
	w := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprint(w, "status\tcode\t")
	for op := range numOperations {
		_, _ = fmt.Fprintf(w, "%s\t", op)
	}
	_, _ = fmt.Fprintln(w, "total\t")
	for _, k := range t.outcomes() {
		_, _ = fmt.Fprintf(w, "%d\t%s\t", k.status, k.code)
		for _, n := range t.counts[k] {
			_, _ = fmt.Fprintf(w, "%d\t", n)
		}
		_, _ = fmt.Fprintf(w, "%d\t\n", t.total(k))
	}
	r.printf("\n")
	r.flush(w)
	r.printf("\n%d requests in %.2f s: %.1f req/s; latency p50 %s, p99 %s, max %s; %d unanswered\n",
		t.requests(), elapsed.Seconds(), float64(t.requests())/elapsed.Seconds(),
		millis(latencybench.Percentile(t.latencies, 0.50)), millis(latencybench.Percentile(t.latencies, 0.99)),
		millis(latencybench.Percentile(t.latencies, 1)), t.transportErrors)
	if t.firstError != "" {
		r.printf("first unanswered request: %s\n", t.firstError)
	}
}

// memory prints the child's memory figures.
func (r *report) memory(m memory, concurrency int) {
	w := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', 0)
	row := func(label string, n int64, note string) {
		_, _ = fmt.Fprintf(w, "%s\t%10s", label, mib(n))
		if note != "" {
			_, _ = fmt.Fprintf(w, "\t%s", note)
		}
		_, _ = fmt.Fprintln(w)
	}
	r.printf("\n")
	row("idle RSS", m.idle, "")
	row("peak RSS (VmHWM)", m.peak, fmt.Sprintf("largest of %d samples every %s: %s", m.samples, sampleInterval, mib(m.sampled)))
	row("budget", m.budget, fmt.Sprintf("%d × 64 MiB", concurrency))
	row("margin", m.peak-m.idle-m.budget, "peak − idle − budget")
	row("allowance", m.slack, fmt.Sprintf("%d MB", m.slack/1_000_000))
	row("RSS after the load", m.after, "")
	r.flush(w)
}

// metrics prints the child's hashing counters beside the busy answers counted here.
func (r *report) metrics(values map[string]float64, busyAnswers int) {
	r.printf("\nchild metrics: %s %.0f, %s %.0f (503 busy answers received: %d)\n",
		metricHashes, values[metricHashes], metricBusy, values[metricBusy], busyAnswers)
}

// verdicts prints and returns whether both targets were met.
func (r *report) verdicts(m memory, t *tally) bool {
	r.printf("\npeak RSS ≤ idle + budget + %d MB (%s ≤ %s): %s\n", m.slack/1_000_000, mib(m.peak), mib(m.limit()), verdict(m.ok()))
	r.printf("statuses in 200/201/401/409/422/429/503, Retry-After on every 429 and 503, all answered "+
		"(%d unexpected, %d without Retry-After, %d unanswered): %s\n",
		t.unexpected, t.missingRetryAfter, t.transportErrors, verdict(t.answersOK()))
	return m.ok() && t.answersOK()
}

// mib formats n bytes in MiB.
func mib(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

// millis formats d in milliseconds.
func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
