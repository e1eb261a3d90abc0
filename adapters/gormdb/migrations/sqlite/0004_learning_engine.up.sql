-- The learner's day: a time zone and the hour the day starts at.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE users ADD COLUMN day_start_hour INTEGER NOT NULL DEFAULT 4 CHECK (day_start_hour BETWEEN 0 AND 23);

-- A deck's card count, kept by the statements that add and remove cards, so reading a
-- deck never counts its cards.
ALTER TABLE decks ADD COLUMN card_count INTEGER NOT NULL DEFAULT 0 CHECK (card_count >= 0);
UPDATE decks SET card_count = (SELECT count(*) FROM cards WHERE cards.deck_id = decks.id);

-- A deck's study options. fsrs_weights is a JSON array of 21 numbers; empty means the
-- FSRS-6 defaults.
ALTER TABLE decks ADD COLUMN new_cards_per_day INTEGER NOT NULL DEFAULT 20 CHECK (new_cards_per_day >= 0);
ALTER TABLE decks ADD COLUMN reviews_per_day INTEGER NOT NULL DEFAULT 200 CHECK (reviews_per_day >= 0);
ALTER TABLE decks ADD COLUMN leech_threshold INTEGER NOT NULL DEFAULT 8 CHECK (leech_threshold >= 1);
ALTER TABLE decks ADD COLUMN leech_action TEXT NOT NULL DEFAULT 'suspend' CHECK (leech_action IN ('suspend', 'tag'));
ALTER TABLE decks ADD COLUMN fuzz BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE decks ADD COLUMN scheduler TEXT NOT NULL DEFAULT 'sm2' CHECK (scheduler IN ('sm2', 'fsrs'));
ALTER TABLE decks ADD COLUMN desired_retention DOUBLE PRECISION NOT NULL DEFAULT 0.9;
ALTER TABLE decks ADD COLUMN fsrs_weights TEXT NOT NULL DEFAULT '';

-- progress and reviews are rebuilt: SQLite cannot relax a NOT NULL or change a CHECK in
-- place. Nothing references either table.
--
-- interval_days stays SM-2's own interval; scheduled_days is the interval the last graded
-- review scheduled (the active scheduler's, fuzzed). stability and difficulty are FSRS's
-- memory; reviews counts graded reviews. due_at is NULL for a card never studied.
CREATE TABLE progress_v4 (
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id          TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    deck_id          TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    repetitions      INTEGER NOT NULL CHECK (repetitions >= 0),
    ef               INTEGER NOT NULL CHECK (ef >= 130),
    interval_days    INTEGER NOT NULL CHECK (interval_days >= 0),
    due_at           DATETIME,
    last_reviewed_at DATETIME,
    lapses           INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    version          BIGINT NOT NULL,
    scheduled_days   INTEGER NOT NULL DEFAULT 0 CHECK (scheduled_days >= 0),
    stability        DOUBLE PRECISION NOT NULL DEFAULT 0,
    difficulty       DOUBLE PRECISION NOT NULL DEFAULT 0,
    reviews          INTEGER NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    suspended        BOOLEAN NOT NULL DEFAULT FALSE,
    leech            BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, card_id)
);
INSERT INTO progress_v4 (user_id, card_id, deck_id, repetitions, ef, interval_days, due_at,
                         last_reviewed_at, lapses, version, scheduled_days, reviews)
SELECT user_id, card_id, deck_id, repetitions, ef, interval_days, due_at, last_reviewed_at,
       lapses, version, interval_days,
       (SELECT count(*) FROM reviews r
        WHERE r.user_id = progress.user_id AND r.card_id = progress.card_id AND r.kind IN ('new', 'review'))
FROM progress;
DROP TABLE progress;
ALTER TABLE progress_v4 RENAME TO progress;
CREATE INDEX progress_user_id_deck_id_idx ON progress (user_id, deck_id);
CREATE INDEX progress_user_id_due_at_idx ON progress (user_id, due_at);
-- The due query: a deck's studied cards due before a learner day's end.
CREATE INDEX progress_user_id_deck_id_due_at_idx ON progress (user_id, deck_id, due_at);

-- Review kinds grow repeat (an answer to a card not due) and undo; every row records the
-- learner's UTC offset and the whole schedule before and after it (JSON), and an undo row
-- the answer it takes back. Rows written before have no schedules (NULL).
CREATE TABLE reviews_v4 (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id          TEXT NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    deck_id          TEXT NOT NULL REFERENCES decks (id) ON DELETE CASCADE,
    study_session_id TEXT NOT NULL DEFAULT '',
    reviewed_at      DATETIME NOT NULL,
    grade            SMALLINT NOT NULL CHECK (grade BETWEEN 0 AND 5),
    duration_ms      INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    kind             TEXT NOT NULL CHECK (kind IN ('new', 'review', 'drill', 'repeat', 'undo')),
    before_n         INTEGER NOT NULL,
    before_ef        INTEGER NOT NULL,
    before_interval  INTEGER NOT NULL,
    after_n          INTEGER NOT NULL,
    after_ef         INTEGER NOT NULL,
    after_interval   INTEGER NOT NULL,
    utc_offset       INTEGER NOT NULL DEFAULT 0,
    before_state     TEXT,
    after_state      TEXT,
    undone_id        TEXT NOT NULL DEFAULT ''
);
INSERT INTO reviews_v4 (seq, id, user_id, card_id, deck_id, study_session_id, reviewed_at, grade,
                        duration_ms, kind, before_n, before_ef, before_interval, after_n, after_ef,
                        after_interval)
SELECT seq, id, user_id, card_id, deck_id, study_session_id, reviewed_at, grade, duration_ms, kind,
       before_n, before_ef, before_interval, after_n, after_ef, after_interval
FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_v4 RENAME TO reviews;
CREATE INDEX reviews_user_id_seq_idx ON reviews (user_id, seq);
-- The day's limits count a deck's graded reviews since the learner day started.
CREATE INDEX reviews_user_id_deck_id_reviewed_at_idx ON reviews (user_id, deck_id, reviewed_at);

-- Finding an answer by its study session when the session itself is gone (a retried
-- answer after the state Redis lost it).
CREATE INDEX reviews_user_id_study_session_id_idx ON reviews (user_id, study_session_id);

-- The deck owner's flags on a card, written with the progress row that decides them, so
-- listing a deck's cards never reads progress.
ALTER TABLE cards ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cards ADD COLUMN leech BOOLEAN NOT NULL DEFAULT FALSE;
