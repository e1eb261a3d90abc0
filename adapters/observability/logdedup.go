package observability

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DedupHandler is a slog.Handler that collapses repeated warnings and errors: the first
// record of a message at a level goes through, the same message at the same level within
// the interval is counted instead, and once the interval is over one record
// "MSG (repeated N times in the last INTERVAL)" carries the count. Records below
// slog.LevelWarn (request logs, debug) always go through. Handlers derived with WithAttrs
// or WithGroup share the counts. Start runs the periodic flush; Stop flushes what is
// pending and ends it. It is safe for concurrent use.
type DedupHandler struct {
	next  slog.Handler
	state *dedupState
}

// dedupKey identifies the records that collapse into one another.
type dedupKey struct {
	level slog.Level
	msg   string
}

// dedupEntry is a message seen in the current interval.
type dedupEntry struct {
	since      time.Time
	suppressed int
	last       slog.Record  // the most recent suppressed record, for its attributes
	handler    slog.Handler // the derived handler that should write the summary
}

// dedupState is what every handler derived from one DedupHandler shares.
type dedupState struct {
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[dedupKey]*dedupEntry
	stop    chan struct{}
	done    chan struct{}
}

// NewDedupHandler wraps next so that repeated warnings and errors are written at most
// once per interval, with a count.
func NewDedupHandler(next slog.Handler, interval time.Duration) *DedupHandler {
	return &DedupHandler{next: next, state: &dedupState{
		interval: interval, now: time.Now, entries: make(map[dedupKey]*dedupEntry),
	}}
}

// Enabled reports whether the wrapped handler handles level.
func (h *DedupHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle writes r unless it repeats a warning or error already written in this interval.
func (h *DedupHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	summary, pass := h.state.admit(r, h.next)
	if summary != nil {
		if err := summary.write(ctx, h.state.interval); err != nil {
			return err
		}
	}
	if !pass {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a handler with attrs that shares this one's counts.
func (h *DedupHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &DedupHandler{next: h.next.WithAttrs(attrs), state: h.state}
}

// WithGroup returns a handler with the group that shares this one's counts.
func (h *DedupHandler) WithGroup(name string) slog.Handler {
	return &DedupHandler{next: h.next.WithGroup(name), state: h.state}
}

// Start flushes the counts of finished intervals every interval until Stop.
func (h *DedupHandler) Start() {
	s := h.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.run(s.stop, s.done)
}

// Stop ends the periodic flush, if running, and writes every pending count.
func (h *DedupHandler) Stop(ctx context.Context) error {
	s := h.state
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	return s.flush(ctx, true)
}

// admit records r and reports the summary of a finished interval to write first, if
// any, and whether r itself is to be written.
func (s *dedupState) admit(r slog.Record, next slog.Handler) (*dedupEntry, bool) {
	key := dedupKey{level: r.Level, msg: r.Message}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, seen := s.entries[key]
	if seen && now.Sub(e.since) < s.interval {
		e.suppressed++
		e.last, e.handler = r.Clone(), next
		return nil, false
	}
	s.entries[key] = &dedupEntry{since: now}
	if seen && e.suppressed > 0 {
		return e, true
	}
	return nil, true
}

// run flushes finished intervals every interval until stop is closed.
func (s *dedupState) run(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			_ = s.flush(context.Background(), false) // a failed log write has nowhere to go
		}
	}
}

// flush writes the summaries of the intervals that are over (all of them when all is
// set) and forgets their messages.
func (s *dedupState) flush(ctx context.Context, all bool) error {
	now := s.now()
	var due []*dedupEntry
	s.mu.Lock()
	for key, e := range s.entries {
		if all || now.Sub(e.since) >= s.interval {
			delete(s.entries, key)
			if e.suppressed > 0 {
				due = append(due, e)
			}
		}
	}
	s.mu.Unlock()
	var firstErr error
	for _, e := range due {
		if err := e.write(ctx, s.interval); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// write writes the summary of e: its last suppressed record with the count.
func (e *dedupEntry) write(ctx context.Context, interval time.Duration) error {
	r := slog.NewRecord(e.last.Time, e.last.Level,
		fmt.Sprintf("%s (repeated %d times in the last %s)", e.last.Message, e.suppressed, interval), e.last.PC)
	e.last.Attrs(func(a slog.Attr) bool {
		r.AddAttrs(a)
		return true
	})
	r.AddAttrs(slog.Int("repeated", e.suppressed))
	if err := e.handler.Handle(ctx, r); err != nil {
		return fmt.Errorf("observability: write repeated log record: %w", err)
	}
	return nil
}
