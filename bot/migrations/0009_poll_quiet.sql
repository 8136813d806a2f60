-- Quiet polls: a bracket's match poll closes with its final counts in its own message and
-- no results message of its own (the round summary reports it). 0 or 1, set when the poll is
-- created and never changed, so the close is one write and a restart knows what to redo:
-- a closed quiet poll whose results_message_id is still NULL has its final edit to make.
ALTER TABLE polls ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0 CHECK (quiet IN (0, 1));
