package observability

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RouteRedisLogs sends what go-redis logs on its own (dial failures, pool and
// reconnection notices), which it would otherwise print as plain text on standard
// error, to logger as warnings with component=redis. The go-redis logger is
// process-wide: the last call wins.
func RouteRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger: logger.With(slog.String("component", "redis"))})
}

// redisLogger adapts slog to go-redis's logging interface.
type redisLogger struct{ logger *slog.Logger }

// Printf logs one go-redis message as a warning (slog itself stands in for a nil ctx).
func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)))
}
