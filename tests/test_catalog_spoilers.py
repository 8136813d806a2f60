"""The spoiler rule: no twist word in a cast role, no outcome word of the twist in a storyline."""

from __future__ import annotations

import dataclasses

import pytest

from bot.catalog import MV, CastMember, CatalogError, load_catalog, parse_catalog, spoilers
from bot.catalog.spoilers import OUTCOME_WORDS, twist_words, visible_words

CATALOG = load_catalog()
HARU_HARU_OLD_ROLE = "the friend who calls G-Dragon to the hospital"


def spoiler_problems(mv: MV, label: str | None = None) -> list[str]:
    """The problems as they read in English (each is a translatable message)."""
    return [str(problem) for problem in spoilers.spoiler_problems(mv, label)]


def shipped(mv_id: str) -> MV:
    mv = CATALOG.get(mv_id)
    assert mv is not None
    return mv


def with_role(mv: MV, name: str, role: str) -> MV:
    cast = tuple(CastMember(m.name, role) if m.name == name else m for m in mv.cast)
    return dataclasses.replace(mv, cast=cast)


def haru_haru_toml(role: str) -> str:
    return f"""
[[mv]]
id = "bigbang-haru-haru"
title = "Haru Haru"
title_ko = "하루하루"
artist = "BIGBANG"
year = 2008
themes = ["romance", "tragedy"]
cast = [
  {{ name = "G-Dragon", role = "the boyfriend" }},
  {{ name = "Park Min-young", role = "his girlfriend" }},
  {{ name = "Taeyang", role = "{role}" }},
]
storyline = "G-Dragon's girlfriend seems to leave him for his friend T.O.P, and his days come apart."
twist = "She is dying and wanted G-Dragon to let her go. A call from Taeyang sends him racing to her hospital bed."
sources = ["002_0f347bd8e5380b69.txt"]
"""


# --------------------------------------------------------------------------- the Haru Haru case


def test_the_old_haru_haru_role_is_caught_naming_entry_field_and_word() -> None:
    problems = spoiler_problems(with_role(shipped("bigbang-haru-haru"), "Taeyang", HARU_HARU_OLD_ROLE))
    assert any(
        p.startswith("entry 'bigbang-haru-haru': field 'cast': the role of Taeyang uses 'hospital'") for p in problems
    ), problems
    assert any("'calls'" in p for p in problems)


def test_loading_the_old_text_fails_with_the_same_message() -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(haru_haru_toml(HARU_HARU_OLD_ROLE), source="mvs.toml")
    assert "entry 'bigbang-haru-haru': field 'cast': the role of Taeyang uses 'hospital'" in str(caught.value)


def test_the_reworded_role_loads() -> None:
    (mv,) = parse_catalog(haru_haru_toml("G-Dragon's friend")).entries
    assert spoiler_problems(mv) == []


def test_an_outcome_word_in_the_storyline_is_caught() -> None:
    mv = shipped("bigbang-haru-haru")
    assert mv.storyline
    leaky = dataclasses.replace(mv, storyline=mv.storyline + " It ends at a hospital.")
    assert spoiler_problems(leaky) == [
        "entry 'bigbang-haru-haru': field 'storyline': 'hospital' gives the twist away (the "
        "twist turns on it); keep it in 'twist' only"
    ]


def test_an_outcome_word_in_a_role_is_caught_even_when_the_storyline_has_it() -> None:
    mv = shipped("bigbang-haru-haru")
    leaky = dataclasses.replace(with_role(mv, "Taeyang", "visits the hospital"), storyline="A hospital.")
    fields = [p.split(": field ")[1].split(":")[0] for p in spoiler_problems(leaky)]
    assert fields == ["'storyline'", "'cast'"]


# --------------------------------------------------------------------------- clean entries


@pytest.mark.parametrize("mv_id", [mv.id for mv in CATALOG.entries])
def test_every_shipped_entry_passes(mv_id: str) -> None:
    assert spoiler_problems(shipped(mv_id)) == []


def test_a_storyline_may_name_what_the_twist_turns_on() -> None:
    mv = shipped("k-will-please-dont")
    assert mv.storyline and mv.twist
    shared = twist_words(mv) & visible_words(mv.storyline).keys()
    assert {"wedding", "photo"} <= shared and not shared & OUTCOME_WORDS
    assert spoiler_problems(mv) == []


def test_names_and_common_words_are_not_twist_words() -> None:
    mv = dataclasses.replace(
        shipped("bigbang-haru-haru"),
        twist="Taeyang and G-Dragon were there with T.O.P all along.",
        storyline=None,
    )
    assert twist_words(mv) == set()
    assert spoiler_problems(with_role(mv, "Taeyang", "G-Dragon's friend, there with T.O.P")) == []


def test_an_entry_without_a_twist_has_nothing_to_spoil() -> None:
    mv = dataclasses.replace(shipped("bigbang-haru-haru"), twist=None)
    assert spoiler_problems(with_role(mv, "Taeyang", HARU_HARU_OLD_ROLE)) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Calls, calls!", {"call"}),
        ("G-Dragon's hospitals", {"g", "dragon", "hospital"}),
        ("The boss’s stories", {"the", "boss", "story"}),
        ("Rosé dies", {"rose", "die"}),
    ],
)
def test_words_are_folded_and_singular(text: str, words: set[str]) -> None:
    assert set(visible_words(text)) == words


def test_a_label_replaces_the_entry_id_in_messages() -> None:
    mv = with_role(shipped("bigbang-haru-haru"), "Taeyang", HARU_HARU_OLD_ROLE)
    problems = spoiler_problems(mv, "server entry 's-7'")
    assert problems and all(p.startswith("server entry 's-7': field 'cast'") for p in problems)
