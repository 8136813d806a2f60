"""Seeds and the standard bracket layout.

Seed 1 is the top seed. In a bracket of size P (the next power of two at or above the
number of entries), seed 1 meets seed P in round 1, seeds 1 and 2 can only meet in the
final, 1–4 only from the semi-finals, and so on. Seeds above the number of entries are
missing: their opponents — always the top seeds — get a bye.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.errors import UserError
from bot.i18n import _


class Seeding(StrEnum):
    GIVEN = "given"  # the order the entries were typed (or listed by the catalog)
    RANDOM = "random"  # shuffled once, when the bracket is created; the order is recorded


@dataclass(frozen=True, slots=True)
class Seeds:
    """The entries in seed order (`entries[0]` is seed 1) and how that order was made."""

    entries: tuple[str, ...]
    seeding: Seeding

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def size(self) -> int:
        """P: the bracket's size, the next power of two at or above the number of entries."""
        return bracket_size(self.count)

    def name(self, seed: int) -> str:
        if not 1 <= seed <= self.count:
            raise ValueError(f"there is no seed {seed} among {self.count} entries")
        return self.entries[seed - 1]


def parse_seeding(text: str | None) -> Seeding:
    """`given` (the default) or `random`."""
    if text is None or not text.strip():
        return Seeding.GIVEN
    try:
        return Seeding(text.strip().lower())
    except ValueError:
        raise UserError(_("Seeding is `given` (the order you typed) or `random`.")) from None


def seed(entries: Sequence[str], *, seeding: Seeding | str = Seeding.GIVEN, rng: random.Random | None = None) -> Seeds:
    """Seed validated entries: as given, or shuffled with `rng` (give one to repeat a draw)."""
    method = Seeding(seeding)
    order = list(entries)
    if method is Seeding.RANDOM:
        (rng or random.Random()).shuffle(order)
    return Seeds(tuple(order), method)


def bracket_size(count: int) -> int:
    """The next power of two at or above `count` (at least 2)."""
    if count < 1:
        raise ValueError(f"a bracket needs entries, not {count}")
    return max(2, 1 << (count - 1).bit_length())


@lru_cache(maxsize=16)
def bracket_order(size: int) -> tuple[int, ...]:
    """Seeds 1..size top to bottom: 8 → 1, 8, 4, 5, 2, 7, 3, 6 (pairs meet in round 1).

    Built by doubling: each seed s of the smaller bracket is joined by its round-1
    opponent `2k + 1 - s`, so every pair of a round adds up to that round's size + 1.
    """
    if size < 2 or size & (size - 1):
        raise ValueError(f"a bracket's size is a power of two ≥ 2, not {size}")
    order = [1]
    while len(order) < size:
        total = 2 * len(order) + 1
        order = [placed for s in order for placed in (s, total - s)]
    return tuple(order)


def first_round_pairs(count: int) -> tuple[tuple[int, int | None], ...]:
    """Round 1 in bracket order: (seed, opponent) with None for a bye (opponent seed > count)."""
    order = bracket_order(bracket_size(count))
    # In every pair the top seed is the higher one (the smaller number), so a bye goes to it.
    return tuple(
        (top, bottom if bottom <= count else None) for top, bottom in zip(order[::2], order[1::2], strict=True)
    )
