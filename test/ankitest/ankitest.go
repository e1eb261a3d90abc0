// Package ankitest builds Anki packages (.apkg) for tests: a zip holding a SQLite
// collection (written with the pure-Go driver the service reads them with) of decks and
// notes, and crafted archives that a reader must refuse (zip bombs, entries that lie
// about their size, unsafe names).
package ankitest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"database/sql"
	"encoding/json"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// CollectionEntry is the name of the collection in the packages Package builds.
const CollectionEntry = "collection.anki2"

// Deck is an Anki deck with its notes; each note is its fields, in order.
type Deck struct {
	Name  string
	Notes [][]string
}

// schema is the part of Anki's collection schema (version 11) a reader uses.
const schema = `
CREATE TABLE col (id integer PRIMARY KEY, decks text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, mid integer NOT NULL, flds text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL);`

// Collection returns the bytes of an Anki collection holding decks, plus Anki's
// "Default" deck (id 1) with no notes. The notes are numbered from 1 in the order
// given, deck after deck; deck i has id 100+i.
func Collection(t testing.TB, decks ...Deck) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "collection.anki2")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(t.Context(), schema)
	require.NoError(t, err)
	names := map[string]any{"1": map[string]any{"id": 1, "name": "Default"}}
	for i, d := range decks {
		id := 100 + i
		names[strconv.Itoa(id)] = map[string]any{"id": id, "name": d.Name}
	}
	raw, err := json.Marshal(names)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "INSERT INTO col (id, decks) VALUES (1, ?)", string(raw))
	require.NoError(t, err)
	note := int64(0)
	for i, d := range decks {
		for _, fields := range d.Notes {
			note++
			_, err = db.ExecContext(t.Context(), "INSERT INTO notes (id, mid, flds) VALUES (?, 1, ?)", note, strings.Join(fields, "\x1f"))
			require.NoError(t, err)
			_, err = db.ExecContext(t.Context(), "INSERT INTO cards (id, nid, did, ord) VALUES (?, ?, ?, 0)", note, note, 100+i)
			require.NoError(t, err)
		}
	}
	require.NoError(t, db.Close())
	return readFile(t, path)
}

// Package returns an .apkg of decks: a zip holding their Collection.
func Package(t testing.TB, decks ...Deck) []byte {
	t.Helper()
	return Zip(t, Entry{Name: CollectionEntry, Data: Collection(t, decks...)}, Entry{Name: "media", Data: []byte("{}")})
}

// Entry is a file of a zip archive.
type Entry struct {
	Name string
	Data []byte
}

// Zip returns a zip archive of entries, deflated, in the order given.
func Zip(t testing.TB, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.Name)
		require.NoError(t, err)
		_, err = w.Write(e.Data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// Bomb returns a zip bomb: an .apkg whose collection entry inflates to size zero bytes
// and declares so, from a few kilobytes per megabyte.
func Bomb(t testing.TB, size int64) []byte {
	t.Helper()
	return rawZip(t, CollectionEntry, size, uint64(size))
}

// LyingBomb returns a zip bomb whose collection entry declares declared bytes but
// inflates to actual zero bytes (its header lies about its size, and its checksum is
// that of the actual content).
func LyingBomb(t testing.TB, declared uint64, actual int64) []byte {
	t.Helper()
	return rawZip(t, CollectionEntry, actual, declared)
}

// rawZip writes a zip whose entry name holds actual zero bytes, deflated by hand, and
// declares declared as their size.
func rawZip(t testing.TB, name string, actual int64, declared uint64) []byte {
	t.Helper()
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.BestCompression)
	require.NoError(t, err)
	crc := crc32.NewIEEE()
	zeros := make([]byte, 1<<16)
	for left := actual; left > 0; {
		n := min(left, int64(len(zeros)))
		_, err = fw.Write(zeros[:n])
		require.NoError(t, err)
		_, _ = crc.Write(zeros[:n])
		left -= n
	}
	require.NoError(t, fw.Close())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(compressed.Len()), UncompressedSize64: declared,
	})
	require.NoError(t, err)
	_, err = io.Copy(w, &compressed)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// readFile returns the content of the file at path.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return raw
}
