package observability

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeNow is a clock the test moves.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeNow) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func newDedupForTest(buf *bytes.Buffer) (*DedupHandler, *fakeNow) {
	clock := &fakeNow{t: time.Unix(1_000_000, 0)}
	h := NewDedupHandler(slog.NewJSONHandler(buf, nil), 10*time.Second)
	h.state.now = clock.now
	return h, clock
}

func records(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %q", line)
		out = append(out, rec)
	}
	return out
}

func TestDedupHandler_CollapsesRepeatsIntoOneCountPerInterval(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h, clock := newDedupForTest(&buf)
	logger := slog.New(h).With(slog.String("service", "studytool"))
	for range 100 {
		logger.Warn("cache read failed", slog.String("feature", "decks"))
	}
	logger.Error("cache read failed") // another level: its own line
	logger.Warn("other warning")      // another message: its own line
	logger.Info("request")
	logger.Info("request") // below warn: never collapsed
	clock.advance(11 * time.Second)
	logger.Warn("cache read failed")

	recs := records(t, &buf)
	require.Len(t, recs, 7)
	assert.Equal(t, "cache read failed", recs[0]["msg"])
	assert.Equal(t, "cache read failed (repeated 99 times in the last 10s)", recs[5]["msg"])
	assert.InDelta(t, 99, recs[5]["repeated"], 0)
	assert.Equal(t, "studytool", recs[5]["service"], "the summary keeps the logger's attributes")
	assert.Equal(t, "decks", recs[5]["feature"])
	assert.Equal(t, "cache read failed", recs[6]["msg"], "a new interval lets the message through")
}

func TestDedupHandler_StopFlushesPendingCounts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h, _ := newDedupForTest(&buf)
	h.Start()
	logger := slog.New(h)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				logger.Warn("redis down")
			}
		})
	}
	wg.Wait()
	require.NoError(t, h.Stop(context.Background()))

	recs := records(t, &buf)
	require.Len(t, recs, 2)
	assert.Equal(t, "redis down (repeated 399 times in the last 10s)", recs[1]["msg"])
}

func TestDedupHandler_TickerFlushesFinishedIntervals(t *testing.T) {
	t.Parallel()
	var buf lockedBuffer
	h := NewDedupHandler(slog.NewJSONHandler(&buf, nil), 20*time.Millisecond)
	h.Start()
	t.Cleanup(func() { _ = h.Stop(context.Background()) })
	logger := slog.New(h)
	logger.Warn("again")
	logger.Warn("again")
	assert.Eventually(t, func() bool {
		return strings.Contains(buf.String(), "again (repeated 1 times in the last 20ms)")
	}, 2*time.Second, 10*time.Millisecond)
}

func TestRouteRedisLogs_WritesGoRedisMessagesAsRecords(t *testing.T) {
	var buf bytes.Buffer
	l := redisLogger{logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Printf(context.Background(), "redis: connection pool: failed to dial: %s\n", "refused")
	recs := records(t, &buf)
	require.Len(t, recs, 1)
	assert.Equal(t, "redis: connection pool: failed to dial: refused", recs[0]["msg"])
	assert.Equal(t, "WARN", recs[0]["level"])
}

// lockedBuffer is a buffer written by the flush goroutine and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
