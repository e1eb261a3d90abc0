DROP INDEX IF EXISTS reviews_user_id_reviewed_at_idx;
DROP TABLE changes;
ALTER TABLE users DROP COLUMN change_seq;
ALTER TABLE progress DROP COLUMN updated_at;
ALTER TABLE cards DROP COLUMN updated_at;
ALTER TABLE decks DROP COLUMN updated_at;
