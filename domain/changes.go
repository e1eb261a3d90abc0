package domain

// EntityKind names what a change of a user's data is about.
type EntityKind string

// The kinds of change a client syncs.
const (
	EntityDeck     EntityKind = "deck"
	EntityCard     EntityKind = "card"
	EntityProgress EntityKind = "progress"
)

// Change is one entry of a user's change log: an entity that was written or deleted.
// Seq numbers a user's changes in the order they committed.
type Change struct {
	Seq      int64
	Kind     EntityKind
	EntityID string
	DeckID   string
	Deleted  bool
}

// Tombstone is a deleted entity as a syncing client learns of it. A deleted deck takes
// its cards and their progress with it; a deleted card its progress.
type Tombstone struct {
	Kind   EntityKind
	ID     string
	DeckID string
}

// ChangeSet is what changed for a user after a point of their change log: the current
// state of every deck, card and progress row written since, and the entities deleted
// since. Last is the number of the last change it covers (the point to ask from next
// time); More says whether later changes remain to be asked for.
type ChangeSet struct {
	Decks    []Deck
	Cards    []Card
	Progress []Progress
	Deleted  []Tombstone
	Last     int64
	More     bool
}
