// Package progress holds the use-cases that read a user's learning progress: one card's
// SM-2 state, read through the Redis progress cache, and the summary of a deck. Progress
// is written by the study use-cases; the database is its data of record.
package progress
