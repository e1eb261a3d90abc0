package anki

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/studytool/studytool/domain"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// readOnly opens a collection copy read-only and immutable (no locks, no journal), its
// schema untrusted (its triggers and views run nothing of ours).
const readOnly = "?mode=ro&immutable=1&_pragma=query_only(1)&_pragma=trusted_schema(0)"

// fieldSeparator joins the fields of an Anki note (flds).
const fieldSeparator = "\x1f"

// notesQuery reads every note with the deck of its first card (NULL when it has none).
const notesQuery = `SELECT n.id, n.flds,
	(SELECT c.did FROM cards c WHERE c.nid = n.id ORDER BY c.ord, c.id LIMIT 1)
	FROM notes n ORDER BY n.id`

// unreadable is the error of a collection SQLite cannot read as Anki's.
func unreadable() error {
	return invalid("holds a collection that is not a readable Anki collection")
}

// readCollection reads the decks and notes of the collection at path: every deck that
// has notes, by name, each note with its fields.
func readCollection(ctx context.Context, path string, bounds Config) (*domain.Package, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+readOnly)
	if err != nil {
		return nil, fmt.Errorf("open collection: %w", err)
	}
	defer func() { _ = db.Close() }() // read only: nothing to lose
	db.SetMaxOpenConns(1)
	names, err := deckNames(ctx, db)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	var count int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notes").Scan(&count); err != nil {
		return nil, queryError(ctx, err)
	}
	if count > bounds.MaxNotes {
		return nil, invalid("holds more than " + strconv.Itoa(bounds.MaxNotes) + " notes")
	}
	pkg, err := readNotes(ctx, db, names, bounds.MaxTextBytes)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	return pkg, nil
}

// queryError is a failed read's error: the context's when it ended, the reader's own
// refusals as they are, else unreadable (the file is corrupt, not SQLite, or lacks
// Anki's tables).
func queryError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("read collection: %w", ctxErr)
	}
	var v *domain.ValidationError
	if errors.As(err, &v) || errors.Is(err, domain.ErrTooLarge) {
		return err
	}
	return unreadable()
}

// deckNames reads the collection's deck names by id: from col.decks (a JSON object) in
// the older schema, else from the decks table (whose names separate levels with 0x1f,
// shown as "::" as Anki does).
func deckNames(ctx context.Context, db *sql.DB) (map[int64]string, error) {
	var raw string
	if err := db.QueryRowContext(ctx, "SELECT decks FROM col LIMIT 1").Scan(&raw); err != nil {
		return nil, err
	}
	if strings.TrimSpace(raw) != "" && strings.TrimSpace(raw) != "{}" {
		var decks map[string]struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal([]byte(raw), &decks); err != nil {
			return nil, invalid("holds a collection whose deck list is not valid JSON")
		}
		names := make(map[int64]string, len(decks))
		for id, d := range decks {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				names[n] = d.Name
			}
		}
		return names, nil
	}
	return deckTable(ctx, db)
}

// deckTable reads the decks table of the newer schema.
func deckTable(ctx context.Context, db *sql.DB) (map[int64]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, name FROM decks")
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = strings.ReplaceAll(name, fieldSeparator, "::")
	}
	return names, rows.Err()
}

// readNotes reads the notes into their decks, ordered by deck name (then id), the
// notes of a deck by note id. A note of no card, or of a deck the collection does not
// name, is skipped. Notes of more than maxText bytes of text together are
// domain.ErrTooLarge.
func readNotes(ctx context.Context, db *sql.DB, names map[int64]string, maxText int64) (*domain.Package, error) {
	rows, err := db.QueryContext(ctx, notesQuery)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	pkg := &domain.Package{}
	byDeck := map[int64][]domain.PackageNote{}
	var text int64
	for rows.Next() {
		var note domain.PackageNote
		var flds string
		var deck sql.NullInt64
		if err := rows.Scan(&note.ID, &flds, &deck); err != nil {
			return nil, err
		}
		if text += int64(len(flds)); text > maxText {
			return nil, fmt.Errorf("notes of more than %d bytes: %w", maxText, domain.ErrTooLarge)
		}
		note.Fields = strings.Split(flds, fieldSeparator)
		_, named := names[deck.Int64]
		switch {
		case !deck.Valid:
			pkg.Skipped = append(pkg.Skipped, domain.PackageSkip{NoteID: note.ID, Reason: "has no card"})
		case !named:
			pkg.Skipped = append(pkg.Skipped, domain.PackageSkip{NoteID: note.ID, Reason: "is in a deck the collection does not name"})
		default:
			byDeck[deck.Int64] = append(byDeck[deck.Int64], note)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := slices.Collect(maps.Keys(byDeck))
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(strings.Compare(names[a], names[b]), cmp.Compare(a, b)) })
	for _, id := range ids {
		pkg.Decks = append(pkg.Decks, domain.PackageDeck{Name: names[id], Notes: byDeck[id]})
	}
	return pkg, nil
}
