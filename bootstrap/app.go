// Package bootstrap assembles the service: configuration from the environment, one fx
// module per adapter family and per use-case group, and the application graph that
// chooses the memory or Redis stores by configuration.
package bootstrap

import (
	"log/slog"
	"time"

	"go.uber.org/fx"
)

// Options returns the whole application graph for cfg. The stores are chosen here, by
// module: Redis (with the scheduled session index sweep) when Redis is configured, the
// in-memory twins otherwise.
func Options(cfg Config) fx.Option {
	stores := MemoryModule
	if cfg.UsesRedis() {
		stores = fx.Options(RedisModule, SessionSweepModule)
	}
	return fx.Options(
		fx.Supply(cfg, databaseBounds(true)),
		fx.Provide(NewLogger),
		fx.WithLogger(fxLogger),
		fx.StartTimeout(cfg.App.ShutdownTimeout+20*time.Second),
		fx.StopTimeout(cfg.App.ShutdownTimeout),
		CoreModule,
		DatabaseModule,
		stores,
		CacheModule,
		ObservabilityModule,
		MetricsServerModule,
		HTTPModule,
		AuthModule,
		ProfileModule,
		DecksModule,
		TransferModule,
		ProgressModule,
		StudyModule,
		SyncModule,
		CacheAdminModule,
		fx.Invoke(applyMemoryLimit, startWarmers, announce, registerLogMetrics),
	)
}

// NewApp builds the application for cfg; extra options are appended (tests use them to
// populate values out of the graph).
func NewApp(cfg Config, extra ...fx.Option) *fx.App {
	return fx.New(Options(cfg), fx.Options(extra...))
}

// OperationsOptions is the graph the operators' commands run on: the database (migrated
// on start, as the service does), the stores and the cache the service uses, and the
// operations use-cases (accounts, sessions, progress, cache administration); no
// listener and no background warming. logger receives what the components log (a
// command keeps its standard output for its own results).
func OperationsOptions(cfg Config, logger *slog.Logger) fx.Option {
	stores := MemoryModule
	if cfg.UsesRedis() {
		stores = RedisModule
	}
	// A command runs briefly and reads little: a local tier would only cost it a
	// tracking connection.
	cfg.Cache.Local = false
	return fx.Options(
		fx.Supply(cfg, logger, databaseBounds(false)),
		fx.WithLogger(fxLogger),
		fx.StartTimeout(cfg.App.ShutdownTimeout+20*time.Second),
		fx.StopTimeout(cfg.App.ShutdownTimeout),
		CoreModule,
		DatabaseModule,
		stores,
		CacheModule,
		ObservabilityModule,
		AuthModule,
		ProfileModule,
		ProgressModule,
		KeysModule,
		CacheAdminModule,
		StateBackupModule,
	)
}

// NewOperationsApp builds the graph of OperationsOptions; extra options are appended
// (a command populates the use-cases it runs).
func NewOperationsApp(cfg Config, logger *slog.Logger, extra ...fx.Option) *fx.App {
	return fx.New(OperationsOptions(cfg, logger), fx.Options(extra...))
}

// announce logs, once, which stores the service runs on — the embedded default says so
// plainly.
func announce(cfg Config, logger *slog.Logger) {
	if cfg.Embedded() {
		logger.Info("running embedded: in-memory session and cache stores, SQLite database",
			slog.String("env", string(cfg.App.Env)), slog.String("sqlite", cfg.Database.SQLitePath))
		return
	}
	logger.Info("running on external stores",
		slog.String("env", string(cfg.App.Env)),
		slog.String("database", cfg.DatabaseDialect()),
		slog.Bool("redis", cfg.UsesRedis()))
}
