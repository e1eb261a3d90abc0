// Package latencybench measures what readers of a Redis server see while an operation
// runs beside them: the machinery the load commands under cmd/ (cachebench, keysbench)
// share. Each command brings its keys, its readers' read and its operations.
package latencybench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Targets an operation over many keys is held to while others read: their p99 within
// TargetP99Over of the baseline's, and no read slower than TargetMax.
const (
	TargetP99Over = time.Millisecond
	TargetMax     = 50 * time.Millisecond
)

// Phase is what the readers saw while one operation ran.
type Phase struct {
	Name      string
	Operation time.Duration
	Deleted   int64
	// Latencies are the readers' reads during the operation, sorted.
	Latencies []time.Duration
}

// Summary is the phase in one line.
func (p Phase) Summary() string {
	return fmt.Sprintf("%s: %s, %d deleted, %d client reads", p.Name, p.Operation.Round(time.Millisecond), p.Deleted, len(p.Latencies))
}

// Op is an operation measured; it returns how many keys it deleted.
type Op func(context.Context) (int64, error)

// Wait is the operation of a baseline: it only lets d pass.
func Wait(d time.Duration) Op {
	return func(ctx context.Context) (int64, error) {
		select {
		case <-time.After(d):
			return 0, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Readers are Clients goroutines calling Read in a loop, given Settle to open their
// connections before an operation starts.
type Readers struct {
	Clients int
	Settle  time.Duration
	Read    func(context.Context) error
}

// Measurer runs readers beside an operation and returns what they saw.
type Measurer interface {
	Measure(ctx context.Context, name string, op Op) (Phase, error)
}

var (
	_ Measurer = Readers{}
	_ Measurer = ReaderProcess{}
)

// Measure runs the readers, lets them settle, runs op, and stops them when op returns.
func (r Readers) Measure(ctx context.Context, name string, op Op) (Phase, error) {
	stop := r.start(ctx)
	start := time.Now()
	deleted, err := op(ctx)
	elapsed := time.Since(start)
	latencies, readErr := stop()
	if err != nil {
		return Phase{}, fmt.Errorf("%s: %w", name, err)
	}
	if readErr != nil {
		return Phase{}, fmt.Errorf("%s: %w", name, readErr)
	}
	return Phase{Name: name, Operation: elapsed, Deleted: deleted, Latencies: latencies}, nil
}

// start runs the readers, lets them settle and turns recording on; stop ends them and
// returns the latencies recorded, sorted.
func (r Readers) start(ctx context.Context) (stop func() ([]time.Duration, error)) {
	readCtx, cancel := context.WithCancel(ctx)
	var recording atomic.Bool
	samples := make([][]time.Duration, r.Clients)
	errs := make([]error, r.Clients)
	var wg sync.WaitGroup
	for i := range r.Clients {
		wg.Go(func() { samples[i], errs[i] = r.read(readCtx, &recording) })
	}
	time.Sleep(r.Settle) // connections open, goroutines running
	recording.Store(true)
	return func() ([]time.Duration, error) {
		cancel()
		wg.Wait()
		var all []time.Duration
		for i, s := range samples {
			if errs[i] != nil {
				return nil, fmt.Errorf("client %d: %w", i, errs[i])
			}
			all = append(all, s...)
		}
		slices.Sort(all)
		return all, nil
	}
}

// ReaderProcess runs the readers in a child process, Path with Args, which must call
// ServeReaders: the readers then share no heap, garbage collector or scheduler with
// the operation measured, only the machine.
type ReaderProcess struct {
	Path string
	Args []string
}

// readerReady is the line a reader process writes once its readers record.
const readerReady = "recording"

// readerReport is what a reader process writes when its standard input closes.
type readerReport struct {
	// LatenciesNs are the reads' latencies in nanoseconds, sorted.
	LatenciesNs []int64 `json:"latenciesNs"`
	Error       string  `json:"error,omitempty"`
}

// Measure starts the reader process, waits until its readers record, runs op, then
// closes the process's standard input and reads its latencies.
func (p ReaderProcess) Measure(ctx context.Context, name string, op Op) (Phase, error) {
	cmd := exec.CommandContext(ctx, p.Path, p.Args...) //nolint:gosec // G204: the benchmark starts itself (os.Executable) with its own flags
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Phase{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Phase{}, err
	}
	if err := cmd.Start(); err != nil {
		return Phase{}, fmt.Errorf("%s: start readers: %w", name, err)
	}
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != readerReady {
		_ = stdin.Close()
		_ = cmd.Wait()
		return Phase{}, fmt.Errorf("%s: readers did not start: %q %w", name, line, err)
	}
	start := time.Now()
	deleted, opErr := op(ctx)
	elapsed := time.Since(start)
	_ = stdin.Close()
	var report readerReport
	decodeErr := json.NewDecoder(out).Decode(&report)
	waitErr := cmd.Wait()
	if err := errors.Join(opErr, decodeErr, waitErr); err != nil {
		return Phase{}, fmt.Errorf("%s: %w", name, err)
	}
	if report.Error != "" {
		return Phase{}, fmt.Errorf("%s: readers: %s", name, report.Error)
	}
	latencies := make([]time.Duration, len(report.LatenciesNs))
	for i, ns := range report.LatenciesNs {
		latencies[i] = time.Duration(ns)
	}
	return Phase{Name: name, Operation: elapsed, Deleted: deleted, Latencies: latencies}, nil
}

// ServeReaders is the reader process's side of ReaderProcess: it runs r, writes
// readerReady once they record, and when in ends (the parent closed it) stops them and
// writes their latencies to out as JSON.
func ServeReaders(ctx context.Context, r Readers, in io.Reader, out io.Writer) error {
	stop := r.start(ctx)
	if _, err := fmt.Fprintln(out, readerReady); err != nil {
		_, _ = stop()
		return err
	}
	_, _ = io.Copy(io.Discard, in) // until the parent closes our standard input
	latencies, err := stop()
	report := readerReport{LatenciesNs: make([]int64, len(latencies))}
	for i, d := range latencies {
		report.LatenciesNs[i] = int64(d)
	}
	if err != nil {
		report.Error = err.Error()
	}
	return json.NewEncoder(out).Encode(report)
}

// read calls Read until ctx ends, and returns the latency of each read made while
// recording is on.
func (r Readers) read(ctx context.Context, recording *atomic.Bool) ([]time.Duration, error) {
	out := make([]time.Duration, 0, 1<<16)
	for ctx.Err() == nil {
		start := time.Now()
		err := r.Read(ctx)
		elapsed := time.Since(start)
		if err != nil && ctx.Err() == nil {
			return out, err
		}
		if err == nil && recording.Load() {
			out = append(out, elapsed)
		}
	}
	return out, nil
}

// Report writes the phases as a table, then judges the phase named judged (what it did,
// in words) against the targets.
func Report(w io.Writer, baseline Phase, phases []Phase, judged Phase, what string) error {
	base := Percentile(baseline.Latencies, 0.99)
	// Writes into the tabwriter only buffer; Flush reports a failure to write out.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintln(tw, "phase\toperation\tdeleted\tclient reads\treads/s\tp50\tp99\tmax\tp99 − baseline\t≥ 10 ms\t≥ 50 ms\t")
	for _, p := range append([]Phase{baseline}, phases...) {
		p99 := Percentile(p.Latencies, 0.99)
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t\n", p.Name, p.Operation.Round(time.Millisecond), p.Deleted,
			len(p.Latencies), float64(len(p.Latencies))/p.Operation.Seconds(),
			millis(Percentile(p.Latencies, 0.50)), millis(p99), millis(Percentile(p.Latencies, 1)), millis(p99-base),
			atLeast(p.Latencies, 10*time.Millisecond), atLeast(p.Latencies, TargetMax))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p99Over := Percentile(judged.Latencies, 0.99) - base
	maxLat := Percentile(judged.Latencies, 1)
	_, err := fmt.Fprintf(w, "\ntarget p99 during %s within %s of baseline: %s (%s)\ntarget max during %s under %s: %s (%s)\n",
		what, TargetP99Over, verdict(p99Over <= TargetP99Over), millis(p99Over),
		what, TargetMax, verdict(maxLat < TargetMax), millis(maxLat))
	return err
}

// Percentile returns the q-quantile (0 < q ≤ 1) of sorted by the nearest-rank method:
// the smallest value with at least q of the values at or below it; 0 for no values.
// The rank is rounded up with a tolerance for float error (0.07 × 100 is
// 7.000000000000001, and its rank is 7, not 8).
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)) - 1e-9))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// atLeast counts the latencies of sorted that are d or longer.
func atLeast(sorted []time.Duration, d time.Duration) int {
	i, _ := slices.BinarySearch(sorted, d)
	return len(sorted) - i
}

// millis formats d in milliseconds with microsecond precision.
func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + " ms"
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
