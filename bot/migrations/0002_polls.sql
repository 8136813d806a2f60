-- Polls with reaction voting (issue 4).
-- Times are unix seconds (UTC). Every table carries guild_id, and every index a feature
-- queries by starts with it; the one exception is the scheduler's deadline index, which is
-- deliberately global (the process closes polls of every guild it serves).

CREATE TABLE polls (
    poll_id              INTEGER PRIMARY KEY,
    guild_id             INTEGER NOT NULL,
    channel_id           INTEGER NOT NULL,
    message_id           INTEGER,                      -- NULL until the poll message is posted
    results_message_id   INTEGER,                      -- NULL until the results are posted
    creator_id           INTEGER NOT NULL,
    question             TEXT    NOT NULL,
    options              TEXT    NOT NULL CHECK (json_valid(options)),   -- JSON array of labels
    choices              INTEGER NOT NULL CHECK (choices >= 1),
    hide_results         INTEGER NOT NULL CHECK (hide_results IN (0, 1)),
    role_id              INTEGER,
    min_account_age_days INTEGER NOT NULL DEFAULT 0 CHECK (min_account_age_days >= 0),
    min_member_age_days  INTEGER NOT NULL DEFAULT 0 CHECK (min_member_age_days >= 0),
    created_at           INTEGER NOT NULL,
    closes_at            INTEGER NOT NULL,
    closed_at            INTEGER,
    status               TEXT    NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'closed', 'closed_missing')),
    UNIQUE (guild_id, poll_id)
) STRICT;

-- /poll list and autocomplete.
CREATE INDEX polls_by_guild_status ON polls (guild_id, status, closes_at);
CREATE INDEX polls_by_guild_created ON polls (guild_id, created_at);
-- The close scheduler: the earliest deadline of any open poll.
CREATE INDEX polls_open_by_deadline ON polls (closes_at) WHERE status = 'open';

-- One row per counted (member, option). poll_id decides guild_id (see the foreign key), so
-- this primary key is UNIQUE(poll_id, user_id, option) with guild_id in front: a repeated
-- or out-of-order gateway event changes nothing (INSERT OR IGNORE / DELETE). WITHOUT ROWID:
-- the key is the table, one b-tree less to write per vote.
CREATE TABLE poll_votes (
    guild_id         INTEGER NOT NULL,
    poll_id          INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    option           INTEGER NOT NULL CHECK (option BETWEEN 0 AND 19),
    voted_at         INTEGER NOT NULL,
    member_joined_at INTEGER,                          -- from the reaction event, for the audit
    PRIMARY KEY (guild_id, poll_id, user_id, option),
    FOREIGN KEY (guild_id, poll_id) REFERENCES polls (guild_id, poll_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Tally: GROUP BY option over a covering index.
CREATE INDEX poll_votes_by_option ON poll_votes (guild_id, poll_id, option);

-- What happened to each reaction: for /poll myvotes (why was mine not counted?) and
-- /poll audit (who switched often). source: member (a live reaction), offline (found by
-- reconciliation), cleared (all reactions removed by a moderator), lightstick (the bot
-- removed a counted reaction). The CHECKs are OR chains, not IN lists: with IN lists of
-- 3+ values each executemany row cost about three times as much (measured).
CREATE TABLE poll_vote_events (
    event_id    INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    poll_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind = 'added' OR kind = 'withdrawn'
                                        OR kind = 'rejected' OR kind = 'moved'),
    option      INTEGER,                               -- NULL: a reaction that is no option
    from_option INTEGER,                               -- 'moved': the option the vote left
    reason      TEXT,                                  -- 'rejected': why, in words for the member
    source      TEXT    NOT NULL CHECK (source = 'member' OR source = 'offline'
                                          OR source = 'cleared' OR source = 'lightstick'),
    at          INTEGER NOT NULL,
    FOREIGN KEY (guild_id, poll_id) REFERENCES polls (guild_id, poll_id) ON DELETE CASCADE
) STRICT;

CREATE INDEX poll_vote_events_by_user ON poll_vote_events (guild_id, poll_id, user_id, event_id);
