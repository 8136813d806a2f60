"""Which storyline a guild gets next: every eligible entry once per cycle, shuffled per guild.

The order of a cycle is a shuffle seeded by (guild, cycle): each entry's position is a hash
of the seed and its id. That keeps the order reproducible, and stable when the catalog
changes: an added entry lands at its own place in the current cycle (so it is posted before
the cycle ends) and a removed one simply stops being eligible. The set of entries already
posted in a cycle comes from the posts table, so nothing here holds state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

#: Status and the post warn when this many entries or fewer are left in the cycle.
LOW_REMAINING = 3


@dataclass(frozen=True, slots=True)
class RotationEntry:
    """What rotation needs to know about a catalog entry that has a storyline."""

    id: str
    mature: bool = False


class HasIdAndMature(Protocol):
    """Anything shaped like a catalog MV (``bot.catalog.MV`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def mature(self) -> bool: ...


def rotation_entries(mvs: Iterable[HasIdAndMature]) -> tuple[RotationEntry, ...]:
    """``rotation_entries(catalog.with_storyline())``: the cog's one-liner for the provider."""
    return tuple(RotationEntry(mv.id, bool(mv.mature)) for mv in mvs)


def eligible_ids(entries: Iterable[RotationEntry], *, include_mature: bool, channel_age_restricted: bool) -> list[str]:
    """Mature entries only when the guild opted in AND the channel is age-restricted."""
    allow_mature = include_mature and channel_age_restricted
    return sorted({entry.id for entry in entries if allow_mature or not entry.mature})


def cycle_order(guild_id: int, cycle: int, ids: Iterable[str]) -> list[str]:
    """The shuffled order of `ids` for this guild and cycle (reproducible)."""
    return sorted(set(ids), key=lambda mv_id: _position(guild_id, cycle, mv_id))


def _position(guild_id: int, cycle: int, mv_id: str) -> tuple[bytes, str]:
    digest = hashlib.blake2b(f"{guild_id}:{cycle}:{mv_id}".encode(), digest_size=8).digest()
    return digest, mv_id


@dataclass(frozen=True, slots=True)
class RotationPick:
    mv_id: str
    cycle: int
    #: Entries still to come in this cycle after this one ("N more before the cycle repeats").
    remaining: int
    new_cycle: bool

    @property
    def low(self) -> bool:
        return self.remaining <= LOW_REMAINING


def choose_next(
    guild_id: int,
    cycle: int,
    eligible: Sequence[str],
    posted_in_cycle: Collection[str],
    last_posted: str | None,
) -> RotationPick | None:
    """The next entry of the current cycle, or the first of a new one; None if none is eligible.

    A new cycle never starts with `last_posted` when there is any other choice, even when
    its first day failed and the cycle's order is read again from the start.
    """
    if not eligible:
        return None
    pending = [mv_id for mv_id in cycle_order(guild_id, cycle, eligible) if mv_id not in posted_in_cycle]
    if pending:
        return RotationPick(_not_again(pending, last_posted), cycle, len(pending) - 1, new_cycle=False)
    order = cycle_order(guild_id, cycle + 1, eligible)
    return RotationPick(_not_again(order, last_posted), cycle + 1, len(order) - 1, new_cycle=True)


def _not_again(order: Sequence[str], last_posted: str | None) -> str:
    """The first of `order`, or the second when the first was just posted (no back-to-back)."""
    if len(order) > 1 and order[0] == last_posted:
        return order[1]
    return order[0]


@dataclass(frozen=True, slots=True)
class CycleProgress:
    cycle: int
    posted: int
    remaining: int

    @property
    def total(self) -> int:
        return self.posted + self.remaining

    @property
    def low(self) -> bool:
        return self.remaining <= LOW_REMAINING


def cycle_progress(cycle: int, eligible: Collection[str], posted_in_cycle: Collection[str]) -> CycleProgress:
    """How far the current cycle has come, counting only entries that are still eligible."""
    eligible_set = set(eligible)
    posted = len(eligible_set & set(posted_in_cycle))
    return CycleProgress(cycle, posted, len(eligible_set) - posted)
