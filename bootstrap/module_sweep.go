package bootstrap

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// SessionSweepModule runs the scheduled sweep of the session indexes on the state Redis
// every SESSION_SWEEP_INTERVAL (none when it is 0): one replica per interval, elected by
// a Redis lock, prunes the entries of expired sessions (redisstore.IndexSweeper) and
// counts the outcome in studytool_session_index_*. It starts and stops with the service.
var SessionSweepModule = fx.Module("session-sweep", fx.Invoke(startSessionSweep))

// sessionSweep is the goroutine that sweeps every interval.
type sessionSweep struct {
	sweeper  *redisstore.IndexSweeper
	interval time.Duration
	metrics  *observability.Metrics
	logger   *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
}

// startSessionSweep hooks the sweep into the lifecycle when SESSION_SWEEP_INTERVAL is
// not 0.
func startSessionSweep(lc fx.Lifecycle, cfg Config, clients RedisClients, ks keyspace.Keyspace, m *observability.Metrics, logger *slog.Logger) {
	interval := cfg.Session.SweepInterval
	if interval <= 0 {
		return
	}
	s := &sessionSweep{
		sweeper:  redisstore.NewIndexSweeper(clients.State, ks, interval),
		interval: interval,
		metrics:  m,
		logger:   logger.With(slog.String("component", "session-sweep")),
	}
	lc.Append(fx.StartStopHook(s.start, s.stop))
}

// start runs the sweep loop in the background.
func (s *sessionSweep) start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx)
}

// stop ends the loop, interrupting a sweep in progress, and waits for it.
func (s *sessionSweep) stop(ctx context.Context) error {
	s.cancel()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run sweeps once per interval until ctx is done.
func (s *sessionSweep) run(ctx context.Context) {
	defer close(s.done)
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.once(ctx)
		}
	}
}

// once runs one sweep, bounded by the interval, and reports it.
func (s *sessionSweep) once(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.interval)
	defer cancel()
	report, err := s.sweeper.Sweep(ctx)
	switch {
	case errors.Is(err, redisstore.ErrSweepLocked):
		s.metrics.IndexSweep(observability.SweepSkipped, 0, 0)
	case err != nil:
		s.metrics.IndexSweep(observability.SweepFailed, report.UserSessions, report.StudySessions)
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.logger.WarnContext(ctx, "session index sweep failed", slog.Any("error", err))
		}
	default:
		s.metrics.IndexSweep(observability.SweepSwept, report.UserSessions, report.StudySessions)
		s.logger.DebugContext(ctx, "session indexes swept",
			slog.Int("user_sessions", report.UserSessions), slog.Int("study_sessions", report.StudySessions))
	}
}
