// Package domain holds StudyTool's entities, value objects and pure rules: users and
// organizations, sessions, decks and cards, learning progress, the review log, the SM-2
// scheduler, and the parts of FSRS-6 scheduling (the memory model, interval fuzz and the
// learner's day). It imports the standard library only and performs no I/O, except that
// resolving a learner's time zone reads the time-zone database (embedded in the binary).
package domain
