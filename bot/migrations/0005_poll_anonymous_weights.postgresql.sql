-- The PostgreSQL variant of 0005_poll_anonymous_weights.sql: the same columns; the JSON
-- check is written with jsonb (SQLite's json_valid does not exist here).

ALTER TABLE polls ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
ALTER TABLE polls ADD COLUMN weights TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(weights::jsonb) = 'array');
ALTER TABLE poll_votes ADD COLUMN weight INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100);
