-- MV World Cup brackets on the poll engine.
-- Times are unix seconds (UTC). Every table carries guild_id and every index a feature
-- queries by starts with it; the one exception is the round-end index, deliberately global
-- like polls_open_by_deadline (the process advances brackets of every guild it serves).
-- `state` is Bracket.to_dict() as JSON. `round` is the round being voted on (for a finished
-- bracket, one past the final); it only ever moves by a guarded UPDATE … WHERE round = ?,
-- so a round advances exactly once. `posted_round`: the last round whose match polls are all
-- posted; `announced_round`: the last round whose summary and picture were posted.

CREATE TABLE brackets (
    bracket_id        INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    creator_id        INTEGER NOT NULL,
    title             TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (json_valid(state)),
    round             INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    posted_round      INTEGER NOT NULL DEFAULT 0,
    announced_round   INTEGER NOT NULL DEFAULT 0,
    round_seconds     INTEGER NOT NULL CHECK (round_seconds > 0),
    round_ends_at     INTEGER,
    status            TEXT    NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'finished', 'cancelled', 'stopped')),
    stop_reason       TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (guild_id, bracket_id)
) STRICT;

CREATE INDEX brackets_by_guild_status ON brackets (guild_id, status, bracket_id);
-- The bracket dispatcher: the earliest round end of any open bracket.
CREATE INDEX brackets_open_by_round_end ON brackets (round_ends_at) WHERE status = 'open';

-- One match poll per (bracket, round, match): the primary key makes a repeated post harmless.
CREATE TABLE bracket_matches (
    guild_id     INTEGER NOT NULL,
    bracket_id   INTEGER NOT NULL,
    round        INTEGER NOT NULL,
    match_index  INTEGER NOT NULL CHECK (match_index >= 0),
    poll_id      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, bracket_id, round, match_index),
    FOREIGN KEY (guild_id, bracket_id) REFERENCES brackets (guild_id, bracket_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX bracket_matches_by_poll ON bracket_matches (guild_id, poll_id);
