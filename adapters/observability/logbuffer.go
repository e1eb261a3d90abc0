package observability

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the log buffer (see NewLogBuffer).
const (
	// DefaultLogFlushInterval is the longest a buffered line waits to be written.
	DefaultLogFlushInterval = 200 * time.Millisecond
	// DefaultLogFlushBytes wakes the flusher early once this much is buffered.
	DefaultLogFlushBytes = 32 << 10
	// DefaultLogBufferLimit bounds the bytes buffered; a line that does not fit is
	// dropped and counted.
	DefaultLogBufferLimit = 1 << 20
)

// LogBuffer is an io.Writer for a slog handler that makes logging asynchronous: while it
// runs (Start to Stop), each Write — one whole record, as slog's JSON and text handlers
// write them — is appended to a buffer in memory, and a goroutine writes the buffer to
// the underlying writer every flush interval or as soon as it holds flushBytes. A
// request's log line is then a copy into memory, not a write system call; lines are
// written whole and in order.
//
// The buffer is bounded: when the underlying writer cannot keep up and limit bytes are
// waiting, a record that does not fit is dropped and counted (Dropped) rather than
// making the request that logs it wait. Outside Start and Stop (start-up, shutdown, a
// command) a Write goes straight through. Stop writes what is buffered, so a clean
// shutdown loses nothing; a process that dies without stopping loses at most a flush
// interval of lines. It is safe for concurrent use.
type LogBuffer struct {
	out       io.Writer
	interval  time.Duration
	flushSize int
	limit     int

	outMu sync.Mutex // held while writing to out, so flushes and pass-through writes keep their order

	mu      sync.Mutex
	buf     []byte
	spare   []byte
	running bool
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}

	dropped atomic.Uint64
}

// NewLogBuffer returns a buffer in front of out that flushes every interval or once
// flushBytes are waiting, holding at most limit bytes. Zero values take the defaults.
func NewLogBuffer(out io.Writer, interval time.Duration, flushBytes, limit int) *LogBuffer {
	if interval <= 0 {
		interval = DefaultLogFlushInterval
	}
	if flushBytes <= 0 {
		flushBytes = DefaultLogFlushBytes
	}
	if limit <= 0 {
		limit = DefaultLogBufferLimit
	}
	return &LogBuffer{
		out: out, interval: interval, flushSize: flushBytes, limit: max(limit, flushBytes),
		kick: make(chan struct{}, 1),
	}
}

// Write buffers p while the buffer runs and writes it through otherwise. It never fails
// while running: a record that does not fit is dropped and counted.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if !b.running {
		b.mu.Unlock()
		b.outMu.Lock()
		defer b.outMu.Unlock()
		return b.out.Write(p)
	}
	if len(b.buf)+len(p) > b.limit {
		b.mu.Unlock()
		b.dropped.Add(1)
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= b.flushSize
	b.mu.Unlock()
	if full {
		select {
		case b.kick <- struct{}{}:
		default: // a flush is already due
		}
	}
	return len(p), nil
}

// Dropped returns the number of records dropped because the buffer was full.
func (b *LogBuffer) Dropped() uint64 { return b.dropped.Load() }

// Start begins buffering and the periodic flush. Starting twice is harmless.
func (b *LogBuffer) Start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return
	}
	b.running = true
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	go b.run(b.stop, b.done)
}

// Stop ends the periodic flush, writes everything buffered and makes later writes go
// straight through. ctx is not consulted: what is buffered is at most limit bytes.
func (b *LogBuffer) Stop(context.Context) error {
	b.mu.Lock()
	stop, done := b.stop, b.done
	b.stop, b.done = nil, nil
	b.mu.Unlock()
	if stop == nil {
		return nil
	}
	close(stop)
	<-done
	// Holding outMu while running goes false keeps a pass-through write from overtaking
	// the last buffered lines.
	b.outMu.Lock()
	defer b.outMu.Unlock()
	b.mu.Lock()
	b.running = false
	data := b.buf
	b.buf = nil
	b.mu.Unlock()
	if len(data) == 0 {
		return nil
	}
	_, err := b.out.Write(data)
	return err
}

// run flushes every interval, or when Write signals a full buffer, until stop closes.
func (b *LogBuffer) run(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ticker := time.NewTicker(b.interval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		case <-b.kick:
		}
		b.flush()
	}
}

// flush writes what is buffered, swapping buffers so Write never waits for out.
func (b *LogBuffer) flush() {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	b.mu.Lock()
	data := b.buf
	b.buf = b.spare[:0]
	b.spare = nil
	b.mu.Unlock()
	if len(data) == 0 {
		b.mu.Lock()
		b.spare = data
		b.mu.Unlock()
		return
	}
	_, _ = b.out.Write(data) // a failed log write has nowhere to be reported
	b.mu.Lock()
	if cap(data) <= 4*b.flushSize { // keep a buffer of ordinary size for the next swap
		b.spare = data[:0]
	}
	b.mu.Unlock()
}
