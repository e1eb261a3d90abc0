// Package decks holds the use-cases of a user's decks and cards: create and read decks,
// add cards one at a time or in batches (all or nothing), and list a deck's cards. Every
// read and write is scoped to the caller: another user's deck is domain.ErrNotFound.
package decks
