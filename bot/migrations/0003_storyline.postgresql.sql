-- Storyline of the day: the PostgreSQL variant of 0003_storyline.sql (BIGINT for
-- snowflakes and unix seconds; no STRICT / WITHOUT ROWID).

CREATE TABLE storyline_guilds (
    guild_id         BIGINT  PRIMARY KEY,
    channel_id       BIGINT  NOT NULL,
    local_time       TEXT    NOT NULL,
    timezone         TEXT    NOT NULL,
    ping_role_id     BIGINT,
    thread           INTEGER NOT NULL DEFAULT 1 CHECK (thread IN (0, 1)),
    include_mature   INTEGER NOT NULL DEFAULT 0 CHECK (include_mature IN (0, 1)),
    catch_up_hours   INTEGER NOT NULL DEFAULT 6 CHECK (catch_up_hours BETWEEN 0 AND 23),
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_reason    TEXT,
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    next_run_at      BIGINT  NOT NULL,
    next_local_date  TEXT    NOT NULL,
    cycle            INTEGER NOT NULL DEFAULT 0,
    last_result      TEXT,
    last_error       TEXT,
    last_result_at   BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);

CREATE INDEX storyline_guilds_due ON storyline_guilds (next_run_at)
    WHERE paused = 0 AND disabled = 0;

CREATE TABLE storyline_posts (
    guild_id            BIGINT  NOT NULL REFERENCES storyline_guilds (guild_id) ON DELETE CASCADE,
    local_date          TEXT    NOT NULL,
    state               TEXT    NOT NULL
        CHECK (state IN ('claimed', 'posted', 'failed', 'missed', 'skipped')),
    scheduled_at        BIGINT  NOT NULL,
    channel_id          BIGINT  NOT NULL,
    mv_id               TEXT,
    cycle               INTEGER,
    remaining_in_cycle  INTEGER,
    late                INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    manual              INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    recovered           INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),
    attempts            INTEGER NOT NULL DEFAULT 0,
    claim_owner         TEXT,
    claim_expires_at    BIGINT,
    message_id          BIGINT,
    thread_id           BIGINT,
    error               TEXT,
    updated_at          BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, local_date)
);

CREATE INDEX storyline_posts_cycle ON storyline_posts (guild_id, cycle, mv_id);
CREATE INDEX storyline_posts_open_claims ON storyline_posts (claim_expires_at)
    WHERE state = 'claimed';
