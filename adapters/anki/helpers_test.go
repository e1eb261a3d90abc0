package anki_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// sqliteFile runs statements on a new SQLite database and returns its bytes.
func sqliteFile(t *testing.T, statements ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	for _, s := range statements {
		_, err := db.ExecContext(t.Context(), s)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return raw
}

// emptySQLite is a SQLite database without Anki's tables.
func emptySQLite(t *testing.T) []byte {
	t.Helper()
	return sqliteFile(t, "CREATE TABLE other (id integer)")
}

// orphanNote is a collection of one note (id 7) and no card.
func orphanNote(t *testing.T) []byte {
	t.Helper()
	return sqliteFile(t,
		"CREATE TABLE col (id integer PRIMARY KEY, decks text NOT NULL)",
		`INSERT INTO col VALUES (1, '{"1": {"name": "Default"}}')`,
		"CREATE TABLE notes (id integer PRIMARY KEY, mid integer, flds text)",
		"INSERT INTO notes VALUES (7, 1, 'a\x1fb')",
		"CREATE TABLE cards (id integer PRIMARY KEY, nid integer, did integer, ord integer)",
	)
}
