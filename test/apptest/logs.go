package apptest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"go.uber.org/fx"

	"github.com/studytool/studytool/bootstrap"
)

// lockedBuffer collects text written from several goroutines (an app's log, a child
// process's two pipes).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written, without surrounding white space.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}

// logSink keeps an app's log as JSON lines, so tests can assert on it.
type logSink struct{ lockedBuffer }

// replaceLogger makes the app log into the sink at the configured level instead of on
// standard output. The logger is replaced in the graph because it is what the test
// observes, not a choice of the app under test.
func (s *logSink) replaceLogger(cfg bootstrap.Config) fx.Option {
	h := slog.NewJSONHandler(s, &slog.HandlerOptions{Level: cfg.Observability.LogLevel})
	return fx.Replace(slog.New(h))
}

// atLeast returns the records logged at level or above.
func (s *logSink) atLeast(level slog.Level) []string {
	var out []string
	for line := range strings.Lines(s.String()) {
		var record struct{ Level slog.Level }
		if err := json.Unmarshal([]byte(line), &record); err != nil || record.Level >= level {
			out = append(out, strings.TrimSpace(line)) // a line that is not a record is reported too
		}
	}
	return out
}
