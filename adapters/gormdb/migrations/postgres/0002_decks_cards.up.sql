CREATE TABLE decks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX decks_user_id_created_at_idx ON decks (user_id, created_at);

-- seq orders a deck's cards by insertion, whatever their ids.
CREATE TABLE cards (
    id         TEXT PRIMARY KEY,
    seq        BIGINT GENERATED ALWAYS AS IDENTITY,
    deck_id    TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    front      TEXT NOT NULL,
    back       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX cards_deck_id_seq_idx ON cards (deck_id, seq);
