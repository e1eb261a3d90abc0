CREATE TABLE decks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);

CREATE INDEX decks_user_id_created_at_idx ON decks (user_id, created_at);

-- seq orders a deck's cards by insertion, whatever their ids. SQLite can only generate
-- it as the rowid, so seq is the primary key here and id a unique key.
CREATE TABLE cards (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    deck_id    TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    front      TEXT NOT NULL,
    back       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE INDEX cards_deck_id_seq_idx ON cards (deck_id, seq);
