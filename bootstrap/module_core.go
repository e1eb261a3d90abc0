package bootstrap

import (
	"io"
	"log/slog"
	"os"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/commonpw"
	"github.com/studytool/studytool/adapters/emailaddr"
	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/ports"
)

// CoreModule provides what every other module leans on: the clock, the password hasher
// (also as *argon2.Hasher, for its metrics), the email canonical form, the
// common-password list and the session policy derived from the configuration. The logger comes from the application (the service's or a command's).
var CoreModule = fx.Module("core",
	fx.Provide(
		fx.Annotate(func() clock.System { return clock.System{} }, fx.As(new(ports.Clock))),
		fx.Annotate(newHasher, fx.As(fx.Self()), fx.As(new(ports.PasswordHasher))),
		fx.Annotate(emailaddr.New, fx.As(new(ports.EmailCanonicalizer))),
		fx.Annotate(commonpw.New, fx.As(new(ports.PasswordBlocklist))),
		sessionPolicy,
	),
)

// logRepeatInterval is how often a repeated warning or error is written: once, then
// once per interval with the number of repeats (observability.DedupHandler).
const logRepeatInterval = 10 * time.Second

// LoggerOut is what NewLogger provides: the logger and the buffer in front of stdout.
type LoggerOut struct {
	fx.Out
	Logger *slog.Logger
	Buffer *observability.LogBuffer
}

// NewLogger builds the process logger from the configuration: JSON or text on stdout at
// the configured level, repeated warnings and errors collapsed into one line per
// logRepeatInterval. While the application runs, lines are buffered and written in
// batches (observability.LogBuffer: every 200 ms or 32 KiB, at most 1 MiB waiting, a line
// beyond that dropped and counted), so a request's access log line is no write system
// call. On stop the pending counts are written, then the buffer is flushed.
func NewLogger(lc fx.Lifecycle, cfg Config) LoggerOut {
	buf := observability.NewLogBuffer(os.Stdout, 0, 0, 0)
	lc.Append(fx.StartStopHook(buf.Start, buf.Stop)) // appended first: stopped last
	h := newLogHandler(cfg, buf)
	lc.Append(fx.StartStopHook(h.Start, h.Stop))
	return LoggerOut{Logger: slog.New(h).With(slog.String("service", cfg.Observability.ServiceName)), Buffer: buf}
}

// newLogHandler is the handler of NewLogger writing to w.
func newLogHandler(cfg Config, w io.Writer) *observability.DedupHandler {
	opts := &slog.HandlerOptions{Level: cfg.Observability.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Observability.LogFormat == LogFormatJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return observability.NewDedupHandler(h, logRepeatInterval)
}

// newHasher is the password hasher under the memory budget PASSWORD_HASH_CONCURRENCY ×
// 64 MiB, waiting at most PASSWORD_HASH_WAIT for a slot.
func newHasher(cfg Config) (*argon2.Hasher, error) {
	return argon2.New(argon2.Config{Concurrency: cfg.Auth.PasswordHashConcurrency, Wait: cfg.Auth.PasswordHashWait})
}

// fxLogger routes fx's own events to slog at debug level, errors at error level.
func fxLogger(logger *slog.Logger) fxevent.Logger {
	l := &fxevent.SlogLogger{Logger: logger.With(slog.String("component", "fx"))}
	l.UseLogLevel(slog.LevelDebug)
	return l
}
