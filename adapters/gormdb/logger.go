package gormdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// defaultSlowQueryThreshold is how long a statement may run before it is logged as slow
// when Config does not say.
const defaultSlowQueryThreshold = 200 * time.Millisecond

// gormLogger routes GORM's logging to slog. It warns about slow statements and reports
// failed ones at debug level (callers handle and log errors themselves). Statements are
// logged with their placeholders: parameter values — emails, password hashes, card
// text — never reach the log.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

var (
	_ logger.Interface  = gormLogger{}
	_ gorm.ParamsFilter = gormLogger{}
)

func newGormLogger(log *slog.Logger, slow time.Duration) gormLogger {
	return gormLogger{log: log.With("component", "database"), slow: slow}
}

// LogMode implements logger.Interface; the level is slog's business.
func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }

// Info implements logger.Interface.
func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(msg, args...))
}

// Warn implements logger.Interface.
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}

// Error implements logger.Interface.
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// Trace implements logger.Interface: one call per executed statement.
func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case elapsed >= l.slow:
		query, rows := fc()
		l.log.WarnContext(ctx, "slow database query", "elapsed", elapsed, "rows", rows, "sql", abbreviate(query))
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && l.log.Enabled(ctx, slog.LevelDebug):
		query, _ := fc()
		l.log.DebugContext(ctx, "database query failed", "sql", abbreviate(query), "err", err)
	}
}

// maxLoggedSQL bounds the SQL a log line carries: a batch insert of 500 rows is 10 KB of
// placeholders that say nothing more than its first few hundred bytes.
const maxLoggedSQL = 300

// abbreviate shortens query to maxLoggedSQL bytes (at a rune boundary), saying how long
// it was.
func abbreviate(query string) string {
	if len(query) <= maxLoggedSQL {
		return query
	}
	cut := maxLoggedSQL
	for cut > 0 && !utf8.RuneStart(query[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", query[:cut], len(query))
}

// ParamsFilter implements gorm.ParamsFilter: it drops the values so that logged SQL keeps
// its placeholders.
func (gormLogger) ParamsFilter(_ context.Context, query string, _ ...any) (string, []any) {
	return query, nil
}
