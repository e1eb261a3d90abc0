ALTER TABLE cards DROP COLUMN leech;
ALTER TABLE cards DROP COLUMN suspended;
DROP INDEX IF EXISTS reviews_user_id_study_session_id_idx;
-- SQLite keeps the wider tables on the way down; the columns are dropped and the rows
-- the older schema cannot express removed.
DROP INDEX IF EXISTS reviews_user_id_deck_id_reviewed_at_idx;
-- The older log knows neither repeats nor undos: repeats changed nothing, and an undone
-- answer goes with its undo, so the rows left still chain state to state.
DELETE FROM reviews WHERE id IN (SELECT undone_id FROM reviews WHERE kind = 'undo');
DELETE FROM reviews WHERE kind IN ('repeat', 'undo');
ALTER TABLE reviews DROP COLUMN undone_id;
ALTER TABLE reviews DROP COLUMN after_state;
ALTER TABLE reviews DROP COLUMN before_state;
ALTER TABLE reviews DROP COLUMN utc_offset;

DROP INDEX IF EXISTS progress_user_id_deck_id_due_at_idx;
DELETE FROM progress WHERE due_at IS NULL;
ALTER TABLE progress DROP COLUMN leech;
ALTER TABLE progress DROP COLUMN suspended;
ALTER TABLE progress DROP COLUMN reviews;
ALTER TABLE progress DROP COLUMN difficulty;
ALTER TABLE progress DROP COLUMN stability;
ALTER TABLE progress DROP COLUMN scheduled_days;

ALTER TABLE decks DROP COLUMN card_count;
ALTER TABLE decks DROP COLUMN fsrs_weights;
ALTER TABLE decks DROP COLUMN desired_retention;
ALTER TABLE decks DROP COLUMN scheduler;
ALTER TABLE decks DROP COLUMN fuzz;
ALTER TABLE decks DROP COLUMN leech_action;
ALTER TABLE decks DROP COLUMN leech_threshold;
ALTER TABLE decks DROP COLUMN reviews_per_day;
ALTER TABLE decks DROP COLUMN new_cards_per_day;

ALTER TABLE users DROP COLUMN day_start_hour;
ALTER TABLE users DROP COLUMN time_zone;
