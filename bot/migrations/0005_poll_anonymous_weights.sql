-- Anonymous polls, role-weighted polls (and /poll reopen, which needs no new column).
-- Columns are added, never changed: SQLite can't ALTER a constraint, and the status CHECK
-- already has every state a reopened poll goes through ('closed' → 'open').

-- 1: Lightstick removes each member's reaction once it is counted; names stay hidden.
ALTER TABLE polls ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
-- JSON array of [role_id, weight] pairs (weights 1–100); members without one weigh 1.
ALTER TABLE polls ADD COLUMN weights TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(weights));
-- The voter's weight when the vote was counted, so tallies stay exact after role changes,
-- restarts and reconciliation (1 on unweighted polls).
ALTER TABLE poll_votes ADD COLUMN weight INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100);
