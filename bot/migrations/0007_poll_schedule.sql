-- Scheduled polls (`/poll create start:`) and `/poll cancel`. Columns are added, never
-- changed (SQLite can't ALTER a CHECK). A scheduled poll is a row with starts_at set and no
-- message yet; its deadline (closes_at) is starts_at + its duration. Times are unix seconds.

-- When the poll is to be posted, NULL for a poll posted when it was created.
ALTER TABLE polls ADD COLUMN starts_at INTEGER;
-- Set in one transaction by the one process that posts it (before sending), so a race or a
-- restart never posts it twice; a claim with no message_id after a crash is checked
-- against the channel's recent messages before posting again.
ALTER TABLE polls ADD COLUMN post_claimed_at INTEGER;
-- `/poll cancel`: a scheduled poll cancelled before it was posted (its status is 'closed').
ALTER TABLE polls ADD COLUMN cancelled_at INTEGER;

-- /poll list's scheduled polls and the start dispatcher.
CREATE INDEX polls_scheduled_by_guild ON polls (guild_id, starts_at) WHERE message_id IS NULL AND starts_at IS NOT NULL;
