package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/ports"
)

// databaseOpenTimeout bounds opening (and pinging) the database at start-up.
const databaseOpenTimeout = 15 * time.Second

// DatabaseModule opens the database of record (PostgreSQL or SQLite), migrates it to the
// latest schema at start-up and provides its repositories: the review log as
// ports.ReviewRepo, the others as DatabaseRepos, which CacheModule wraps in the cached
// repositories the use-cases see; and the change log of syncing clients as
// ports.ChangeLog.
var DatabaseModule = fx.Module("gormdb",
	fx.Provide(
		newDatabase,
		newDatabaseRepos,
		fx.Annotate(gormdb.NewReviewRepo, fx.As(new(ports.ReviewRepo))),
		fx.Annotate(gormdb.NewChangeLog, fx.As(new(ports.ChangeLog))),
		fx.Annotate(gormdb.NewProgressRepo, fx.As(new(ports.ProgressRewriter))), // never cached
	),
)

// DatabaseRepos are the database's own repositories, before caching.
type DatabaseRepos struct {
	Users         ports.UserRepo
	Profiles      ports.ProfileRepo
	Organizations ports.OrganizationRepo
	Decks         ports.DeckRepo
	Progress      ports.ProgressRepo
}

func newDatabaseRepos(db *gormdb.DB) DatabaseRepos {
	return DatabaseRepos{
		Users:         gormdb.NewUserRepo(db),
		Profiles:      gormdb.NewProfileRepo(db),
		Organizations: gormdb.NewOrganizationRepo(db),
		Decks:         gormdb.NewDeckRepo(db),
		Progress:      gormdb.NewProgressRepo(db),
	}
}

// GormConfig maps the configuration to the database adapter's, without bounds on the
// time of an operation (the service's bounds come from newDatabase; operators' commands
// run unbounded).
func (c Config) GormConfig(logger *slog.Logger) gormdb.Config {
	return gormdb.Config{
		URL:          c.Database.URL,
		SQLitePath:   c.Database.SQLitePath,
		MaxOpenConns: c.Database.MaxOpenConns,
		MaxIdleConns: c.Database.MaxIdleConns,
		StudyConns:   c.Database.StudyConns,
		Logger:       logger,
	}
}

// databaseBounds says whether the database's operations are bounded by DB_QUERY_TIMEOUT
// and DB_POOL_WAIT_TIMEOUT: the service's are; an operator's command (a migration, a
// verification over every review) runs as long as it needs.
type databaseBounds bool

// newDatabase opens the database; the start hook pings and migrates it, the stop hook
// closes the pool.
func newDatabase(lc fx.Lifecycle, cfg Config, logger *slog.Logger, metrics *observability.Metrics, bounded databaseBounds) (*gormdb.DB, error) {
	// Bounded: a database that drops packets must fail start-up, not hang it.
	ctx, cancel := context.WithTimeout(context.Background(), databaseOpenTimeout)
	defer cancel()
	gcfg := cfg.GormConfig(logger)
	gcfg.Observer = metrics
	if bounded {
		gcfg.QueryTimeout, gcfg.PoolWaitTimeout = cfg.Database.QueryTimeout, cfg.Database.PoolWaitTimeout
	}
	db, err := gormdb.Open(ctx, gcfg)
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
