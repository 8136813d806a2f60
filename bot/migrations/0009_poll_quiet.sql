-- Quiet polls: a bracket's match poll closes with its final counts in its own message and
-- no results message of its own (the round summary reports it). 0 or 1, set when the poll is
-- created and never changed, so the close is one write and a restart knows what to redo.
ALTER TABLE polls ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0 CHECK (quiet IN (0, 1));

-- Polls made quiet before this column existed were marked in results_message_id: 0 until
-- their message showed the final counts, then that message's own id.
UPDATE polls SET quiet = 1 WHERE results_message_id = 0 OR results_message_id = message_id;
UPDATE polls SET results_message_id = NULL WHERE results_message_id = 0;
