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
