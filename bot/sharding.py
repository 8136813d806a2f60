"""Which guilds a process works on: Discord's shard rule, with no Discord import.

A guild belongs to shard ``(guild_id >> 22) % shard_count``. A process that runs some of the
shards owns exactly their guilds: its poll closer, storyline dispatcher and reconciliation
touch nothing else. Rows stay keyed by guild, so a new shard count moves no data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2,5"`` or a mix (``"0-2,7"``) → sorted unique ids; ValueError if malformed."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            raise ValueError("empty item")
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"{part!r} is not a number or a range like 0-3")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"the range {part!r} runs backwards")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def format_shard_ids(ids: Iterable[int]) -> str:
    """The compact form ``parse_shard_ids`` reads: ``(0, 1, 2, 5)`` → ``"0-2,5"``."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for shard in [*ordered, None]:
        if start is not None and (shard is None or shard != prev + 1):  # type: ignore[operator]
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if shard is not None and start is None:
            start = shard
        prev = shard
    return ",".join(parts)


def split_shards(shard_count: int, processes: int) -> list[tuple[int, ...]]:
    """Contiguous, near-equal ranges of shard ids, one per process (earlier ones get the extra)."""
    if processes < 1:
        raise ValueError("at least one process")
    if processes > shard_count:
        raise ValueError(f"{processes} processes for {shard_count} shards would leave some with nothing to run")
    base, extra = divmod(shard_count, processes)
    ranges = []
    start = 0
    for index in range(processes):
        size = base + (1 if index < extra else 0)
        ranges.append(tuple(range(start, start + size)))
        start += size
    return ranges


@dataclass(frozen=True, slots=True)
class GuildOwnership:
    """The shards one process runs; ``shard_ids`` None means all of them."""

    shard_count: int = 1
    shard_ids: tuple[int, ...] | None = None

    @property
    def owns_everything(self) -> bool:
        return self.shard_ids is None or len(set(self.shard_ids)) >= self.shard_count

    def owns(self, guild_id: int) -> bool:
        return self.owns_everything or shard_of(guild_id, self.shard_count) in (self.shard_ids or ())

    def sql_filter(self, column: str = "guild_id") -> tuple[str, Sequence[int]]:
        """An SQL condition (both engines) and its parameters selecting the owned guilds."""
        if self.owns_everything:
            return "1 = 1", ()
        ids = tuple(self.shard_ids or ())
        marks = ", ".join("?" for _ in ids)
        return f"(({column} >> 22) % ?) IN ({marks})", (self.shard_count, *ids)

    def describe(self) -> str:
        if self.shard_ids is None:
            return f"all {self.shard_count} shard(s)"
        return f"shards {format_shard_ids(self.shard_ids)} of {self.shard_count}"


EVERYTHING = GuildOwnership()
