"""Standard seeding: 1 meets P, the top seeds are spread, byes go to the top seeds."""

from __future__ import annotations

import random

import pytest

from bot.brackets import Seeding, bracket_order, bracket_size, first_round_pairs, seed


def test_bracket_size_is_the_next_power_of_two() -> None:
    assert [bracket_size(n) for n in (2, 3, 4, 5, 8, 9, 16, 17, 33, 64)] == [2, 4, 4, 8, 8, 16, 16, 32, 64, 64]


def test_eight_entries() -> None:
    assert bracket_order(8) == (1, 8, 4, 5, 2, 7, 3, 6)
    assert first_round_pairs(8) == ((1, 8), (4, 5), (2, 7), (3, 6))


def test_nine_entries_give_seven_byes_and_one_match() -> None:
    pairs = first_round_pairs(9)
    assert len(pairs) == 8  # P = 16
    assert pairs == ((1, None), (8, 9), (4, None), (5, None), (2, None), (7, None), (3, None), (6, None))


def test_small_brackets() -> None:
    assert first_round_pairs(2) == ((1, 2),)
    assert first_round_pairs(3) == ((1, None), (2, 3))
    assert first_round_pairs(5) == ((1, None), (4, 5), (2, None), (3, None))


def test_sixty_four_entries() -> None:
    order = bracket_order(64)
    pairs = first_round_pairs(64)
    assert pairs[:4] == ((1, 64), (32, 33), (16, 49), (17, 48))
    assert pairs[16] == (2, 63) and pairs[-1] == (22, 43)
    assert sorted(order) == list(range(1, 65))
    assert all(a + b == 65 for a, b in zip(order[::2], order[1::2], strict=True))


@pytest.mark.parametrize("size", [2, 4, 8, 16, 32, 64])
def test_top_seeds_are_spread_so_they_meet_as_late_as_possible(size: int) -> None:
    """In each section of 2^k places there is exactly one of the top size/2^k seeds."""
    order = bracket_order(size)
    section = size
    while section >= 2:
        sections = size // section
        for start in range(0, size, section):
            assert sum(1 for s in order[start : start + section] if s <= sections) == 1
        section //= 2
    # pairs that meet in a round add up to the round's places + 1 (chalk: 1v8, 4v5 …)
    assert all(a + b == size + 1 for a, b in zip(order[::2], order[1::2], strict=True))


@pytest.mark.parametrize("count", range(2, 65))
def test_byes_go_to_the_top_seeds(count: int) -> None:
    pairs = first_round_pairs(count)
    size = bracket_size(count)
    assert len(pairs) == size // 2
    with_byes = {top for top, bottom in pairs if bottom is None}
    assert with_byes == set(range(1, size - count + 1))
    assert sorted(s for pair in pairs for s in pair if s is not None) == list(range(1, count + 1))


def test_given_seeding_keeps_the_typed_order() -> None:
    seeds = seed(("Supernova", "APT.", "Magnetic"), seeding="given")
    assert seeds.entries == ("Supernova", "APT.", "Magnetic") and seeds.seeding is Seeding.GIVEN
    assert seeds.name(1) == "Supernova" and seeds.size == 4
    with pytest.raises(ValueError):
        seeds.name(4)


def test_random_seeding_is_recorded_and_repeatable() -> None:
    entries = tuple(f"MV {n}" for n in range(16))
    first = seed(entries, seeding=Seeding.RANDOM, rng=random.Random(7))
    assert first == seed(entries, seeding="random", rng=random.Random(7))
    assert first.seeding is Seeding.RANDOM
    assert sorted(first.entries) == sorted(entries) and first.entries != entries
    assert entries == tuple(f"MV {n}" for n in range(16))  # the caller's order is untouched
