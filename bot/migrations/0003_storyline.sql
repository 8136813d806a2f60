-- Storyline of the day: one schedule per guild and one row per guild per local day.

-- A guild's schedule. next_run_at (unix seconds, UTC) is the instant the run for
-- next_local_date is due; it is advanced in the same transaction that claims a day.
CREATE TABLE storyline_guilds (
    guild_id         INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL,
    local_time       TEXT    NOT NULL,                 -- "HH:MM", the guild's local time
    timezone         TEXT    NOT NULL,                 -- IANA name, e.g. "Asia/Seoul"
    ping_role_id     INTEGER,
    thread           INTEGER NOT NULL DEFAULT 1 CHECK (thread IN (0, 1)),
    include_mature   INTEGER NOT NULL DEFAULT 0 CHECK (include_mature IN (0, 1)),
    catch_up_hours   INTEGER NOT NULL DEFAULT 6 CHECK (catch_up_hours BETWEEN 0 AND 23),
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_reason    TEXT,
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    next_run_at      INTEGER NOT NULL,
    next_local_date  TEXT    NOT NULL,                 -- ISO date the next run posts for
    cycle            INTEGER NOT NULL DEFAULT 0,       -- rotation cycle in progress
    last_result      TEXT,                             -- posted / failed / missed / skipped
    last_error       TEXT,
    last_result_at   INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- The dispatcher's only cross-guild query ("what is due?"), so the one index that does not
-- start with guild_id. Partial: paused and disabled guilds are never due.
CREATE INDEX storyline_guilds_due ON storyline_guilds (next_run_at)
    WHERE paused = 0 AND disabled = 0;

-- One row per guild per local date: the primary key is the claim that makes a day's post
-- happen at most once, whichever process or restart gets there first.
CREATE TABLE storyline_posts (
    guild_id            INTEGER NOT NULL REFERENCES storyline_guilds (guild_id) ON DELETE CASCADE,
    local_date          TEXT    NOT NULL,              -- ISO date in the guild's timezone
    state               TEXT    NOT NULL
        CHECK (state IN ('claimed', 'posted', 'failed', 'missed', 'skipped')),
    scheduled_at        INTEGER NOT NULL,              -- unix seconds, UTC
    channel_id          INTEGER NOT NULL,
    mv_id               TEXT,                          -- chosen at claim time
    cycle               INTEGER,
    remaining_in_cycle  INTEGER,
    late                INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    manual              INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    recovered           INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),
    attempts            INTEGER NOT NULL DEFAULT 0,
    claim_owner         TEXT,
    claim_expires_at    INTEGER,                       -- after this a crashed claim is checked
    message_id          INTEGER,
    thread_id           INTEGER,
    error               TEXT,
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (guild_id, local_date)
) STRICT, WITHOUT ROWID;

-- Rotation: which entries a guild has used in a cycle.
CREATE INDEX storyline_posts_cycle ON storyline_posts (guild_id, cycle, mv_id);

-- Claims whose sender may have crashed; tiny, since a claim normally lasts seconds.
CREATE INDEX storyline_posts_open_claims ON storyline_posts (claim_expires_at)
    WHERE state = 'claimed';
