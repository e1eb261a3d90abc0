package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/ports"
)

// databaseOpenTimeout bounds opening (and pinging) the database at start-up.
const databaseOpenTimeout = 15 * time.Second

// DatabaseModule opens the database of record (PostgreSQL or SQLite), migrates it to the
// latest schema at start-up and provides the GORM repositories.
var DatabaseModule = fx.Module("gormdb",
	fx.Provide(
		newDatabase,
		fx.Annotate(gormdb.NewUserRepo, fx.As(new(ports.UserRepo))),
		// The database's organizations are named "db": CacheModule serves the unnamed
		// ports.OrganizationRepo through the cache on top of them.
		fx.Annotate(gormdb.NewOrganizationRepo, fx.As(new(ports.OrganizationRepo)), fx.ResultTags(`name:"db"`)),
		fx.Annotate(gormdb.NewDeckRepo, fx.As(new(ports.DeckRepo))),
		fx.Annotate(gormdb.NewProgressRepo, fx.As(new(ports.ProgressRepo))),
		fx.Annotate(gormdb.NewReviewRepo, fx.As(new(ports.ReviewRepo))),
	),
)

// GormConfig maps the configuration to the database adapter's.
func (c Config) GormConfig(logger *slog.Logger) gormdb.Config {
	return gormdb.Config{
		URL:          c.Database.URL,
		SQLitePath:   c.Database.SQLitePath,
		MaxOpenConns: c.Database.MaxOpenConns,
		MaxIdleConns: c.Database.MaxIdleConns,
		Logger:       logger,
	}
}

// newDatabase opens the database; the start hook pings and migrates it, the stop hook
// closes the pool.
func newDatabase(lc fx.Lifecycle, cfg Config, logger *slog.Logger) (*gormdb.DB, error) {
	// Bounded: a database that drops packets must fail start-up, not hang it.
	ctx, cancel := context.WithTimeout(context.Background(), databaseOpenTimeout)
	defer cancel()
	db, err := gormdb.Open(ctx, cfg.GormConfig(logger))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if err := db.MigrateUp(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			return nil
		},
		OnStop: func(context.Context) error { return db.Close() },
	})
	return db, nil
}
