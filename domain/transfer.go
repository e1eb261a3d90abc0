package domain

import "errors"

// Limits on importing cards.
const (
	// MaxImportCards is the most cards one import may add (a CSV file's rows, or the
	// notes of an Anki package).
	MaxImportCards = 50000
)

// ErrTooLarge reports input beyond a size bound (an upload, or what it expands to).
var ErrTooLarge = errors.New("too large")

// Package is the content of a flashcard package from another application: its decks,
// each with the notes it holds.
type Package struct {
	Decks []PackageDeck
	// Skipped lists the notes the reader could not place (a note of no card, say).
	Skipped []PackageSkip
}

// PackageSkip is a note of a package left out of an import, and why.
type PackageSkip struct {
	NoteID int64
	Reason string
}

// PackageDeck is a deck of a Package, named as the package names it.
type PackageDeck struct {
	Name  string
	Notes []PackageNote
}

// PackageNote is one note of a package deck: its id in the package and its fields, in
// order, as the package stores them (raw text; the first two become a card's sides).
type PackageNote struct {
	ID     int64
	Fields []string
}
