// Package gormdb keeps StudyTool's data of record — organizations, users, decks, cards,
// progress and the review log — in PostgreSQL or, as the embedded default, in a SQLite
// file. It owns the connection pool, the embedded golang-migrate migrations and the GORM
// repositories that implement the ports; GORM models and driver errors never leave it.
package gormdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Dialect names the SQL database behind a DB.
type Dialect string

// The dialects Open supports.
const (
	DialectPostgres Dialect = "postgres"
	DialectSQLite   Dialect = "sqlite"
)

// Pool sizes used for PostgreSQL when Config leaves them zero.
const (
	defaultMaxOpenConns = 16
	defaultMaxIdleConns = 4
)

// sqliteParams configure every SQLite connection (modernc.org/sqlite DSN syntax):
// enforced foreign keys, write-ahead logging, a 5 s wait on a lock held by another
// process, the usual WAL durability level, times written in a format the driver parses
// back (and that sorts as text), and write transactions that take the lock at BEGIN so
// that the busy timeout applies instead of an immediate deadlock error on upgrade.
const sqliteParams = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)" +
	"&_time_format=sqlite&_txlock=immediate"

// Config says which database to open and how large its pool may grow.
type Config struct {
	// URL is a postgres:// (or postgresql://) URL, or a SQLite location written
	// sqlite:PATH, sqlite://PATH or file:PATH[?query]. Empty selects SQLitePath.
	URL string
	// SQLitePath is the SQLite file used when URL is empty.
	SQLitePath string
	// MaxOpenConns and MaxIdleConns size the PostgreSQL pool (zero picks 16 and 4).
	// SQLite always uses a single connection; see Open.
	MaxOpenConns int
	MaxIdleConns int
	// SlowQueryThreshold is how long a statement may run before it is logged as slow
	// (zero picks 200 ms).
	SlowQueryThreshold time.Duration
	// QueryTimeout bounds every repository operation, retries included (zero: no bound,
	// for operators' commands). On PostgreSQL it also sets each connection's
	// lock_timeout to it and statement_timeout a little above, so the server ends a
	// statement whose client cannot.
	QueryTimeout time.Duration
	// PoolWaitTimeout bounds how long an operation waits for a connection of its budget
	// (PostgreSQL; zero: until QueryTimeout).
	PoolWaitTimeout time.Duration
	// StudyConns is how many of MaxOpenConns operations on progress and the review log
	// may hold at once; the others are kept for accounts, decks and cards (PostgreSQL;
	// zero: half). The pool opens one connection more, kept for readiness checks.
	StudyConns int
	// Observer is told how the bounds hold up; nil discards it.
	Observer ports.DatabaseObserver
	// Logger receives slow-query warnings (never parameter values); nil discards them.
	Logger *slog.Logger
}

// DB is an open database: the GORM handle the repositories share and the pool under it.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	bounds  bounds
	// pgURL is where migrations open their own PostgreSQL connection.
	pgURL string
	// migrateMu serializes migrations started in this process; PostgreSQL additionally
	// takes an advisory lock, SQLite's migrate driver only an in-process flag per driver.
	migrateMu sync.Mutex
}

var _ ports.Pinger = (*DB)(nil)

// Open connects to the database cfg names and checks that it answers. It does not
// migrate; call MigrateUp for that.
//
// A SQLite database is opened once as a *sql.DB with the modernc driver and limited to
// one connection. SQLite admits one writer at a time whatever the pool size; with several
// connections, concurrent write transactions fail with SQLITE_BUSY ("database is
// locked") as soon as the busy timeout runs out, whereas one connection turns that
// contention into an orderly, context-aware queue inside database/sql. It also keeps
// in-memory databases alive, since each connection would otherwise get its own. The
// price: a transaction holds the only connection, so an update closure running inside
// one must not call a repository itself.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	dialect, dsn, err := target(cfg)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	slow := cfg.SlowQueryThreshold
	if slow <= 0 {
		slow = defaultSlowQueryThreshold
	}
	gcfg := gormConfig(newGormLogger(logger, slow))
	var db *DB
	switch dialect {
	case DialectPostgres:
		db, err = openPostgres(dsn, cfg, gcfg)
	default:
		db, err = openSQLite(dsn, gcfg)
		if err == nil {
			db.bounds = newBounds(cfg, 1, false)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.sql.Close()
		return nil, fmt.Errorf("database: open %s: %w", dialect, err)
	}
	return db, nil
}

