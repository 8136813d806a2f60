"""BracketStore: every SQL statement about brackets, and nothing else.

A bracket row keeps `Bracket.to_dict()` as JSON beside the round being voted on. The round
only moves through :meth:`BracketStore.advance`, an ``UPDATE … WHERE round = ?`` guarded by
the round the caller read: of any number of callers (tasks, processes, a restart) exactly one
wins, and only the winner posts the summary and the next round. Times are unix seconds in
the database and aware UTC datetimes outside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.brackets.model import Bracket
from bot.clock import from_unix, to_unix
from bot.db import Row
from bot.errors import UserError
from bot.i18n import _
from bot.polls.rules import VoterRules
from bot.polls.store import GuildStore, optional_time

_COLUMNS = (
    "bracket_id, guild_id, channel_id, creator_id, title, state, round, posted_round, announced_round,"
    " round_seconds, round_ends_at, status, stop_reason, created_at"
)


#: The poll rules every match poll of a bracket follows (as `/poll create` takes them).
MatchRules = VoterRules


class BracketStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class StoredBracket:
    bracket_id: int
    guild_id: int
    channel_id: int
    creator_id: int
    bracket: Bracket
    #: The round being voted on; once finished, one past the final.
    round: int
    #: The last round whose match polls are all posted.
    posted_round: int
    #: The last round whose summary and picture were posted.
    announced_round: int
    round_duration: timedelta
    round_ends_at: datetime | None
    status: BracketStatus
    stop_reason: str | None
    created_at: datetime
    #: The poll rules of every match poll (kept in the state JSON under "rules").
    rules: MatchRules = field(default_factory=MatchRules)

    @property
    def title(self) -> str:
        return self.bracket.title

    @property
    def is_open(self) -> bool:
        return self.status is BracketStatus.OPEN


def _from_row(row: Row) -> StoredBracket:
    state = json.loads(row["state"])
    return StoredBracket(
        bracket_id=row["bracket_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        creator_id=row["creator_id"],
        bracket=Bracket.from_dict(state),
        round=row["round"],
        posted_round=row["posted_round"],
        announced_round=row["announced_round"],
        round_duration=timedelta(seconds=row["round_seconds"]),
        round_ends_at=optional_time(row["round_ends_at"]),
        status=BracketStatus(row["status"]),
        stop_reason=row["stop_reason"],
        created_at=from_unix(row["created_at"]),
        rules=MatchRules.from_dict(state.get("rules")),
    )


def _state(bracket: Bracket, rules: MatchRules) -> str:
    """`Bracket.to_dict()` with the match rules beside it (`Bracket.from_dict` ignores them)."""
    return json.dumps({**bracket.to_dict(), "rules": rules.to_dict()}, ensure_ascii=False)


class BracketStore(GuildStore):
    """`owner` limits what the dispatcher and the start-up pass see to this process's guilds."""

    # -- lifecycle ------------------------------------------------------------------------

    async def create(
        self,
        bracket: Bracket,
        *,
        guild_id: int,
        channel_id: int,
        creator_id: int,
        round_duration: timedelta,
        now: datetime,
        rules: MatchRules | None = None,
    ) -> StoredBracket:
        """Store a new bracket at round 1 (no match posted yet); its round ends after `round_duration`."""
        created = to_unix(now)
        seconds = int(round_duration.total_seconds())
        state = _state(bracket, rules or MatchRules())
        async with self.db.transaction() as conn:
            bracket_id = await conn.fetchval(
                "INSERT INTO brackets (guild_id, channel_id, creator_id, title, state, round_seconds,"
                " round_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING bracket_id",
                (guild_id, channel_id, creator_id, bracket.title, state, seconds, created + seconds,
                 created, created),
            )  # fmt: skip
        assert bracket_id is not None
        return await self._require(bracket_id)

    async def add_match(self, stored: StoredBracket, round_number: int, match_index: int, poll_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO bracket_matches (guild_id, bracket_id, round, match_index, poll_id)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (stored.guild_id, stored.bracket_id, round_number, match_index, poll_id),
            )

    async def matches(self, stored: StoredBracket, round_number: int) -> dict[int, int]:
        """match index → poll id of the round's posted matches."""
        rows = await self.db.fetchall(
            "SELECT match_index, poll_id FROM bracket_matches WHERE guild_id = ? AND bracket_id = ? AND round = ?"
            " ORDER BY match_index",
            (stored.guild_id, stored.bracket_id, round_number),
        )
        return {row[0]: row[1] for row in rows}

    async def mark_posted(self, bracket_id: int, round_number: int) -> bool:
        async with self.db.transaction() as conn:
            return (
                await conn.execute(
                    "UPDATE brackets SET posted_round = ? WHERE bracket_id = ? AND round = ? AND posted_round < ?",
                    (round_number, bracket_id, round_number, round_number),
                )
                == 1
            )

    async def mark_announced(self, bracket_id: int, round_number: int) -> bool:
        async with self.db.transaction() as conn:
            return (
                await conn.execute(
                    "UPDATE brackets SET announced_round = ? WHERE bracket_id = ? AND announced_round < ?",
                    (round_number, bracket_id, round_number),
                )
                == 1
            )

    async def reschedule(self, bracket_id: int, round_number: int, ends_at: datetime, now: datetime) -> bool:
        """Move the end of a round whose matches are not all posted yet (resumed after a crash)."""
        async with self.db.transaction() as conn:
            return (
                await conn.execute(
                    "UPDATE brackets SET round_ends_at = ?, updated_at = ?"
                    " WHERE bracket_id = ? AND round = ? AND status = 'open' AND posted_round < round",
                    (to_unix(ends_at), to_unix(now), bracket_id, round_number),
                )
                == 1
            )

    async def advance(self, bracket_id: int, from_round: int, decided: Bracket, now: datetime) -> bool:
        """Record the decided round `from_round` and move on: the next round (ending a round's
        length from now), or finished. True only for the one caller that advanced it."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                f"SELECT round, status, round_seconds, state FROM brackets WHERE bracket_id = ? {conn.row_lock}",
                (bracket_id,),
            )
            if row is None or row["round"] != from_round or row["status"] != BracketStatus.OPEN:
                return False
            finished = decided.is_finished
            rules = MatchRules.from_dict(json.loads(row["state"]).get("rules"))
            ends = None if finished else to_unix(now) + int(row["round_seconds"])
            changed = await conn.execute(
                "UPDATE brackets SET round = round + 1, state = ?, status = ?, round_ends_at = ?, updated_at = ?"
                " WHERE bracket_id = ? AND round = ? AND status = 'open'",
                (
                    _state(decided, rules),
                    (BracketStatus.FINISHED if finished else BracketStatus.OPEN).value,
                    ends,
                    to_unix(now),
                    bracket_id,
                    from_round,
                ),
            )
            return changed == 1

    async def stop(self, bracket_id: int, reason: str, now: datetime) -> bool:
        """Stop an open bracket for a reason its status shows (a deleted message, a permission)."""
        async with self.db.transaction() as conn:
            return (
                await conn.execute(
                    "UPDATE brackets SET status = 'stopped', stop_reason = ?, updated_at = ?"
                    " WHERE bracket_id = ? AND status = 'open'",
                    (reason, to_unix(now), bracket_id),
                )
                == 1
            )

    async def cancel(self, bracket_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            return (
                await conn.execute(
                    "UPDATE brackets SET status = 'cancelled', updated_at = ? WHERE bracket_id = ? AND status = 'open'",
                    (to_unix(now), bracket_id),
                )
                == 1
            )

    # -- reads ----------------------------------------------------------------------------

    async def get(self, bracket_id: int) -> StoredBracket | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM brackets WHERE bracket_id = ?", (bracket_id,))
        return None if row is None else _from_row(row)

    async def _require(self, bracket_id: int) -> StoredBracket:
        stored = await self.get(bracket_id)
        if stored is None:
            raise LookupError(f"bracket {bracket_id} does not exist")
        return stored

    async def in_guild(self, guild_id: int, bracket_id: int | None = None) -> StoredBracket:
        """A bracket of this server: the one numbered, else the newest open one, else the newest."""
        if bracket_id is not None:
            row = await self.db.fetchone(
                f"SELECT {_COLUMNS} FROM brackets WHERE guild_id = ? AND bracket_id = ?", (guild_id, bracket_id)
            )
            if row is None:
                raise UserError(_("There is no bracket #{id} in this server.", id=bracket_id))
            return _from_row(row)
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM brackets WHERE guild_id = ?"
            " ORDER BY status = 'open' DESC, bracket_id DESC LIMIT 1",
            (guild_id,),
        )
        if row is None:
            raise UserError(_("This server has no bracket yet; start one with `/bracket create` or `/bracket mv`."))
        return _from_row(row)

    async def count_in_guild(self, guild_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM brackets WHERE guild_id = ?", (guild_id,)) or 0)

    # -- the dispatcher and the start-up pass ----------------------------------------------

    async def next_round_end(self) -> datetime | None:
        """The earliest end of a round whose matches are all posted (owned guilds)."""
        owned, params = self._owned()
        seconds = await self.db.fetchval(
            f"SELECT MIN(round_ends_at) FROM brackets WHERE status = 'open' AND posted_round = round AND {owned}",
            params,
        )
        return optional_time(seconds)

    async def due(self, now: datetime) -> list[StoredBracket]:
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM brackets WHERE status = 'open' AND posted_round = round"
            f" AND round_ends_at <= ? AND {owned} ORDER BY round_ends_at, bracket_id",
            (to_unix(now), *params),
        )
        return [_from_row(row) for row in rows]

    async def unfinished_work(self) -> list[StoredBracket]:
        """Owned brackets left half-way by a crash: a summary not posted, or matches not posted."""
        owned, params = self._owned()
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM brackets WHERE ((status = 'open' AND posted_round < round)"
            f" OR (status IN ('open', 'finished') AND announced_round < round - 1)) AND {owned}"
            " ORDER BY bracket_id",
            params,
        )
        return [_from_row(row) for row in rows]
