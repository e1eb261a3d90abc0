// Package domain holds StudyTool's entities, value objects and pure rules: users and
// organizations, sessions, decks and cards, learning progress, the review log and the
// SM-2 scheduler. It imports the standard library only and performs no I/O.
package domain
