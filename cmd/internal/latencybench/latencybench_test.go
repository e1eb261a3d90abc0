package latencybench_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/cmd/internal/latencybench"
)

// envReader makes the test binary a reader process (see TestMain).
const envReader = "LATENCYBENCH_TEST_READER"

// readSleep is the fake read: a short sleep, so every latency is at least that.
func readSleep(ctx context.Context) error {
	select {
	case <-time.After(200 * time.Microsecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(envReader) == "1" {
		r := latencybench.Readers{Clients: 2, Settle: 10 * time.Millisecond, Read: readSleep}
		if err := latencybench.ServeReaders(context.Background(), r, os.Stdin, os.Stdout); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestServeReaders: the reader side says when it records, reads until its input ends,
// then writes every latency, sorted, as JSON.
func TestServeReaders(t *testing.T) {
	t.Parallel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	r := latencybench.Readers{Clients: 3, Settle: 5 * time.Millisecond, Read: readSleep}
	done := make(chan error, 1)
	go func() {
		done <- latencybench.ServeReaders(t.Context(), r, inR, outW)
		_ = outW.Close()
	}()
	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "recording\n", line)
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, inW.Close())
	var report struct{ LatenciesNs []int64 }
	require.NoError(t, json.NewDecoder(out).Decode(&report))
	require.NoError(t, <-done)
	require.NotEmpty(t, report.LatenciesNs)
	assert.IsNonDecreasing(t, report.LatenciesNs)
	assert.GreaterOrEqual(t, report.LatenciesNs[0], int64(200*time.Microsecond))
}

// TestReaderProcess runs the readers in a child process (this test binary, as TestMain
// makes it) beside an operation, and reports the phase from their latencies.
func TestReaderProcess(t *testing.T) {
	t.Setenv(envReader, "1")
	p := latencybench.ReaderProcess{Path: os.Args[0], Args: []string{"-test.run=^$"}}
	phase, err := p.Measure(t.Context(), "op", func(context.Context) (int64, error) {
		time.Sleep(30 * time.Millisecond)
		return 7, nil
	})
	require.NoError(t, err)
	assert.Equal(t, "op", phase.Name)
	assert.Equal(t, int64(7), phase.Deleted)
	assert.GreaterOrEqual(t, phase.Operation, 30*time.Millisecond)
	require.NotEmpty(t, phase.Latencies)
	assert.IsNonDecreasing(t, phase.Latencies)

	_, err = p.Measure(t.Context(), "failing", func(context.Context) (int64, error) { return 0, errors.New("boom") })
	assert.ErrorContains(t, err, "boom")

	var report bytes.Buffer
	require.NoError(t, latencybench.Report(&report, phase, nil, phase, "op"))
	assert.Contains(t, report.String(), "≥ 10 ms")
	assert.Contains(t, report.String(), "target p99 during op within 1ms of baseline: met")
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var values []time.Duration
	for i := 1; i <= 100; i++ {
		values = append(values, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, latencybench.Percentile(values, 0.50))
	assert.Equal(t, 99*time.Millisecond, latencybench.Percentile(values, 0.99))
	assert.Equal(t, 100*time.Millisecond, latencybench.Percentile(values, 1))
	assert.Equal(t, 7*time.Millisecond, latencybench.Percentile(values, 0.07), "0.07 × 100 is 7.000000000000001 in floating point")
	assert.Equal(t, time.Millisecond, latencybench.Percentile(values, 0.001), "nearest rank: never below the first value")
	assert.Zero(t, latencybench.Percentile(nil, 0.5))
	assert.Equal(t, 7*time.Millisecond, latencybench.Percentile([]time.Duration{7 * time.Millisecond}, 0.99))

	sorted := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	assert.Equal(t, time.Duration(5), latencybench.Percentile(sorted, 0.5))
	assert.Equal(t, time.Duration(10), latencybench.Percentile(sorted, 0.99))
	assert.Equal(t, time.Duration(10), latencybench.Percentile(sorted, 1))
}
