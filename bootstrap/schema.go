package bootstrap

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/studytool/studytool/adapters/gormdb"
)

// Schema is the database schema as the `migrate` commands manage it: the database the
// configuration names, opened without the rest of the graph.
type Schema struct {
	db         *gormdb.DB
	production bool
}

// OpenSchema opens the database of cfg for schema work; Close releases it.
func OpenSchema(ctx context.Context, cfg Config, logger *slog.Logger) (*Schema, error) {
	db, err := gormdb.Open(ctx, cfg.GormConfig(logger))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return &Schema{db: db, production: cfg.App.Env == EnvProduction}, nil
}

// Up applies every pending migration.
func (s *Schema) Up(ctx context.Context) error { return s.db.MigrateUp(ctx) }

// Down rolls back steps migrations; 0 rolls back every one.
func (s *Schema) Down(ctx context.Context, steps int) error { return s.db.MigrateDown(ctx, steps) }

// Version reports the schema version and whether a migration failed half-way (dirty).
func (s *Schema) Version(ctx context.Context) (version uint, dirty bool, err error) {
	return s.db.MigrateVersion(ctx)
}

// Dialect names the database: postgres or sqlite.
func (s *Schema) Dialect() string { return string(s.db.Dialect()) }

// Production reports whether the configuration is production's (APP_ENV=production).
func (s *Schema) Production() bool { return s.production }

// Close releases the database.
func (s *Schema) Close() error { return s.db.Close() }
