package pgtopo_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/pgtopo"
	"github.com/studytool/studytool/test/testenv"
)

// eventually bounds waits for a server to change state (a crash-restart).
const eventually = 30 * time.Second

// lockNotAvailable is the SQLSTATE of a statement whose lock_timeout passed.
const lockNotAvailable = "55P03"

func TestStart_Postgres(t *testing.T) {
	t.Parallel()
	var srv *pgtopo.Server
	var dataDir string
	served := t.Run("serves the test's database on loopback", func(t *testing.T) {
		srv = pgtopo.Start(t, "max_connections = 20")
		assert.NotEqual(t, 5432, srv.Port(), "never the machine's own PostgreSQL port")
		u, err := url.Parse(srv.URL())
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1:"+strconv.Itoa(srv.Port()), u.Host)
		assert.Equal(t, "disable", u.Query().Get("sslmode"))

		conn := connect(t, srv.URL())
		var db string
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&db))
		assert.Equal(t, strings.TrimPrefix(u.Path, "/"), db, "the URL names the test's database")
		assert.NotEqual(t, "postgres", db, "not the maintenance database")
		want := map[string]string{
			"port":               strconv.Itoa(srv.Port()),
			"listen_addresses":   "127.0.0.1",
			"fsync":              "off",
			"synchronous_commit": "on",
			"max_connections":    "20",
		}
		for name, value := range want {
			assert.Equal(t, value, show(t, conn, name), name)
		}
		dataDir = show(t, conn, "data_directory")
		socketDir := show(t, conn, "unix_socket_directories")
		assert.Equal(t, filepath.Dir(dataDir), filepath.Dir(socketDir), "the socket lies beside the cluster")
	})
	if !served {
		return
	}
	if dataDir == "" {
		t.Skip("SKIPPED — the subtest started no server")
	}

	_, err := pgx.Connect(t.Context(), srv.URL())
	require.Error(t, err, "the server stops when its test ends")
	assert.NoDirExists(t, filepath.Dir(dataDir), "and its directory is removed")
}

func TestRestart_Postgres(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		stop func(*pgtopo.Server, testing.TB) // nil: Restart stops the running server
	}{
		{"after a fast shutdown", (*pgtopo.Server).Stop},
		{"after an immediate shutdown", (*pgtopo.Server).Kill},
		{"of a running server", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := pgtopo.Start(t)
			port := srv.Port()
			open := writeNotes(t, srv.URL())
			if tt.stop != nil {
				tt.stop(srv, t)
				tt.stop(srv, t) // stopping a stopped server does nothing
				require.Error(t, open.Ping(t.Context()), "sessions end with the server")
				_, err := pgx.Connect(t.Context(), srv.URL())
				require.Error(t, err, "the server is down")
			}

			srv.Restart(t)
			assert.Equal(t, port, srv.Port(), "same port")
			rows, err := connect(t, srv.URL()).Query(t.Context(), "SELECT body FROM notes ORDER BY body")
			require.NoError(t, err)
			notes, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			assert.Equal(t, []string{"committed"}, notes, "committed rows survive, open transactions do not")
		})
	}
}

func TestWaitReady_Postgres(t *testing.T) {
	t.Parallel()
	srv := pgtopo.Start(t)
	victim, bystander := connect(t, srv.URL()), connect(t, srv.URL())
	var pid int
	require.NoError(t, victim.QueryRow(t.Context(), "SELECT pg_backend_pid()").Scan(&pid))
	backend, err := os.FindProcess(pid)
	require.NoError(t, err)

	require.NoError(t, backend.Kill())
	// A crashed backend makes the postmaster end every session and reinitialise.
	require.Eventually(t, func() bool { return bystander.Ping(t.Context()) != nil },
		eventually, 10*time.Millisecond, "the postmaster ends the other sessions")
	srv.WaitReady(t, eventually)
	require.NoError(t, connect(t, srv.URL()).Ping(t.Context()))
}

