ALTER TABLE cards DROP COLUMN leech;
ALTER TABLE cards DROP COLUMN suspended;
DROP INDEX IF EXISTS reviews_user_id_study_session_id_idx;
DROP INDEX IF EXISTS reviews_user_id_deck_id_reviewed_at_idx;
-- The older log knows neither repeats nor undos: repeats changed nothing, and an undone
-- answer goes with its undo, so the rows left still chain state to state.
DELETE FROM reviews WHERE id IN (SELECT undone_id FROM reviews WHERE kind = 'undo');
DELETE FROM reviews WHERE kind IN ('repeat', 'undo');
ALTER TABLE reviews
    DROP COLUMN undone_id,
    DROP COLUMN after_state,
    DROP COLUMN before_state,
    DROP COLUMN utc_offset,
    DROP CONSTRAINT reviews_kind_check,
    ADD CONSTRAINT reviews_kind_check CHECK (kind IN ('new', 'review', 'drill'));

DROP INDEX IF EXISTS progress_user_id_deck_id_due_at_idx;
DELETE FROM progress WHERE due_at IS NULL;
ALTER TABLE progress ALTER COLUMN due_at SET NOT NULL;
ALTER TABLE progress
    DROP COLUMN leech,
    DROP COLUMN suspended,
    DROP COLUMN reviews,
    DROP COLUMN difficulty,
    DROP COLUMN stability,
    DROP COLUMN scheduled_days;

ALTER TABLE decks
    DROP COLUMN card_count,
    DROP COLUMN fsrs_weights,
    DROP COLUMN desired_retention,
    DROP COLUMN scheduler,
    DROP COLUMN fuzz,
    DROP COLUMN leech_action,
    DROP COLUMN leech_threshold,
    DROP COLUMN reviews_per_day,
    DROP COLUMN new_cards_per_day;

ALTER TABLE users
    DROP COLUMN day_start_hour,
    DROP COLUMN time_zone;
