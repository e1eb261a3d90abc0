package gormdb_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/contract"
	"github.com/studytool/studytool/test/testenv"
)

// latestVersion is the number of the newest migration.
const latestVersion = 5

// schemaTables are the tables the migrations create.
var schemaTables = []string{"cards", "changes", "decks", "organizations", "progress", "reviews", "users"}

// backend opens an empty, unmigrated database of one dialect.
type backend struct {
	// open returns the database under test and a separate connection to the same
	// database for inspecting its schema.
	open func(t *testing.T) (*gormdb.DB, *sql.DB)
	// tablesQuery lists the application's tables (migration bookkeeping excluded).
	tablesQuery string
}

var sqliteBackend = backend{
	open: func(t *testing.T) (*gormdb.DB, *sql.DB) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "studytool.db")
		return openDB(t, gormdb.Config{SQLitePath: path}), inspector(t, "sqlite", path)
	},
	tablesQuery: `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`,
}

var postgresBackend = backend{
	open: func(t *testing.T) (*gormdb.DB, *sql.DB) {
		t.Helper()
		url := testenv.Postgres(t)
		return openDB(t, gormdb.Config{URL: url}), inspector(t, "pgx", url)
	},
	tablesQuery: `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name`,
}

func openDB(t *testing.T, cfg gormdb.Config) *gormdb.DB {
	t.Helper()
	db, err := gormdb.Open(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	return db
}

func inspector(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	conn, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// migrated opens a database of b and migrates it up.
func (b backend) migrated(t *testing.T) *gormdb.DB {
	t.Helper()
	db, _ := b.open(t)
	require.NoError(t, db.MigrateUp(t.Context()))
	return db
}

func repositories(db *gormdb.DB) contract.Repositories {
	return contract.Repositories{
		Users:         gormdb.NewUserRepo(db),
		Organizations: gormdb.NewOrganizationRepo(db),
		Decks:         gormdb.NewDeckRepo(db),
		Progress:      gormdb.NewProgressRepo(db),
		Reviews:       gormdb.NewReviewRepo(db),
		Changes:       gormdb.NewChangeLog(db),
	}
}

func TestSQLite_Repositories(t *testing.T) {
	t.Parallel()
	runRepositorySuites(t, sqliteBackend)
}

func TestPostgres_Repositories(t *testing.T) {
	t.Parallel()
	runRepositorySuites(t, postgresBackend)
}

// runRepositorySuites runs every repository contract suite, each on a fresh database.
func runRepositorySuites(t *testing.T, b backend) {
	t.Helper()
	suites := []struct {
		name string
		run  func(*testing.T, contract.RepositoriesFactory)
	}{
		{"UserRepo", contract.UserRepo},
		{"OrganizationRepo", contract.OrganizationRepo},
		{"DeckRepo", contract.DeckRepo},
		{"ProgressRepo", contract.ProgressRepo},
		{"ReviewRepo", contract.ReviewRepo},
		{"ChangeLog", contract.ChangeLog},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, func(t *testing.T) contract.Repositories {
				t.Helper()
				return repositories(b.migrated(t))
			})
		})
	}
}

func TestSQLite_Migrations(t *testing.T) {
	t.Parallel()
	testMigrations(t, sqliteBackend)
}

func TestPostgres_Migrations(t *testing.T) {
	t.Parallel()
	testMigrations(t, postgresBackend)
}

// testMigrations walks the schema up, down and up again, checking the tables, the
// recorded version and that the shared pool survives every step.
func testMigrations(t *testing.T, b backend) {
	t.Helper()
	ctx := t.Context()
	db, inspect := b.open(t)
	orgs := gormdb.NewOrganizationRepo(db)

	assertSchema(t, db, inspect, b, 0, nil)

	require.NoError(t, db.MigrateUp(ctx))
	assertSchema(t, db, inspect, b, latestVersion, schemaTables)
	assertPoolWorks(t, db)

	require.NoError(t, db.MigrateUp(ctx), "migrating an up-to-date schema must succeed")
	assertSchema(t, db, inspect, b, latestVersion, schemaTables)

	require.NoError(t, db.MigrateDown(ctx, 1))
	assertSchema(t, db, inspect, b, latestVersion-1, []string{"cards", "decks", "organizations", "progress", "reviews", "users"})
	assertPoolWorks(t, db)

	require.NoError(t, db.MigrateDown(ctx, 0))
	assertSchema(t, db, inspect, b, 0, nil)
	require.NoError(t, db.Ping(ctx))
	_, err := orgs.List(ctx)
	require.Error(t, err, "organizations still readable after migrating all the way down")

	require.NoError(t, db.MigrateUp(ctx), "migrating up again")
	assertSchema(t, db, inspect, b, latestVersion, schemaTables)
	assertPoolWorks(t, db)

	require.NoError(t, db.MigrateDown(ctx, latestVersion+5), "more steps than applied reverts them all")
	assertSchema(t, db, inspect, b, 0, nil)

	require.Error(t, db.MigrateDown(ctx, -1))
}

