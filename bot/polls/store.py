"""PollStore: every SQL statement about polls, and nothing else.

Writes go through ``Database.transaction()``. Times are unix seconds in the database and
aware UTC datetimes outside it. Votes are never deleted when a poll closes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from bot.clock import from_unix, to_unix
from bot.db import Database, Row
from bot.errors import UserError
from bot.i18n import _
from bot.polls.rules import (
    DISCORD_EPOCH_MS,
    Poll,
    PollResults,
    PollSpec,
    PollStatus,
    account_created_at,
    compute_results,
    parse_poll_ref,
)
from bot.sharding import EVERYTHING, GuildOwnership

log = logging.getLogger(__name__)

_POLL_COLUMNS = (
    "poll_id, guild_id, channel_id, message_id, results_message_id, creator_id, question, "
    "options, choices, hide_results, role_id, min_account_age_days, min_member_age_days, "
    "created_at, closes_at, closed_at, status, anonymous, weights, starts_at, cancelled_at, quiet"
)


#: Closed polls whose results (a message, or a quiet poll's final counts in its own message)
#: were never shown.
_UNANNOUNCED = "status = 'closed' AND results_message_id IS NULL"

#: A scheduled poll waiting for its start (claimed or not).
_SCHEDULED = "status = 'open' AND message_id IS NULL AND starts_at IS NOT NULL AND cancelled_at IS NULL"


def optional_time(seconds: int | None) -> datetime | None:
    return None if seconds is None else from_unix(seconds)


def _poll_from_row(row: Row) -> Poll:
    return Poll(
        poll_id=row["poll_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        creator_id=row["creator_id"],
        question=row["question"],
        options=tuple(json.loads(row["options"])),
        choices=row["choices"],
        hide_results=bool(row["hide_results"]),
        role_id=row["role_id"],
        min_account_age_days=row["min_account_age_days"],
        min_member_age_days=row["min_member_age_days"],
        created_at=from_unix(row["created_at"]),
        closes_at=from_unix(row["closes_at"]),
        status=PollStatus(row["status"]),
        closed_at=optional_time(row["closed_at"]),
        results_message_id=row["results_message_id"],
        anonymous=bool(row["anonymous"]),
        weights=tuple((int(role_id), int(weight)) for role_id, weight in json.loads(row["weights"])),
        starts_at=optional_time(row["starts_at"]),
        cancelled_at=optional_time(row["cancelled_at"]),
        quiet=bool(row["quiet"]),
    )


# -- rows the vote writer hands over (tuples, so executemany takes them as they are) --------


class VoteRow(NamedTuple):
    guild_id: int
    poll_id: int
    user_id: int
    option: int
    voted_at: int
    member_joined_at: int | None
    #: The voter's weight when the vote was counted (1 on unweighted polls).
    weight: int = 1


class VoteKey(NamedTuple):
    guild_id: int
    poll_id: int
    user_id: int
    option: int


class EventRow(NamedTuple):
    guild_id: int
    poll_id: int
    user_id: int
    kind: str  # added | withdrawn | rejected | moved
    option: int | None
    from_option: int | None
    reason: str | None
    source: str  # member | offline | cleared | lightstick
    at: int


# -- what the reads return ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollSummary:
    """One line of autocomplete."""

    poll_id: int
    question: str
    status: PollStatus
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class VoterRow:
    user_id: int
    option: int
    voted_at: datetime
    weight: int = 1


@dataclass(frozen=True, slots=True)
class VoteEvent:
    kind: str
    option: int | None
    from_option: int | None
    reason: str | None
    source: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MyVotes:
    counted: tuple[int, ...]
    #: Newest first.
    history: tuple[VoteEvent, ...]
    #: The weight of each counted vote, in the order of `counted`.
    weights: tuple[int, ...] = ()

    @property
    def last_rejection(self) -> VoteEvent | None:
        return next((event for event in self.history if event.kind == "rejected"), None)


@dataclass(frozen=True, slots=True)
class YoungAccount:
    user_id: int
    account_created_at: datetime
    first_vote_at: datetime


@dataclass(frozen=True, slots=True)
class LateJoiner:
    user_id: int
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Switcher:
    user_id: int
    switches: int


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Voters a moderator may want to look at; each list is capped, its total is not."""

    young_account_days: int
    min_switches: int
    young_accounts: tuple[YoungAccount, ...]
    young_accounts_total: int
    late_joiners: tuple[LateJoiner, ...]
    late_joiners_total: int
    switchers: tuple[Switcher, ...]
    switchers_total: int
    #: An anonymous poll's audit: totals only, the lists are empty.
    anonymous: bool = False


