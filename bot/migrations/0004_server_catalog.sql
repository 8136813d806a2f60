-- Each server's own catalog entries: curation settings, the entries, members' suggestions
-- and the history of every change. Times are unix seconds (UTC). Every table carries
-- guild_id and every index a feature queries by starts with it. An entry is stored as JSON
-- in data/mvs.toml's field names (validated by the same validator before it is written),
-- beside the columns duplicates are found by: matching keys of title and artist, and the
-- YouTube video id.

-- One row per guild that has set curation up or has entries. entries_version moves on with
-- every change to the guild's entries, so a process that cached them can tell they changed.
CREATE TABLE server_catalog_settings (
    guild_id           INTEGER PRIMARY KEY,
    review_channel_id  INTEGER,                      -- where suggestions go for review
    curator_role_id    INTEGER,                      -- NULL: Manage Server only
    suggest_role_id    INTEGER,                      -- NULL: every member may suggest
    cooldown_seconds   INTEGER NOT NULL DEFAULT 600 CHECK (cooldown_seconds >= 0),
    entries_version    INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
) STRICT;

-- A server's own MV. Its MV id is 's-' || entry_id (never a built-in id).
CREATE TABLE server_entries (
    entry_id       INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    entry          TEXT    NOT NULL CHECK (json_valid(entry)),  -- mvs.toml fields, without id
    title_key      TEXT    NOT NULL,
    artist_key     TEXT    NOT NULL,
    youtube_id     TEXT,
    suggestion_id  INTEGER,                          -- the suggestion it was approved from
    suggested_by   INTEGER,
    approved_by    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (guild_id, entry_id)
) STRICT;

-- Loading a guild's entries, and the duplicate checks (the unique keys are the backstop).
CREATE UNIQUE INDEX server_entries_by_key ON server_entries (guild_id, title_key, artist_key);
CREATE UNIQUE INDEX server_entries_by_youtube ON server_entries (guild_id, youtube_id)
    WHERE youtube_id IS NOT NULL;

-- Members' suggestions, kept after the decision: a rejected one cannot be sent again.
CREATE TABLE server_suggestions (
    suggestion_id      INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    member_id          INTEGER NOT NULL,
    entry              TEXT    NOT NULL CHECK (json_valid(entry)),
    title_key          TEXT    NOT NULL,
    artist_key         TEXT    NOT NULL,
    youtube_id         TEXT,
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'approved', 'rejected')),
    reason             TEXT,                         -- rejected: why, shown to the member
    review_message_id  INTEGER,                      -- the message curators act on
    entry_id           INTEGER,                      -- approved: the entry it became
    decided_by         INTEGER,
    decided_at         INTEGER,
    created_at         INTEGER NOT NULL,
    UNIQUE (guild_id, suggestion_id)
) STRICT;

-- The review queue (paged), a member's pending count and cooldown, duplicate checks.
CREATE INDEX server_suggestions_by_status ON server_suggestions (guild_id, status, suggestion_id);
CREATE INDEX server_suggestions_by_member ON server_suggestions (guild_id, member_id, created_at);
CREATE INDEX server_suggestions_by_key ON server_suggestions (guild_id, title_key, artist_key);
CREATE INDEX server_suggestions_by_youtube ON server_suggestions (guild_id, youtube_id)
    WHERE youtube_id IS NOT NULL;
-- One pending suggestion per MV, whoever sends it.
CREATE UNIQUE INDEX server_suggestions_one_pending ON server_suggestions (guild_id, title_key, artist_key)
    WHERE status = 'pending';

-- Every change to an entry: who, when, what. changes is a JSON object
-- {field: [before, after]} (before is null when added, after is null when removed).
-- No foreign key: the history of a removed entry stays.
CREATE TABLE server_entry_history (
    history_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    entry_id    INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('added', 'edited', 'removed')),
    changes     TEXT    NOT NULL CHECK (json_valid(changes)),
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX server_entry_history_by_entry ON server_entry_history (guild_id, entry_id, history_id);

-- Storyline of the day: whether the server's own entries with a storyline join the rotation.
ALTER TABLE storyline_guilds ADD COLUMN server_entries INTEGER NOT NULL DEFAULT 1
    CHECK (server_entries IN (0, 1));
