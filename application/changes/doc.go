// Package changes holds the use-case of clients that sync: what changed in a user's
// decks, cards and progress since the last time the client asked.
package changes
