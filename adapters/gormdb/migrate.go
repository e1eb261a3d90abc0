package gormdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	sqlitemigrate "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// migrations holds one directory of numbered up/down SQL files per dialect; both describe
// the same schema.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrations embed.FS

// MigrateUp applies every migration not yet applied. Nothing to do is success.
func (d *DB) MigrateUp(ctx context.Context) error {
	return d.migrate(ctx, "up", (*migrate.Migrate).Up)
}

// MigrateDown reverts the last steps migrations, or all of them when steps is 0 (or
// exceeds the number applied).
func (d *DB) MigrateDown(ctx context.Context, steps int) error {
	if steps < 0 {
		return fmt.Errorf("database: migrate down: steps must not be negative, got %d", steps)
	}
	return d.migrate(ctx, "down", func(m *migrate.Migrate) error {
		if steps == 0 {
			return m.Down()
		}
		err := m.Steps(-steps)
		if _, short := errors.AsType[migrate.ErrShortLimit](err); short {
			return nil
		}
		return err
	})
}

// MigrateVersion returns the version of the last applied migration (0 when none) and
// whether a failed migration left the schema dirty.
func (d *DB) MigrateVersion(ctx context.Context) (version uint, dirty bool, err error) {
	err = d.migrate(ctx, "version", func(m *migrate.Migrate) error {
		var verr error
		version, dirty, verr = m.Version()
		if errors.Is(verr, migrate.ErrNilVersion) {
			return nil
		}
		return verr
	})
	return version, dirty, err
}

// migrate runs op on a golang-migrate instance. ctx cancellation stops it between
// migrations (golang-migrate cannot interrupt a running one).
func (d *DB) migrate(ctx context.Context, name string, op func(*migrate.Migrate) error) error {
	d.migrateMu.Lock()
	defer d.migrateMu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("database: migrate %s: %w", name, err)
	}
	m, release, err := d.migrator(ctx)
	if err != nil {
		return fmt.Errorf("database: migrate %s: %w", name, err)
	}
	defer release()

	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			m.GracefulStop <- true
		case <-done:
		}
	}()
	err = op(m)
	close(done)
	if errors.Is(err, migrate.ErrNoChange) {
		err = nil
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("database: migrate %s: %w", name, err)
	}
	return nil
}

// migrator builds a golang-migrate instance for d's dialect and a release function that
// frees what it opened. golang-migrate drivers close the *sql.DB they are given, so the
// shared pool is never handed to one that will be closed: PostgreSQL migrations run on a
// connection of their own, and the SQLite driver (which must share the pool, an
// in-memory database being visible to that pool only) is simply never closed.
func (d *DB) migrator(ctx context.Context) (*migrate.Migrate, func(), error) {
	src, err := iofs.New(migrations, "migrations/"+string(d.dialect))
	if err != nil {
		return nil, nil, fmt.Errorf("read migrations: %w", err)
	}
	var (
		drv     database.Driver
		ownPool *sql.DB
	)
	switch d.dialect {
	case DialectPostgres:
		drv, ownPool, err = d.postgresMigrationDriver(ctx)
	default:
		drv, err = sqlitemigrate.WithInstance(d.sql, &sqlitemigrate.Config{})
	}
	if err != nil {
		_ = src.Close()
		return nil, nil, err
	}
	m, err := migrate.NewWithInstance("iofs", src, string(d.dialect), drv)
	if err != nil {
		_ = src.Close()
		if ownPool != nil {
			_ = drv.Close()
		}
		return nil, nil, err
	}
	release := func() {
		if ownPool != nil {
			_, _ = m.Close() // closes ownPool too
			return
		}
		_ = src.Close()
	}
	return m, release, nil
}

// postgresMigrationDriver opens a dedicated pool for one migration run.
func (d *DB) postgresMigrationDriver(ctx context.Context) (database.Driver, *sql.DB, error) {
	pool, err := sql.Open("pgx", d.pgURL)
	if err != nil {
		return nil, nil, fmt.Errorf("open migration connection: %w", err)
	}
	pool.SetMaxOpenConns(2)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, nil, fmt.Errorf("open migration connection: %w", err)
	}
	drv, err := pgxmigrate.WithInstance(pool, &pgxmigrate.Config{})
	if err != nil {
		_ = pool.Close()
		return nil, nil, fmt.Errorf("open migration driver: %w", err)
	}
	return drv, pool, nil
}
