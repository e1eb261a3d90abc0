-- One row per (user, card) studied. ef is in hundredths (250 = 2.50); version grows with
-- every committed change and guards concurrent reviews (optimistic locking).
CREATE TABLE progress (
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id          TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    deck_id          TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    repetitions      INTEGER NOT NULL CHECK (repetitions >= 0),
    ef               INTEGER NOT NULL CHECK (ef >= 130),
    interval_days    INTEGER NOT NULL CHECK (interval_days >= 0),
    due_at           DATETIME NOT NULL,
    last_reviewed_at DATETIME,
    lapses           INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    version          BIGINT NOT NULL,
    PRIMARY KEY (user_id, card_id)
);

CREATE INDEX progress_user_id_deck_id_idx ON progress (user_id, deck_id);
CREATE INDEX progress_user_id_due_at_idx ON progress (user_id, due_at);

-- The review log, the data of record progress can be rebuilt from. seq (the rowid) is the
-- commit order: SQLite runs one write transaction at a time.
CREATE TABLE reviews (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id          TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    deck_id          TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    study_session_id TEXT NOT NULL DEFAULT '',
    reviewed_at      DATETIME NOT NULL,
    grade            SMALLINT NOT NULL CHECK (grade BETWEEN 0 AND 5),
    duration_ms      INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    kind             TEXT NOT NULL CHECK (kind IN ('new', 'review', 'drill')),
    before_n         INTEGER NOT NULL,
    before_ef        INTEGER NOT NULL,
    before_interval  INTEGER NOT NULL,
    after_n          INTEGER NOT NULL,
    after_ef         INTEGER NOT NULL,
    after_interval   INTEGER NOT NULL
);

CREATE INDEX reviews_user_id_seq_idx ON reviews (user_id, seq);