// assertSchema checks the recorded migration version and the tables that exist.
func assertSchema(t *testing.T, db *gormdb.DB, inspect *sql.DB, b backend, version uint, tables []string) {
	t.Helper()
	got, dirty, err := db.MigrateVersion(t.Context())
	require.NoError(t, err)
	assert.Equal(t, version, got, "migration version")
	assert.False(t, dirty, "schema left dirty")

	rows, err := inspect.QueryContext(t.Context(), b.tablesQuery)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var names []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		names = append(names, name)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, tables, names)
}

// assertPoolWorks checks that the shared pool still answers after a migration: a
// migration driver that closed it would break every repository.
func assertPoolWorks(t *testing.T, db *gormdb.DB) {
	t.Helper()
	require.NoError(t, db.Ping(t.Context()))
	org, err := gormdb.NewOrganizationRepo(db).Get(t.Context(), domain.DefaultOrganizationID)
	require.NoError(t, err)
	assert.Equal(t, "Default", org.Name)
}

func TestSQLite_MigrationsStopOnCanceledContext(t *testing.T) {
	t.Parallel()
	db, _ := sqliteBackend.open(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, db.MigrateUp(ctx), context.Canceled)
	version, _, err := db.MigrateVersion(t.Context())
	require.NoError(t, err)
	assert.Zero(t, version)
}

func TestSQLite_UnknownReferencesAreNotFound(t *testing.T) {
	t.Parallel()
	testUnknownReferences(t, sqliteBackend)
}

func TestPostgres_UnknownReferencesAreNotFound(t *testing.T) {
	t.Parallel()
	testUnknownReferences(t, postgresBackend)
}

// testUnknownReferences checks that a foreign-key violation surfaces as ErrNotFound.
func testUnknownReferences(t *testing.T, b backend) {
	t.Helper()
	repos := repositories(b.migrated(t))
	ctx := t.Context()
	now := time.Now()
	user := &domain.User{
		ID: uuid.NewString(), Email: "owner@example.com", PasswordHash: "h", DisplayName: "Owner",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: now, UpdatedAt: now,
	}
	require.NoError(t, repos.Users.Create(ctx, user))
	deck := &domain.Deck{ID: uuid.NewString(), UserID: user.ID, Name: "Deck", Options: domain.DefaultStudyOptions(), CreatedAt: now}
	require.NoError(t, repos.Decks.CreateDeck(ctx, deck))

	tests := []struct {
		name string
		do   func() error
	}{
		{"user in an unknown organization", func() error {
			u := *user
			u.ID, u.Email, u.OrganizationID = uuid.NewString(), "stray@example.com", uuid.NewString()
			return repos.Users.Create(ctx, &u)
		}},
		{"deck of an unknown user", func() error {
			return repos.Decks.CreateDeck(ctx, &domain.Deck{
				ID: uuid.NewString(), UserID: uuid.NewString(), Name: "D", Options: domain.DefaultStudyOptions(), CreatedAt: now,
			})
		}},
		{"review of an unknown card", func() error {
			_, err := repos.Progress.RecordReview(ctx, user.ID, uuid.NewString(), deck.ID, func(p *domain.Progress) (*domain.Review, error) {
				r, err := p.Apply(domain.Answer{Grade: 4, At: now})
				return &r, err
			})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.do(), domain.ErrNotFound)
		})
	}
}

func TestSQLite_OpenAcceptsEveryLocationForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(dir string) gormdb.Config
	}{
		{"sqlite path", func(dir string) gormdb.Config { return gormdb.Config{SQLitePath: filepath.Join(dir, "a.db")} }},
		{"path in a missing directory", func(dir string) gormdb.Config {
			return gormdb.Config{SQLitePath: filepath.Join(dir, "data", "nested", "a.db")}
		}},
		{"sqlite: url", func(dir string) gormdb.Config { return gormdb.Config{URL: "sqlite:" + filepath.Join(dir, "a.db")} }},
		{"sqlite:// url", func(dir string) gormdb.Config { return gormdb.Config{URL: "sqlite://" + filepath.Join(dir, "a.db")} }},
		{"file: uri with a query", func(dir string) gormdb.Config {
			return gormdb.Config{URL: "file:" + filepath.Join(dir, "a.db") + "?mode=rwc"}
		}},
		{"in-memory database", func(string) gormdb.Config { return gormdb.Config{SQLitePath: ":memory:"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := openDB(t, tt.cfg(t.TempDir()))
			assert.Equal(t, gormdb.DialectSQLite, db.Dialect())
			require.NoError(t, db.MigrateUp(t.Context()))
			assertPoolWorks(t, db)
		})
	}
}

func TestSQLite_DataOutlivesTheProcessPool(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "studytool.db")
	ctx := t.Context()
	first, err := gormdb.Open(ctx, gormdb.Config{SQLitePath: path})
	require.NoError(t, err)
	require.NoError(t, first.MigrateUp(ctx))
	u := &domain.User{
		ID: uuid.NewString(), Email: "kept@example.com", PasswordHash: "h", DisplayName: "Kept",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: time.Now(), UpdatedAt: time.Now(),
	}
	require.NoError(t, gormdb.NewUserRepo(first).Create(ctx, u))
	require.NoError(t, first.Close())

	second := openDB(t, gormdb.Config{SQLitePath: path})
	got, err := gormdb.NewUserRepo(second).GetByEmail(ctx, u.Email)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
}

func TestOpen_RejectsUnusableConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  gormdb.Config
	}{
		{"nothing configured", gormdb.Config{}},
		{"unsupported scheme", gormdb.Config{URL: "mysql://admin:s3cret@db.internal/studytool"}},
		{"unreachable postgres", gormdb.Config{URL: "postgres://admin:s3cret@127.0.0.1:1/studytool?connect_timeout=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, err := gormdb.Open(t.Context(), tt.cfg)
			require.Error(t, err)
			assert.Nil(t, db)
			assert.NotContains(t, err.Error(), "s3cret", "error leaks the password")
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

func TestSQLite_SlowQueriesAreLoggedWithoutValues(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	db := openDB(t, gormdb.Config{
		SQLitePath:         filepath.Join(t.TempDir(), "studytool.db"),
		SlowQueryThreshold: time.Nanosecond, // every statement is slow
		Logger:             slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, db.MigrateUp(t.Context()))
	secretEmail := "private-" + uuid.NewString() + "@example.com"
	u := &domain.User{
		ID: uuid.NewString(), Email: secretEmail, PasswordHash: "argon-secret-hash", DisplayName: "Private",
		OrganizationID: domain.DefaultOrganizationID, CreatedAt: time.Now(), UpdatedAt: time.Now(),
	}
	require.NoError(t, gormdb.NewUserRepo(db).Create(t.Context(), u))
	_, err := gormdb.NewUserRepo(db).GetByEmail(t.Context(), secretEmail)
	require.NoError(t, err)

	logged := out.String()
	assert.Contains(t, logged, "slow database query")
	assert.Contains(t, logged, "INSERT INTO")
	for _, secret := range []string{secretEmail, "argon-secret-hash"} {
		assert.NotContains(t, logged, secret)
	}
	assert.True(t, slices.ContainsFunc(strings.Split(logged, "\n"), func(line string) bool {
		return strings.Contains(line, "SELECT") && strings.Contains(line, "email = ?")
	}), "the lookup is logged with its placeholder: %s", logged)

	// A long statement (a batch insert) is logged shortened, with its length.
	out.Reset()
	deck := &domain.Deck{ID: uuid.NewString(), UserID: u.ID, Name: "Batch", Options: domain.DefaultStudyOptions(), CreatedAt: time.Now(), UpdatedAt: time.Now()}
	require.NoError(t, gormdb.NewDeckRepo(db).CreateDeck(t.Context(), deck))
	cards := make([]domain.Card, 200)
	for i := range cards {
		cards[i] = domain.Card{ID: uuid.NewString(), DeckID: deck.ID, Front: "f", Back: "b", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	}
	require.NoError(t, gormdb.NewDeckRepo(db).AddCards(t.Context(), u.ID, deck.ID, cards))
	for _, line := range strings.Split(out.String(), "\n") {
		assert.Less(t, len(line), 1000, "a log line carries at most a few hundred bytes of SQL: %s", line)
	}
	assert.Contains(t, out.String(), "bytes)")
}
