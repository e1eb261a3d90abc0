-- When each deck, card and progress row last changed, for clients that sync.
ALTER TABLE decks ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE decks SET updated_at = created_at;
ALTER TABLE decks ALTER COLUMN updated_at SET NOT NULL;

ALTER TABLE cards ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE cards SET updated_at = created_at;
ALTER TABLE cards ALTER COLUMN updated_at SET NOT NULL;

ALTER TABLE progress ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE progress SET updated_at = COALESCE(last_reviewed_at, now());
ALTER TABLE progress ALTER COLUMN updated_at SET NOT NULL;

-- Each user's changes, numbered by a counter on the user's row that every writing
-- transaction takes last: a user's changes commit in the order of their numbers, so a
-- client that asks for the changes after the last number it saw misses none. A deleted
-- deck, card or progress row leaves a row with deleted set (a tombstone).
ALTER TABLE users ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE changes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    entity     TEXT NOT NULL CHECK (entity IN ('deck', 'card', 'progress')),
    entity_id  TEXT NOT NULL,
    deck_id    TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, seq)
);

-- The learner day's counts across a user's decks: graded answers since the day started.
CREATE INDEX reviews_user_id_reviewed_at_idx ON reviews (user_id, reviewed_at);
