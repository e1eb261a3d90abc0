package anki_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/anki"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/ankitest"
)

// read reads pkg with a reader of small bounds.
func read(t *testing.T, pkg []byte) (*domain.Package, error) {
	t.Helper()
	r := anki.NewReader(anki.Config{MaxCollectionBytes: 1 << 20, MaxNotes: 100, TempDir: t.TempDir()})
	return r.Read(t.Context(), bytes.NewReader(pkg), int64(len(pkg)))
}

func TestRead_DecksAndNotes(t *testing.T) {
	t.Parallel()
	pkg, err := read(t, ankitest.Package(t,
		ankitest.Deck{Name: "Spanish::Verbs", Notes: [][]string{{"hablar", "to speak", "extra"}, {"<b>comer</b>", "to eat"}}},
		ankitest.Deck{Name: "Capitals", Notes: [][]string{{"France", "Paris"}, {"only one field"}}},
	))
	require.NoError(t, err)
	require.Len(t, pkg.Decks, 2, "the empty Default deck is left out")
	assert.Equal(t, "Capitals", pkg.Decks[0].Name, "decks by name")
	assert.Equal(t, []domain.PackageNote{{ID: 3, Fields: []string{"France", "Paris"}}, {ID: 4, Fields: []string{"only one field"}}}, pkg.Decks[0].Notes)
	assert.Equal(t, "Spanish::Verbs", pkg.Decks[1].Name)
	assert.Equal(t, []string{"<b>comer</b>", "to eat"}, pkg.Decks[1].Notes[1].Fields, "HTML kept as text")
	assert.Empty(t, pkg.Skipped)
}

func TestRead_RefusesHostileOrBrokenFiles(t *testing.T) {
	t.Parallel()
	valid := ankitest.Collection(t, ankitest.Deck{Name: "D", Notes: [][]string{{"a", "b"}}})
	tooMany := make([][]string, 101)
	for i := range tooMany {
		tooMany[i] = []string{"f", "b"}
	}
	tests := []struct {
		name     string
		pkg      []byte
		tooLarge bool
	}{
		{"not a zip", []byte("plain text, no archive"), false},
		{"no collection", ankitest.Zip(t, ankitest.Entry{Name: "media", Data: []byte("{}")}), false},
		{"collection under a path", ankitest.Zip(t, ankitest.Entry{Name: "../collection.anki2", Data: valid}), false},
		{"collection in a folder", ankitest.Zip(t, ankitest.Entry{Name: "x/collection.anki2", Data: valid}), false},
		{"absolute name", ankitest.Zip(t, ankitest.Entry{Name: "/collection.anki2", Data: valid}), false},
		{"two collections", ankitest.Zip(t, ankitest.Entry{Name: "collection.anki2", Data: valid}, ankitest.Entry{Name: "collection.anki2", Data: valid}), false},
		{"only the zstd collection", ankitest.Zip(t, ankitest.Entry{Name: "collection.anki21b", Data: valid}), false},
		{"zstd collection and placeholder", ankitest.Zip(t, ankitest.Entry{Name: "collection.anki21b", Data: valid}, ankitest.Entry{Name: "collection.anki2", Data: valid}), false},
		{"collection is not SQLite", ankitest.Zip(t, ankitest.Entry{Name: "collection.anki2", Data: []byte("SQLite format 3\x00 but not really")}), false},
		{"SQLite without Anki's tables", ankitest.Zip(t, ankitest.Entry{Name: "collection.anki2", Data: emptySQLite(t)}), false},
		{"too many notes", ankitest.Package(t, ankitest.Deck{Name: "D", Notes: tooMany}), false},
		{"zip bomb", ankitest.Bomb(t, 8<<20), true},
		{"zip bomb lying about its size", ankitest.LyingBomb(t, 1000, 4<<20), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := read(t, tt.pkg)
			require.Error(t, err)
			if tt.tooLarge {
				require.ErrorIs(t, err, domain.ErrTooLarge)
				return
			}
			var v *domain.ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, "file", v.Field)
		})
	}
}

func TestRead_SkipsNotesWithoutCards(t *testing.T) {
	t.Parallel()
	pkg, err := read(t, ankitest.Zip(t, ankitest.Entry{Name: "collection.anki21", Data: orphanNote(t)}))
	require.NoError(t, err)
	assert.Empty(t, pkg.Decks)
	assert.Equal(t, []domain.PackageSkip{{NoteID: 7, Reason: "has no card"}}, pkg.Skipped)
}

// FuzzRead checks that no input makes Read panic, and that every refusal is a
// validation error or ErrTooLarge.
func FuzzRead(f *testing.F) {
	f.Add(ankitest.Package(f, ankitest.Deck{Name: "D", Notes: [][]string{{"a", "b"}, {"c\x00", "d"}}}))
	f.Add(ankitest.Zip(f, ankitest.Entry{Name: "collection.anki2", Data: []byte("not sqlite")}))
	f.Add(ankitest.LyingBomb(f, 10, 1000))
	f.Add([]byte("PK\x03\x04"))
	dir := f.TempDir()
	r := anki.NewReader(anki.Config{MaxCollectionBytes: 1 << 20, MaxNotes: 100, TempDir: dir})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := r.Read(t.Context(), bytes.NewReader(data), int64(len(data)))
		if err == nil {
			return
		}
		var v *domain.ValidationError
		if !errors.As(err, &v) && !errors.Is(err, domain.ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func TestRead_GivesUpOnASlowCollection(t *testing.T) {
	t.Parallel()
	pkg := ankitest.Package(t, ankitest.Deck{Name: "D", Notes: [][]string{{"a", "b"}}})
	r := anki.NewReader(anki.Config{ReadTimeout: time.Nanosecond, TempDir: t.TempDir()})
	_, err := r.Read(t.Context(), bytes.NewReader(pkg), int64(len(pkg)))
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Contains(t, v.Reason, "too long")
}

func TestRead_BoundsTheTextOfTheNotes(t *testing.T) {
	t.Parallel()
	pkg := ankitest.Package(t, ankitest.Deck{Name: "D", Notes: [][]string{{"front", "back"}, {"more", "text"}}})
	r := anki.NewReader(anki.Config{MaxTextBytes: 12, TempDir: t.TempDir()})
	_, err := r.Read(t.Context(), bytes.NewReader(pkg), int64(len(pkg)))
	require.ErrorIs(t, err, domain.ErrTooLarge)

	r = anki.NewReader(anki.Config{MaxTextBytes: 19, TempDir: t.TempDir()})
	_, err = r.Read(t.Context(), bytes.NewReader(pkg), int64(len(pkg)))
	require.NoError(t, err, "exactly the bound")
}
