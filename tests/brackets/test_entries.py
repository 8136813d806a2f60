"""What a member may type as entries: split like poll options, 2–64, no duplicates."""

from __future__ import annotations

import pytest

from bot.brackets import MAX_ENTRIES, entry_key, parse_entries, parse_seeding, parse_title, validate_entries
from bot.brackets.seeding import Seeding
from bot.errors import UserError


def test_entries_are_split_like_poll_options() -> None:
    assert parse_entries("Supernova | APT. | 하루하루") == ("Supernova", "APT.", "하루하루")
    assert parse_entries("Supernova; Magnetic; Armageddon") == ("Supernova", "Magnetic", "Armageddon")
    assert parse_entries("Supernova\n  Magnetic  \n\nHow Sweet") == ("Supernova", "Magnetic", "How Sweet")
    assert parse_entries("A; B | C") == ("A; B", "C")  # `|` wins over `;`, as in polls


def test_two_to_sixty_four_entries() -> None:
    assert len(parse_entries(" | ".join(f"MV {n}" for n in range(MAX_ENTRIES)))) == 64
    with pytest.raises(UserError, match="at least 2 entries"):
        parse_entries("Supernova")
    with pytest.raises(UserError, match="at least 2 entries"):
        parse_entries(" | | ")
    with pytest.raises(UserError, match="at most 64 entries; you gave 65"):
        parse_entries(" | ".join(f"MV {n}" for n in range(65)))


@pytest.mark.parametrize("twin", ["SUPERNOVA", "  supernova  ", "Supérnova", "ｓｕｐｅｒｎｏｖａ"])
def test_duplicates_are_compared_without_case_spacing_or_accents(twin: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_entries(f"Supernova | Magnetic | {twin}")
    message = caught.value.message
    assert "Entry 3" in message and "entry 1 (“Supernova”)" in message
    assert twin.strip() in message  # both of the pair are named


def test_inner_spacing_counts_once() -> None:
    with pytest.raises(UserError, match="entry 1"):
        parse_entries("Chk Chk  Boom | Magnetic | chk chk boom")


def test_hangul_is_not_folded_into_something_else() -> None:
    assert entry_key("하루하루") == "하루하루"
    assert entry_key("하루") != entry_key("하류")
    assert entry_key("Café") == entry_key("cafe") == entry_key("CAFE\u0301")  # composed or not
    assert parse_entries("하루 | 하류") == ("하루", "하류")


def test_entry_length_and_mentions_follow_the_poll_rules() -> None:
    with pytest.raises(UserError, match="Entry 2 is 101 characters long"):
        parse_entries("Supernova | " + "x" * 101)
    with pytest.raises(UserError, match="Entry 1 contains @everyone"):
        parse_entries("@everyone | Magnetic")


def test_a_ready_list_is_checked_too() -> None:
    assert validate_entries(["  Supernova ", "APT.", ""]) == ("Supernova", "APT.")
    with pytest.raises(UserError):
        validate_entries(["Supernova", "supernova"])


def test_title_and_seeding() -> None:
    assert parse_title("  Best   MV of 2024 ") == "Best MV of 2024"
    for bad in ("   ", "x" * 257, "@here vote"):
        with pytest.raises(UserError):
            parse_title(bad)
    assert parse_seeding(None) is Seeding.GIVEN
    assert parse_seeding(" Random ") is Seeding.RANDOM
    with pytest.raises(UserError, match="`given`"):
        parse_seeding("shuffled")
