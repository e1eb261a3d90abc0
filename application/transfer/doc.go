// Package transfer holds the use-cases that move cards in and out of StudyTool: export a
// deck (streamed page by page), import a CSV file's rows into a deck, and import the
// decks and notes of an Anki package. Every import is one transaction: all or nothing.
package transfer
