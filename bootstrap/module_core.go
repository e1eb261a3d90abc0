package bootstrap

import (
	"io"
	"log/slog"
	"os"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// CoreModule provides what every other module leans on: the logger, the clock, the
// password hasher and the session policy derived from the configuration.
var CoreModule = fx.Module("core",
	fx.Provide(
		NewLogger,
		fx.Annotate(func() clock.System { return clock.System{} }, fx.As(new(ports.Clock))),
		fx.Annotate(argon2.New, fx.As(new(ports.PasswordHasher))),
		sessionPolicy,
	),
)

// NewLogger builds the process logger from the configuration: JSON or text on stdout at
// the configured level.
func NewLogger(cfg Config) *slog.Logger {
	return newLogger(cfg, os.Stdout)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Observability.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Observability.LogFormat == LogFormatJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h).With(slog.String("service", cfg.Observability.ServiceName))
}

func sessionPolicy(cfg Config) domain.SessionPolicy {
	return domain.SessionPolicy{
		IdleTimeout:        cfg.Session.Timeout,
		MaxLifetime:        cfg.Session.MaxLifetime,
		ActivityResolution: cfg.Session.ActivityResolution,
		MaxPerUser:         cfg.Session.MaxPerUser,
	}
}

// fxLogger routes fx's own events to slog at debug level, errors at error level.
func fxLogger(logger *slog.Logger) fxevent.Logger {
	l := &fxevent.SlogLogger{Logger: logger.With(slog.String("component", "fx"))}
	l.UseLogLevel(slog.LevelDebug)
	return l
}
