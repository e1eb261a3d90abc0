package ports

import (
	"context"
	"io"

	"github.com/studytool/studytool/domain"
)

// PackageReader reads the flashcard packages of another application (Anki's .apkg).
type PackageReader interface {
	// Read reads the package of size bytes in r. Input that is not such a package is a
	// *domain.ValidationError of field "file"; a package that holds, or expands to, more
	// than the reader's bounds is domain.ErrTooLarge.
	Read(ctx context.Context, r io.ReaderAt, size int64) (*domain.Package, error)
}
