-- The PostgreSQL variant of 0007_poll_schedule.sql: the same columns, BIGINT for unix seconds.

-- When the poll is to be posted, NULL for a poll posted when it was created.
ALTER TABLE polls ADD COLUMN starts_at BIGINT;
-- Set in one transaction by the one process that posts it (before sending), so a race or a
-- restart never posts it twice; a claim with no message_id after a crash is checked
-- against the channel's recent messages before posting again.
ALTER TABLE polls ADD COLUMN post_claimed_at BIGINT;
-- `/poll cancel`: a scheduled poll cancelled before it was posted (its status is 'closed').
ALTER TABLE polls ADD COLUMN cancelled_at BIGINT;

-- /poll list's scheduled polls and the start dispatcher.
CREATE INDEX polls_scheduled_by_guild ON polls (guild_id, starts_at) WHERE message_id IS NULL AND starts_at IS NOT NULL;
