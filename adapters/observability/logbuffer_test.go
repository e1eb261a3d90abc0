package observability

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedWriter is a bytes.Buffer safe for the flusher and the test to share; it counts
// the writes it receives.
type lockedWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	gate   chan struct{} // when not nil, each write waits for a value
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	if w.gate != nil {
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func (w *lockedWriter) snapshot() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String(), w.writes
}

func TestLogBufferKeepsEveryLineWholeAndInOrder(t *testing.T) {
	t.Parallel()
	out := &lockedWriter{}
	b := NewLogBuffer(out, time.Hour, 4<<10, 0) // flushed by size and by Stop only
	logger := slog.New(slog.NewJSONHandler(b, nil))
	logger.Info("before start")
	b.Start()

	const writers, perWriter = 4, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				logger.Info("http request", slog.Int("writer", w), slog.Int("seq", i))
			}
		})
	}
	wg.Wait()
	require.NoError(t, b.Stop(t.Context()))
	logger.Info("after stop")

	text, writes := out.snapshot()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Len(t, lines, writers*perWriter+2, "a clean stop loses nothing")
	assert.Less(t, writes, len(lines)/10, "lines are written in batches")
	next := make([]int, writers)
	for i, line := range lines {
		var rec struct {
			Msg         string
			Writer, Seq int
		}
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %d is not JSON: %q", i, line)
		switch {
		case i == 0:
			assert.Equal(t, "before start", rec.Msg)
		case i == len(lines)-1:
			assert.Equal(t, "after stop", rec.Msg)
		default:
			assert.Equal(t, next[rec.Writer], rec.Seq, "each writer's lines stay in order")
			next[rec.Writer]++
		}
	}
	assert.Zero(t, b.Dropped())
}

func TestLogBufferFlushesOnInterval(t *testing.T) {
	t.Parallel()
	out := &lockedWriter{}
	b := NewLogBuffer(out, 10*time.Millisecond, 1<<20, 0)
	b.Start()
	t.Cleanup(func() { assert.NoError(t, b.Stop(t.Context())) })
	_, err := io.WriteString(b, "one line\n")
	require.NoError(t, err)
	text, _ := out.snapshot()
	assert.Empty(t, text, "buffered, not written at once")
	require.Eventually(t, func() bool {
		text, _ := out.snapshot()
		return text == "one line\n"
	}, 5*time.Second, 5*time.Millisecond, "written within the interval")
}

func TestLogBufferDropsAndCountsWhenFull(t *testing.T) {
	t.Parallel()
	out := &lockedWriter{gate: make(chan struct{})}
	b := NewLogBuffer(out, time.Hour, 10, 20)
	b.Start()
	line := []byte("0123456789\n") // 11 bytes: over flushBytes, so the flusher starts and blocks on the gate
	_, err := b.Write(line)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.buf) == 0 // taken by the blocked flush
	}, 5*time.Second, time.Millisecond)
	for range 3 { // the first fits in the limit of 20 bytes, the next two do not
		n, err := b.Write(line)
		require.NoError(t, err)
		require.Equal(t, len(line), n)
	}
	assert.EqualValues(t, 2, b.Dropped())
	close(out.gate)
	require.NoError(t, b.Stop(t.Context()))
	text, _ := out.snapshot()
	assert.Equal(t, strings.Repeat(string(line), 2), text)
}
