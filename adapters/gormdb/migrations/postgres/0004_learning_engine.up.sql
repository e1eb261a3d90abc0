-- The learner's day: a time zone and the hour the day starts at.
ALTER TABLE users
    ADD COLUMN time_zone      TEXT NOT NULL DEFAULT 'UTC',
    ADD COLUMN day_start_hour INTEGER NOT NULL DEFAULT 4 CHECK (day_start_hour BETWEEN 0 AND 23);

-- A deck's card count, kept by the statements that add and remove cards, so reading a
-- deck never counts its cards.
ALTER TABLE decks ADD COLUMN card_count INTEGER NOT NULL DEFAULT 0 CHECK (card_count >= 0);
UPDATE decks SET card_count = (SELECT count(*) FROM cards WHERE cards.deck_id = decks.id);

-- A deck's study options. fsrs_weights is a JSON array of 21 numbers; empty means the
-- FSRS-6 defaults.
ALTER TABLE decks
    ADD COLUMN new_cards_per_day INTEGER NOT NULL DEFAULT 20 CHECK (new_cards_per_day >= 0),
    ADD COLUMN reviews_per_day   INTEGER NOT NULL DEFAULT 200 CHECK (reviews_per_day >= 0),
    ADD COLUMN leech_threshold   INTEGER NOT NULL DEFAULT 8 CHECK (leech_threshold >= 1),
    ADD COLUMN leech_action      TEXT NOT NULL DEFAULT 'suspend' CHECK (leech_action IN ('suspend', 'tag')),
    ADD COLUMN fuzz              BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN scheduler         TEXT NOT NULL DEFAULT 'sm2' CHECK (scheduler IN ('sm2', 'fsrs')),
    ADD COLUMN desired_retention DOUBLE PRECISION NOT NULL DEFAULT 0.9,
    ADD COLUMN fsrs_weights      TEXT NOT NULL DEFAULT '';

-- interval_days stays SM-2's own interval; scheduled_days is the interval the last graded
-- review scheduled (the active scheduler's, fuzzed). stability and difficulty are FSRS's
-- memory; reviews counts graded reviews.
ALTER TABLE progress
    ADD COLUMN scheduled_days INTEGER NOT NULL DEFAULT 0 CHECK (scheduled_days >= 0),
    ADD COLUMN stability      DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN difficulty     DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN reviews        INTEGER NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    ADD COLUMN suspended      BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN leech          BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE progress ALTER COLUMN due_at DROP NOT NULL;

UPDATE progress SET scheduled_days = interval_days,
    reviews = (SELECT count(*) FROM reviews r
               WHERE r.user_id = progress.user_id AND r.card_id = progress.card_id AND r.kind IN ('new', 'review'));

-- The due query: a deck's studied cards due before a learner day's end.
CREATE INDEX progress_user_id_deck_id_due_at_idx ON progress (user_id, deck_id, due_at);

-- Review kinds grow repeat (an answer to a card not due) and undo; every row records the
-- learner's UTC offset and the whole schedule before and after it (JSON), and an undo row
-- the answer it takes back. Rows written before have no schedules (NULL).
ALTER TABLE reviews DROP CONSTRAINT reviews_kind_check;
ALTER TABLE reviews
    ADD CONSTRAINT reviews_kind_check CHECK (kind IN ('new', 'review', 'drill', 'repeat', 'undo')),
    ADD COLUMN utc_offset   INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN before_state TEXT,
    ADD COLUMN after_state  TEXT,
    ADD COLUMN undone_id    TEXT NOT NULL DEFAULT '';

-- The day's limits count a deck's graded reviews since the learner day started.
CREATE INDEX reviews_user_id_deck_id_reviewed_at_idx ON reviews (user_id, deck_id, reviewed_at);

-- Finding an answer by its study session when the session itself is gone (a retried
-- answer after the state Redis lost it).
CREATE INDEX reviews_user_id_study_session_id_idx ON reviews (user_id, study_session_id);

-- The deck owner's flags on a card, written with the progress row that decides them, so
-- listing a deck's cards never reads progress.
ALTER TABLE cards ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cards ADD COLUMN leech BOOLEAN NOT NULL DEFAULT FALSE;