// target picks the dialect and data source name out of cfg.
func target(cfg Config) (Dialect, string, error) {
	raw := strings.TrimSpace(cfg.URL)
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return DialectPostgres, raw, nil
	case strings.HasPrefix(raw, "sqlite://"):
		return sqliteTarget(strings.TrimPrefix(raw, "sqlite://"))
	case strings.HasPrefix(raw, "sqlite:"):
		return sqliteTarget(strings.TrimPrefix(raw, "sqlite:"))
	case strings.HasPrefix(raw, "file:"):
		return sqliteTarget(raw)
	case raw == "":
		return sqliteTarget(strings.TrimSpace(cfg.SQLitePath))
	}
	scheme, _, _ := strings.Cut(raw, ":")
	return "", "", fmt.Errorf("database: unsupported url scheme %q (want postgres, sqlite or file)", scheme)
}

func sqliteTarget(path string) (Dialect, string, error) {
	if path == "" {
		return "", "", errors.New("database: no url and no sqlite path configured")
	}
	return DialectSQLite, path, nil
}

// statementTimeoutMargin is how much longer than QueryTimeout PostgreSQL lets a
// statement run: the client's deadline normally ends it first (pgx cancels the
// statement); the server's bound ends it when the client cannot.
const statementTimeoutMargin = 500 * time.Millisecond

func openPostgres(url string, cfg Config, gcfg *gorm.Config) (*DB, error) {
	connCfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	if cfg.QueryTimeout > 0 {
		connCfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(cfg.QueryTimeout.Milliseconds(), 10)
		connCfg.RuntimeParams["statement_timeout"] = strconv.FormatInt((cfg.QueryTimeout + statementTimeoutMargin).Milliseconds(), 10)
	}
	pool := stdlib.OpenDB(*connCfg)
	maxOpen := orDefault(cfg.MaxOpenConns, defaultMaxOpenConns)
	b := newBounds(cfg, maxOpen, true)
	pool.SetMaxOpenConns(maxOpen + 1) // one more than the budgets: readiness checks never queue
	pool.SetMaxIdleConns(min(orDefault(cfg.MaxIdleConns, defaultMaxIdleConns), maxOpen+1))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: pool}), gcfg)
	if err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	return &DB{gorm: g, sql: pool, dialect: DialectPostgres, pgURL: url, bounds: b}, nil
}

func openSQLite(path string, gcfg *gorm.Config) (*DB, error) {
	if err := ensureDir(path); err != nil {
		return nil, err
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	pool, err := sql.Open("sqlite", path+sep+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite: %w", err)
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	g, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: "sqlite", Conn: pool}), gcfg)
	if err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("database: open sqlite: %w", err)
	}
	return &DB{gorm: g, sql: pool, dialect: DialectSQLite}, nil
}

// ensureDir creates the directory of a plain SQLite file path, so a fresh checkout can
// start with a path such as data/studytool.db. URIs and in-memory names are left alone.
func ensureDir(path string) error {
	if strings.HasPrefix(path, "file:") || strings.HasPrefix(path, ":memory:") {
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("database: create sqlite directory %s: %w", dir, err)
	}
	return nil
}

func gormConfig(logger gormLogger) *gorm.Config {
	return &gorm.Config{
		Logger: logger,
		// Repositories open the transactions they need; single statements need none.
		SkipDefaultTransaction: true,
		// Open pings with the caller's context; GORM's own ping would have no deadline.
		DisableAutomaticPing: true,
		NowFunc:              func() time.Time { return dbTime(time.Now()) },
	}
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Dialect reports which database d talks to.
func (d *DB) Dialect() Dialect { return d.dialect }

// Use installs a GORM plugin (such as tracing) on the handle every repository shares.
// Install plugins before the first statement runs.
func (d *DB) Use(plugin gorm.Plugin) error {
	if err := d.gorm.Use(plugin); err != nil {
		return fmt.Errorf("database: plugin %s: %w", plugin.Name(), err)
	}
	return nil
}

// Ping reports whether the database answers `SELECT 1` on a connection; a failure is a
// domain.UnavailableError. It draws on no budget (PostgreSQL keeps a connection beyond
// them), so it stays quick while operations wait on a slow table: readiness follows
// whether the database can be reached, not how one table fares.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return &domain.UnavailableError{Store: "database", Err: err}
	}
	return nil
}

// Close releases the pool. Repositories built on d fail afterwards.
func (d *DB) Close() error {
	if err := d.sql.Close(); err != nil {
		return fmt.Errorf("database: close: %w", err)
	}
	return nil
}

// dbTime is the form every timestamp is written in: UTC, truncated to the microsecond
// PostgreSQL keeps, so both dialects return exactly what was stored.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// orTime returns t, or fallback when t is the zero time.
func orTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}