class GuildStore:
    """A store whose background reads see only the guilds this process owns (`owner`); the
    poll and bracket stores share it."""

    def __init__(self, db: Database, owner: GuildOwnership = EVERYTHING) -> None:
        self.db = db
        self.owner = owner

    def _owned(self) -> tuple[str, tuple[object, ...]]:
        """A WHERE condition on guild_id (and its parameters) for the owned guilds."""
        condition, params = self.owner.sql_filter("guild_id")
        return condition, tuple(params)


class PollStore(GuildStore):
    """`owner` limits what the closer and reconciliation see to this process's guilds."""

    # -- lifecycle ------------------------------------------------------------------------

    async def create(
        self,
        spec: PollSpec,
        *,
        guild_id: int,
        channel_id: int,
        creator_id: int,
        now: datetime,
        starts_at: datetime | None = None,
    ) -> Poll:
        """Store a validated poll (no message yet); returns it with its id. With `starts_at`
        it is a scheduled poll, posted then; its deadline is `starts_at` + the duration. A
        quiet spec is quiet from this first write on, whoever closes it and whenever."""
        created = to_unix(now)
        starts = None if starts_at is None else to_unix(starts_at)
        closes = (created if starts is None else starts) + int(spec.duration.total_seconds())
        async with self.db.transaction() as conn:
            poll_id = await conn.fetchval(
                "INSERT INTO polls (guild_id, channel_id, creator_id, question, options, choices,"
                " hide_results, role_id, min_account_age_days, min_member_age_days, created_at,"
                " closes_at, anonymous, weights, starts_at, quiet)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING poll_id",
                (
                    guild_id,
                    channel_id,
                    creator_id,
                    spec.question,
                    json.dumps(list(spec.options), ensure_ascii=False),
                    spec.choices,
                    int(spec.hide_results),
                    spec.role_id,
                    spec.min_account_age_days,
                    spec.min_member_age_days,
                    created,
                    closes,
                    int(spec.anonymous),
                    json.dumps([list(pair) for pair in spec.weights]),
                    starts,
                    int(spec.quiet),
                ),
            )
        assert poll_id is not None
        return await self._require(poll_id)

    async def attach_message(self, poll_id: int, message_id: int) -> Poll:
        """Record the posted poll message; the poll now takes votes."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE polls SET message_id = ? WHERE poll_id = ?", (message_id, poll_id))
        return await self._require(poll_id)

    async def discard_unposted(self, poll_id: int) -> bool:
        """Delete a poll whose message could not be posted (it never had a vote)."""
        async with self.db.transaction() as conn:
            return await conn.execute("DELETE FROM polls WHERE poll_id = ? AND message_id IS NULL", (poll_id,)) == 1

    async def close(self, poll_id: int, now: datetime, *, missing: bool = False) -> bool:
        """Close an open poll. True only for the one caller that closed it."""
        status = PollStatus.CLOSED_MISSING if missing else PollStatus.CLOSED
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE polls SET status = ?, closed_at = ? WHERE poll_id = ? AND status = 'open'",
                (status.value, to_unix(now), poll_id),
            )
            return changed == 1

    async def extend(self, poll_id: int, closes_at: datetime) -> bool:
        """Move an open poll's deadline (validate it with ``rules.extended_deadline`` first)."""
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE polls SET closes_at = ? WHERE poll_id = ? AND status = 'open'",
                (to_unix(closes_at), poll_id),
            )
            return changed == 1

    async def reopen(self, poll_id: int, closes_at: datetime) -> bool:
        """Open a closed poll again until `closes_at`, its votes kept (validate with
        ``rules.reopened_deadline``). True only for the one caller that reopened it; its
        next close posts a new results message (a quiet poll stays quiet)."""
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE polls SET status = 'open', closes_at = ?, closed_at = NULL, results_message_id = NULL"
                " WHERE poll_id = ? AND status = 'closed' AND message_id IS NOT NULL",
                (to_unix(closes_at), poll_id),
            )
            return changed == 1

    async def set_results_message(self, poll_id: int, message_id: int) -> None:
        """The results are shown: in this message (a quiet poll's own message: its final counts)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE polls SET results_message_id = ? WHERE poll_id = ?", (message_id, poll_id))

    # -- reads ----------------------------------------------------------------------------

    async def get(self, poll_id: int) -> Poll | None:
        row = await self.db.fetchone(f"SELECT {_POLL_COLUMNS} FROM polls WHERE poll_id = ?", (poll_id,))
        return None if row is None else _poll_from_row(row)

    async def _require(self, poll_id: int) -> Poll:
        poll = await self.get(poll_id)
        if poll is None:
            raise LookupError(f"poll {poll_id} does not exist")
        return poll

    async def get_in_guild(self, guild_id: int, poll_id: int) -> Poll:
        """A poll of this server, or a UserError (another server's poll is as good as none)."""
        row = await self.db.fetchone(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE guild_id = ? AND poll_id = ?",
            (guild_id, poll_id),
        )
        if row is None:
            raise UserError(_("There is no poll #{id} in this server.", id=poll_id))
        return _poll_from_row(row)

    async def resolve(self, guild_id: int, ref: str) -> Poll:
        """The poll a member picked or typed (`12`, `#12`, an autocomplete value)."""
        return await self.get_in_guild(guild_id, parse_poll_ref(ref))

    async def list_open(self, guild_id: int) -> list[Poll]:
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE guild_id = ? AND status = 'open' AND message_id IS NOT NULL"
            " ORDER BY closes_at",
            (guild_id,),
        )
        return [_poll_from_row(row) for row in rows]

    async def search(self, guild_id: int, query: str, limit: int = 25) -> list[PollSummary]:
        """Autocomplete: this server's polls whose question contains `query` (or whose number
        is `query`), open ones first, newest first."""
        text = query.strip().lstrip("#")
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self.db.fetchall(
            "SELECT poll_id, question, status, closes_at FROM polls"
            " WHERE guild_id = ? AND (LOWER(question) LIKE LOWER(?) ESCAPE '\\' OR CAST(poll_id AS TEXT) = ?)"
            " ORDER BY status = 'open' DESC, created_at DESC, poll_id DESC LIMIT ?",
            (guild_id, pattern, text, limit),
        )
        return [
            PollSummary(
                row["poll_id"],
                row["question"],
                PollStatus(row["status"]),
                from_unix(row["closes_at"]),
            )
            for row in rows
        ]

    async def open_polls(self) -> list[Poll]:
        """Every open, posted poll of the guilds this process owns."""
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE status = 'open' AND message_id IS NOT NULL AND {owned}"
            " ORDER BY poll_id",
            params,
        )
        return [_poll_from_row(row) for row in rows]

    async def unannounced(self) -> list[Poll]:
        """Closed polls whose results were never recorded as shown (e.g. a crash right after
        closing): post their results on start (a quiet poll's: its final counts)."""
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE {_UNANNOUNCED} AND cancelled_at IS NULL AND {owned}"
            " ORDER BY closed_at",
            params,
        )
        return [_poll_from_row(row) for row in rows]

    async def counted_votes(self, poll: Poll) -> dict[int, list[int]]:
        """user_id → counted options (ascending)."""
        rows = await self.db.fetchall(
            "SELECT user_id, option FROM poll_votes WHERE guild_id = ? AND poll_id = ? ORDER BY user_id, option",
            (poll.guild_id, poll.poll_id),
        )
        counted: dict[int, list[int]] = {}
        for user_id, option in rows:
            counted.setdefault(user_id, []).append(option)
        return counted

    async def vote_weights(self, poll: Poll) -> dict[tuple[int, int], int]:
        """(user_id, option) → weight, for the counted votes that weigh more than 1."""
        rows = await self.db.fetchall(
            "SELECT user_id, option, weight FROM poll_votes WHERE guild_id = ? AND poll_id = ? AND weight <> 1",
            (poll.guild_id, poll.poll_id),
        )
        return {(row[0], row[1]): int(row[2]) for row in rows}

    # -- the close scheduler --------------------------------------------------------------

    async def next_close_at(self) -> datetime | None:
        owned, params = self._owned()
        seconds = await self.db.fetchval(
            f"SELECT MIN(closes_at) FROM polls WHERE status = 'open' AND message_id IS NOT NULL AND {owned}", params
        )
        return optional_time(seconds)

    async def due_polls(self, now: datetime) -> list[Poll]:
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE status = 'open' AND message_id IS NOT NULL"
            f" AND closes_at <= ? AND {owned} ORDER BY closes_at, poll_id",
            (to_unix(now), *params),
        )
        return [_poll_from_row(row) for row in rows]

    # -- scheduled polls (`start:`) ------------------------------------------------------

    async def list_scheduled(self, guild_id: int) -> list[Poll]:
        """This server's polls waiting for their start, soonest first."""
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE guild_id = ? AND {_SCHEDULED} ORDER BY starts_at, poll_id",
            (guild_id,),
        )
        return [_poll_from_row(row) for row in rows]

    async def next_start_at(self) -> datetime | None:
        """The earliest start of an unclaimed scheduled poll of the guilds this process owns."""
        owned, params = self._owned()
        seconds = await self.db.fetchval(
            f"SELECT MIN(starts_at) FROM polls WHERE {_SCHEDULED} AND post_claimed_at IS NULL AND {owned}", params
        )
        return optional_time(seconds)

    async def due_starts(self, now: datetime) -> list[Poll]:
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE {_SCHEDULED} AND post_claimed_at IS NULL"
            f" AND starts_at <= ? AND {owned} ORDER BY starts_at, poll_id",
            (to_unix(now), *params),
        )
        return [_poll_from_row(row) for row in rows]

    async def claim_start(self, poll: Poll, now: datetime) -> Poll | None:
        """Claim a due scheduled poll for posting, in one transaction: the claimed poll for
        the one caller that won (another process, or this one after a restart, gets None).
        Posted late (after downtime), it keeps its full duration: the deadline moves on."""
        assert poll.starts_at is not None
        closes = max(poll.closes_at, now + (poll.closes_at - poll.starts_at))
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                f"UPDATE polls SET post_claimed_at = ?, closes_at = ? WHERE poll_id = ? AND {_SCHEDULED}"
                " AND post_claimed_at IS NULL",
                (to_unix(now), to_unix(closes), poll.poll_id),
            )
        return await self._require(poll.poll_id) if changed == 1 else None

    async def claimed_unposted(self) -> list[tuple[Poll, datetime]]:
        """Scheduled polls claimed but never recorded as posted (a crash between claiming and
        recording the message), with their claim time: checked on start."""
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_POLL_COLUMNS}, post_claimed_at FROM polls WHERE {_SCHEDULED}"
            f" AND post_claimed_at IS NOT NULL AND {owned} ORDER BY starts_at, poll_id",
            params,
        )
        return [(_poll_from_row(row), from_unix(row["post_claimed_at"])) for row in rows]

    async def cancel(self, poll_id: int, now: datetime) -> bool:
        """Cancel a scheduled poll not yet claimed for posting. True only for the caller that
        cancelled it; it is kept, closed, and never posted."""
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                f"UPDATE polls SET status = 'closed', closed_at = ?, cancelled_at = ? WHERE poll_id = ?"
                f" AND {_SCHEDULED} AND post_claimed_at IS NULL",
                (to_unix(now), to_unix(now), poll_id),
            )
            return changed == 1

    # -- results, export, audit -----------------------------------------------------------

    async def tally(self, poll: Poll) -> PollResults:
        """Counts per option (GROUP BY over the option index) and turnout (distinct voters)."""
        key = (poll.guild_id, poll.poll_id)
        if poll.weighted:
            return await self._weighted_tally(poll)
        rows = await self.db.fetchall(
            "SELECT option, COUNT(*) FROM poll_votes WHERE guild_id = ? AND poll_id = ? GROUP BY option",
            key,
        )
        # GROUP BY walks the primary key in user order; COUNT(DISTINCT) would build a temp
        # b-tree instead (4x slower on a million votes).
        turnout = await self.db.fetchval(
            "SELECT COUNT(*) FROM (SELECT 1 FROM poll_votes WHERE guild_id = ? AND poll_id = ? GROUP BY user_id) AS v",
            key,
        )
        return compute_results(poll, {row[0]: row[1] for row in rows}, int(turnout or 0))

    async def _weighted_tally(self, poll: Poll) -> PollResults:
        """Weighted totals and head counts per option; voters and their total weight (a voter
        counted once, at the highest weight among their votes)."""
        key = (poll.guild_id, poll.poll_id)
        rows = await self.db.fetchall(
            "SELECT option, COUNT(*), SUM(weight) FROM poll_votes WHERE guild_id = ? AND poll_id = ? GROUP BY option",
            key,
        )
        turnout = await self.db.fetchone(
            "SELECT COUNT(*), SUM(w) FROM (SELECT MAX(weight) AS w FROM poll_votes"
            " WHERE guild_id = ? AND poll_id = ? GROUP BY user_id) AS v",
            key,
        )
        voters, weight = (int(turnout[0] or 0), int(turnout[1] or 0)) if turnout is not None else (0, 0)
        return compute_results(
            poll,
            {row[0]: int(row[2]) for row in rows},
            voters,
            voters={row[0]: int(row[1]) for row in rows},
            turnout_weight=weight,
        )

    async def voter_rows(self, poll: Poll) -> list[VoterRow]:
        rows = await self.db.fetchall(
            "SELECT user_id, option, voted_at, weight FROM poll_votes WHERE guild_id = ? AND poll_id = ?"
            " ORDER BY user_id, option",
            (poll.guild_id, poll.poll_id),
        )
        return [VoterRow(row[0], row[1], from_unix(row[2]), int(row[3])) for row in rows]

    async def my_votes(self, poll: Poll, user_id: int, history: int = 10) -> MyVotes:
        key = (poll.guild_id, poll.poll_id, user_id)
        options = await self.db.fetchall(
            "SELECT option, weight FROM poll_votes WHERE guild_id = ? AND poll_id = ? AND user_id = ? ORDER BY option",
            key,
        )
        events = await self.db.fetchall(
            "SELECT kind, option, from_option, reason, source, at FROM poll_vote_events"
            " WHERE guild_id = ? AND poll_id = ? AND user_id = ? ORDER BY event_id DESC LIMIT ?",
            (*key, history),
        )
        return MyVotes(
            counted=tuple(row[0] for row in options),
            history=tuple(VoteEvent(row[0], row[1], row[2], row[3], row[4], from_unix(row[5])) for row in events),
            weights=tuple(int(row[1]) for row in options),
        )

    async def audit(
        self, poll: Poll, *, young_account_days: int = 30, min_switches: int = 3, limit: int = 25
    ) -> AuditReport:
        """Voters from accounts younger than `young_account_days` when they voted, members
        who joined after the poll was created, and members who switched or withdrew at least
        `min_switches` times. On an anonymous poll only the totals: no names."""
        key = (poll.guild_id, poll.poll_id)
        young = await self.db.fetchall(
            "SELECT user_id, MIN(voted_at) AS first_vote, COUNT(*) OVER () AS total"
            " FROM poll_votes WHERE guild_id = ? AND poll_id = ? GROUP BY user_id"
            " HAVING MIN(voted_at) - ((user_id >> 22) + ?) / 1000 < ?"
            " ORDER BY first_vote LIMIT ?",
            (*key, DISCORD_EPOCH_MS, young_account_days * 86400, limit),
        )
        late = await self.db.fetchall(
            "SELECT user_id, MIN(member_joined_at) AS joined, COUNT(*) OVER () AS total"
            " FROM poll_votes WHERE guild_id = ? AND poll_id = ? AND member_joined_at > ?"
            " GROUP BY user_id ORDER BY joined LIMIT ?",
            (*key, to_unix(poll.created_at), limit),
        )
        switchers = await self.db.fetchall(
            "SELECT user_id, COUNT(*) AS switches, COUNT(*) OVER () AS total"
            " FROM poll_vote_events WHERE guild_id = ? AND poll_id = ? AND source = 'member'"
            " AND kind IN ('moved', 'withdrawn') GROUP BY user_id HAVING COUNT(*) >= ?"
            " ORDER BY switches DESC, user_id LIMIT ?",
            (*key, min_switches, limit),
        )
        report = AuditReport(
            young_account_days=young_account_days,
            min_switches=min_switches,
            young_accounts=tuple(YoungAccount(row[0], account_created_at(row[0]), from_unix(row[1])) for row in young),
            young_accounts_total=young[0]["total"] if young else 0,
            late_joiners=tuple(LateJoiner(row[0], from_unix(row[1])) for row in late),
            late_joiners_total=late[0]["total"] if late else 0,
            switchers=tuple(Switcher(row[0], row[1]) for row in switchers),
            switchers_total=switchers[0]["total"] if switchers else 0,
            anonymous=poll.anonymous,
        )
        if poll.anonymous:  # counts without names
            report = replace(report, young_accounts=(), late_joiners=(), switchers=())
        return report

    # -- the batched vote writer's one transaction ----------------------------------------

    async def write_batch(
        self, adds: Sequence[VoteRow], removes: Sequence[VoteKey], events: Sequence[EventRow]
    ) -> None:
        """Apply one batch in one transaction. Each (poll, user, option) appears at most once
        across `adds` and `removes` (the writer keeps the last word), so order between the
        statements does not matter; repeats change nothing (primary key + ON CONFLICT)."""
        async with self.db.transaction() as conn:
            if removes:
                await conn.delete_rows("poll_votes", VoteKey._fields, removes)
            if adds:
                await conn.insert_rows("poll_votes", VoteRow._fields, adds, skip_existing=True)
            if events:
                await conn.insert_rows("poll_vote_events", EventRow._fields, events)
