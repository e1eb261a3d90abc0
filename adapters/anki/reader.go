// Package anki reads Anki packages (.apkg): a zip archive holding the collection, a
// SQLite database, under the name collection.anki21 or collection.anki2. It implements
// ports.PackageReader with the pure-Go SQLite driver, and defends against hostile
// archives: entries are only ever looked up by their exact name (no name becomes a
// path), unsafe names refuse the archive, and the collection is copied to a private
// temporary file through a bounded reader that checks the size the archive declares.
package anki

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Default bounds of a Reader.
const (
	// DefaultMaxCollectionBytes bounds the decompressed collection (256 MiB).
	DefaultMaxCollectionBytes int64 = 256 << 20
	// DefaultMaxNotes bounds the notes of a collection.
	DefaultMaxNotes = domain.MaxImportCards
	// DefaultMaxTextBytes bounds the text of all notes together (64 MiB), what a read
	// holds in memory.
	DefaultMaxTextBytes int64 = 64 << 20
	// DefaultReadTimeout bounds reading the collection's tables.
	DefaultReadTimeout = 30 * time.Second
)

// The names a collection is stored under. Anki 2.1.50 and later, unless told to
// "Support older Anki versions", store it compressed with zstd as collection.anki21b,
// beside a placeholder collection.anki2 of one note asking for a newer Anki: such a
// package is refused with a reason that says so, never imported as its placeholder.
const (
	collectionAnki21 = "collection.anki21"
	collectionAnki2  = "collection.anki2"
	zstdCollection   = "collection.anki21b"
)

// Config bounds a Reader.
type Config struct {
	// MaxCollectionBytes bounds the decompressed collection; zero means
	// DefaultMaxCollectionBytes.
	MaxCollectionBytes int64
	// MaxNotes bounds the notes of a collection; zero means DefaultMaxNotes.
	MaxNotes int
	// MaxTextBytes bounds the text of all notes together; beyond it the package is
	// domain.ErrTooLarge. Zero means DefaultMaxTextBytes.
	MaxTextBytes int64
	// ReadTimeout bounds reading the collection's tables, so a crafted database that
	// makes SQLite work hard is given up on; zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// TempDir holds the collection's copy while it is read; "" is os.TempDir().
	TempDir string
}

// Reader reads Anki packages.
type Reader struct {
	cfg Config
}

var _ ports.PackageReader = (*Reader)(nil)

// NewReader returns a Reader with cfg's bounds.
func NewReader(cfg Config) *Reader {
	if cfg.MaxCollectionBytes <= 0 {
		cfg.MaxCollectionBytes = DefaultMaxCollectionBytes
	}
	if cfg.MaxNotes <= 0 {
		cfg.MaxNotes = DefaultMaxNotes
	}
	if cfg.MaxTextBytes <= 0 {
		cfg.MaxTextBytes = DefaultMaxTextBytes
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	return &Reader{cfg: cfg}
}

// invalid is the error of a file that is not a readable Anki package.
func invalid(reason string) error {
	return domain.NewValidationError("file", reason)
}

// Read reads the package of size bytes in r: its decks and their notes.
func (r *Reader) Read(ctx context.Context, ra io.ReaderAt, size int64) (*domain.Package, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("anki: %w", invalid("is not a zip archive"))
	}
	entry, err := collectionEntry(zr)
	if err != nil {
		return nil, fmt.Errorf("anki: %w", err)
	}
	path, err := r.extract(entry)
	if path != "" {
		defer os.Remove(path) //nolint:errcheck // best effort: the file is in a temporary directory
	}
	if err != nil {
		return nil, fmt.Errorf("anki: %w", err)
	}
	pkg, err := r.readBounded(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("anki: %w", err)
	}
	return pkg, nil
}

// readBounded reads the collection at path within the read timeout; running out of it
// (while ctx itself lives on) makes the file invalid.
func (r *Reader) readBounded(ctx context.Context, path string) (*domain.Package, error) {
	bounded, cancel := context.WithTimeout(ctx, r.cfg.ReadTimeout)
	defer cancel()
	pkg, err := readCollection(bounded, path, r.cfg)
	if err != nil && ctx.Err() == nil && errors.Is(bounded.Err(), context.DeadlineExceeded) {
		return nil, invalid("holds a collection that takes too long to read")
	}
	return pkg, err
}

// collectionEntry finds the archive's collection by its exact name. An archive with an
// entry name that is not a plain local path (absolute, "..", backslashes), or with two
// entries of the collection's name, is refused.
func collectionEntry(zr *zip.Reader) (*zip.File, error) {
	found := map[string]*zip.File{}
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) || strings.ContainsAny(f.Name, `\:`) || f.Name != filepath.ToSlash(filepath.Clean(f.Name)) {
			return nil, invalid("holds an entry with an unsafe name")
		}
		if _, twice := found[f.Name]; twice {
			return nil, invalid("holds two entries named " + f.Name)
		}
		found[f.Name] = f
	}
	if f, ok := found[collectionAnki21]; ok {
		return f, nil
	}
	if _, ok := found[zstdCollection]; ok {
		return nil, invalid("holds a collection of Anki 2.1.50 or later; export it with \"Support older Anki versions\"")
	}
	if f, ok := found[collectionAnki2]; ok {
		return f, nil
	}
	return nil, invalid("is not an Anki package: it holds no collection")
}

// extract copies the collection entry f to a new temporary file and returns its path
// ("" when none was made). A collection that declares, or inflates to, more than the
// bound is domain.ErrTooLarge; one that inflates to another size than it declares, or
// fails to inflate, is invalid.
func (r *Reader) extract(f *zip.File) (string, error) {
	declared := f.UncompressedSize64
	if declared > uint64(max(r.cfg.MaxCollectionBytes, 0)) {
		return "", fmt.Errorf("collection of %d bytes: %w", declared, domain.ErrTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return "", invalid("holds a collection that cannot be read")
	}
	defer func() { _ = rc.Close() }() // read only: nothing to lose
	tmp, err := os.CreateTemp(r.cfg.TempDir, "studytool-anki-*.sqlite")
	if err != nil {
		return "", fmt.Errorf("collection copy: %w", err)
	}
	path := tmp.Name()
	n, copyErr := io.Copy(tmp, io.LimitReader(rc, int64(declared)+1)) //nolint:gosec // declared is at most MaxCollectionBytes
	closeErr := tmp.Close()
	var pathErr *os.PathError
	switch {
	case errors.As(copyErr, &pathErr) || closeErr != nil:
		return path, fmt.Errorf("collection copy: %w", errors.Join(copyErr, closeErr))
	case copyErr != nil:
		return path, invalid("holds a corrupt collection")
	case uint64(n) != declared: //nolint:gosec // n is never negative
		return path, invalid("holds a collection whose size differs from the size it declares")
	}
	return path, nil
}