func TestLockTables_Postgres(t *testing.T) {
	t.Parallel()
	srv := pgtopo.Start(t)
	t.Run("blocks every statement on the tables until its duration passes", func(t *testing.T) {
		t.Parallel()
		createTables(t, srv.URL(), "held_a", "held_b")
		const hold = 500 * time.Millisecond
		began := time.Now()
		pgtopo.LockTables(t, srv.URL(), hold, "held_a", "public.held_b")

		assertLockNotAvailable(t, count(t, srv.URL(), "held_a", 50*time.Millisecond))
		assertLockNotAvailable(t, count(t, srv.URL(), "held_b", 50*time.Millisecond))
		require.NoError(t, count(t, srv.URL(), "held_a", eventually), "a patient reader gets through")
		assert.GreaterOrEqual(t, time.Since(began), hold, "not before the lock was released")
	})
	t.Run("Release frees the tables at once", func(t *testing.T) {
		t.Parallel()
		createTables(t, srv.URL(), "released")
		lock := pgtopo.LockTables(t, srv.URL(), time.Hour, "released")
		assertLockNotAvailable(t, count(t, srv.URL(), "released", 50*time.Millisecond))

		lock.Release()
		lock.Release() // releasing twice does nothing
		require.NoError(t, count(t, srv.URL(), "released", 50*time.Millisecond))
	})
	t.Run("the end of the test frees the tables", func(t *testing.T) {
		t.Parallel()
		createTables(t, srv.URL(), "cleaned")
		t.Run("holder", func(t *testing.T) {
			pgtopo.LockTables(t, srv.URL(), time.Hour, "cleaned")
			assertLockNotAvailable(t, count(t, srv.URL(), "cleaned", 50*time.Millisecond))
		})
		require.NoError(t, count(t, srv.URL(), "cleaned", 50*time.Millisecond))
	})
}

func TestLockTables_OnTheSharedTestServer_Postgres(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	createTables(t, db, "locked")
	lock := pgtopo.LockTables(t, db, time.Hour, "locked")
	assertLockNotAvailable(t, count(t, db, "locked", 50*time.Millisecond))

	lock.Release()
	require.NoError(t, count(t, db, "locked", 50*time.Millisecond))
}

// connect opens a connection to the database at rawURL, closed when t ends.
func connect(t *testing.T, rawURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), rawURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// show returns the value of the server setting name.
func show(t *testing.T, conn *pgx.Conn, name string) string {
	t.Helper()
	var value string
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_setting($1)", name).Scan(&value))
	return value
}

// writeNotes creates the table notes with the committed row "committed", and returns a
// connection whose open transaction has inserted the row "open".
func writeNotes(t *testing.T, rawURL string) *pgx.Conn {
	t.Helper()
	conn := connect(t, rawURL)
	_, err := conn.Exec(t.Context(), "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('committed')")
	require.NoError(t, err)
	_, err = conn.Exec(t.Context(), "BEGIN; INSERT INTO notes VALUES ('open')")
	require.NoError(t, err)
	return conn
}

// createTables creates empty tables.
func createTables(t *testing.T, rawURL string, tables ...string) {
	t.Helper()
	conn := connect(t, rawURL)
	for _, table := range tables {
		_, err := conn.Exec(t.Context(), "CREATE TABLE "+table+" (id int)")
		require.NoError(t, err)
	}
}

// count counts the rows of table from a connection of its own whose statements wait at
// most lockTimeout for a lock.
func count(t *testing.T, rawURL, table string, lockTimeout time.Duration) error {
	t.Helper()
	conn := connect(t, rawURL)
	if _, err := conn.Exec(t.Context(), "SET lock_timeout = "+strconv.FormatInt(lockTimeout.Milliseconds(), 10)); err != nil {
		return err
	}
	var n int
	return conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n)
}

// assertLockNotAvailable asserts that err is PostgreSQL's lock timeout.
func assertLockNotAvailable(t *testing.T, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if assert.ErrorAs(t, err, &pgErr) {
		assert.Equal(t, lockNotAvailable, pgErr.Code, pgErr.Message)
	}
}
