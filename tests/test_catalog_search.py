"""Search over the shipped catalog: a table of queries, ranking rules, filters, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import MV, Catalog, load_catalog, normalize, parse_catalog

CATALOG = load_catalog()

# (query, id of the expected first result). Every kind of query the bot should understand.
FIRST_RESULT = [
    # titles, exact and as typed so far
    ("toxic till the end", "rose-toxic-till-the-end"),
    ("toxic", "rose-toxic-till-the-end"),
    ("Whiplash", "aespa-whiplash"),
    ("ROCKSTAR", "lisa-rockstar"),
    ("mantra", "jennie-mantra"),
    ("who", "jimin-who"),
    ("strategy", "twice-strategy"),
    ("chk chk boom", "stray-kids-chk-chk-boom"),
    ("spell", "seventeen-spell"),
    ("mama", "exo-mama"),
    ("mamacita", "super-junior-mamacita"),
    ("monster", "exo-monster"),
    ("lucky one", "exo-lucky-one"),
    ("one shot", "bap-one-shot"),
    ("one more day", "sistar-one-more-day"),
    ("thank u", "yunho-thank-u"),
    ("lies", "bigbang-lies"),
    ("love story", "kyuhyun-love-story"),
    ("i need u", "bts-i-need-u"),
    ("run", "bts-run"),
    # punctuation, spaces and case
    ("FRI(END)S", "v-friends"),
    ("friends", "v-friends"),
    ("Haru Haru", "bigbang-haru-haru"),
    ("haruharu", "bigbang-haru-haru"),
    ("Please Don't", "k-will-please-dont"),
    ("please dont", "k-will-please-dont"),
    ("ko-ko-bop", "exo-ko-ko-bop"),
    ("KOKOBOP", "exo-ko-ko-bop"),
    ("ineedu", "bts-i-need-u"),
    ("  Exo   MAMA!! ", "exo-mama"),
    # accents
    ("Rosé", "rose-toxic-till-the-end"),
    ("ROSE", "rose-toxic-till-the-end"),
    # Hangul, whole, begun, and with a syllable half typed
    ("하루하루", "bigbang-haru-haru"),
    ("하루", "bigbang-haru-haru"),
    ("하루ㅎ", "bigbang-haru-haru"),
    ("이러지마 제발", "k-will-please-dont"),
    ("에러", "vixx-error"),
    # aliases
    ("Taehyung", "v-friends"),
    ("Megan Thee Stallion", "twice-strategy"),
    ("SuJu", "super-junior-mamacita"),
    ("Day by Day", "bigbang-haru-haru"),
    # artists and groups
    ("aespa", "aespa-whiplash"),
    ("B.A.P", "bap-one-shot"),
    ("k.will", "k-will-please-dont"),
    ("U-Know Yunho", "yunho-thank-u"),
    ("tvxq", "yunho-thank-u"),
    ("kyuhyun", "kyuhyun-love-story"),
    ("jimin", "jimin-who"),
    ("v", "v-friends"),
    ("super junior", "super-junior-mamacita"),
    # artist + title, either order
    ("2ne1 come back home", "2ne1-come-back-home"),
    ("vixx error", "vixx-error"),
    ("error vixx", "vixx-error"),
    ("bts run", "bts-run"),
    ("exo power", "exo-power"),
    ("blackpink rose", "rose-toxic-till-the-end"),
    ("bigbang lies", "bigbang-lies"),
    ("bts ru", "bts-run"),
    ("toxic till the end rose", "rose-toxic-till-the-end"),
    # cast
    ("Seo In-guk", "k-will-please-dont"),
    ("seo inguk", "k-will-please-dont"),
    ("Evan Mock", "rose-toxic-till-the-end"),
    ("Hongbin", "vixx-error"),
    # typos
    ("eror vixx", "vixx-error"),
    ("come bak home", "2ne1-come-back-home"),
    ("xome back home", "2ne1-come-back-home"),
    ("vlackpink", "lisa-rockstar"),
    ("comebakhome", "2ne1-come-back-home"),
    ("mamcita", "super-junior-mamacita"),
    ("whiplsh", "aespa-whiplash"),
    ("seventen", "seventeen-spell"),
    ("toxik till", "rose-toxic-till-the-end"),
    ("i need you", "bts-i-need-u"),
    ("jenny", "jennie-mantra"),
    ("하루하로", "bigbang-haru-haru"),
    # what an MV is about, when no name matches: storyline, roles, themes, universe
    ("cyborg", "vixx-error"),
    ("which MV was the cyborg one?", "vixx-error"),
    ("vixx cyborg", "vixx-error"),
    ("android", "vixx-error"),
    ("suitcase", "sistar-one-more-day"),
    ("western", "super-junior-mamacita"),
    ("superpower", "exo-mama"),
    ("exo superpower story", "exo-mama"),
    ("bangtan universe", "bts-i-need-u"),
    ("bts tragedy", "bts-i-need-u"),
]


@pytest.mark.parametrize(("query", "expected"), FIRST_RESULT, ids=[q for q, _ in FIRST_RESULT])
def test_first_result(query: str, expected: str) -> None:
    results = CATALOG.search(query)
    assert results, f"nothing found for {query!r}"
    assert results[0].id == expected, [mv.id for mv in results[:5]]


def test_autocomplete_ranks_like_search() -> None:
    for query, _ in FIRST_RESULT:
        assert CATALOG.autocomplete(query) == CATALOG.search(query), query


def top_ids(query: str, count: int) -> set[str]:
    return {mv.id for mv in CATALOG.search(query)[:count]}


def test_a_group_finds_its_members_solo_mvs() -> None:
    assert top_ids("blackpink", 3) == {"rose-toxic-till-the-end", "lisa-rockstar", "jennie-mantra"}
    assert top_ids("blakpink", 3) == {"rose-toxic-till-the-end", "lisa-rockstar", "jennie-mantra"}
    assert top_ids("tvxq", 1) == {"yunho-thank-u"}


def test_a_group_ranks_its_own_mvs_before_its_members() -> None:
    ids = [mv.id for mv in CATALOG.search("bts")]
    assert set(ids[:2]) == {"bts-run", "bts-i-need-u"}
    assert set(ids[2:4]) == {"v-friends", "jimin-who"}
    ids = [mv.id for mv in CATALOG.search("super junior")]
    assert ids[:2] == ["super-junior-mamacita", "kyuhyun-love-story"]


def test_an_act_ranks_before_the_mvs_it_is_cast_in() -> None:
    ids = [mv.id for mv in CATALOG.search("kyuhyun")]
    assert ids[:2] == ["kyuhyun-love-story", "super-junior-mamacita"]  # the gambler in Mamacita
    ids = [mv.id for mv in CATALOG.search("jimin")]
    assert ids[:2] == ["jimin-who", "bts-i-need-u"]


def test_ties_are_broken_by_release_order() -> None:
    exo = CATALOG.search("exo")
    assert {mv.id for mv in exo[:5]} == {mv.id for mv in CATALOG.by_artist("EXO")}
    assert exo[:5] == CATALOG.by_artist("EXO")
    assert CATALOG.search("exo") == exo  # deterministic


def test_nothing_is_found_for_nonsense_and_suggestions_help() -> None:
    assert CATALOG.search("xyzzy") == []
    assert CATALOG.search("!!!") == CATALOG.search("")
    suggestions = CATALOG.suggestions("vixx eror 2014")
    assert suggestions and suggestions[0].id == "vixx-error"
    assert len(CATALOG.suggestions("bigbang", limit=2)) <= 2
    assert CATALOG.suggestions("") == []
    assert CATALOG.suggestions("zombie") == []  # no name shares more than a letter or two
    assert CATALOG.suggestions("purple dinosaur") == []
    assert {mv.id for mv in CATALOG.suggestions("bts dynamite")} == {
        "bts-i-need-u", "bts-run", "v-friends",
    }  # fmt: skip


def test_what_an_mv_is_about_finds_it_after_every_name_match() -> None:
    assert [mv.id for mv in CATALOG.search("exo superpower")] == [
        mv.id for mv in CATALOG.filter(universe="EXO superpower story")
    ]
    assert [mv.id for mv in CATALOG.search("heist")] == ["bap-one-shot", "super-junior-mamacita"]
    love = [mv.id for mv in CATALOG.search("love")]
    assert love[0] == "kyuhyun-love-story" and len(love) > 1  # the title, then the stories
    assert CATALOG.search("the cyborg") == CATALOG.search("cyborg")  # filler words are skipped
    assert CATALOG.search("the") == CATALOG.search("the", limit=2)  # and never match alone


def test_a_twist_is_never_searched() -> None:
    """Finding an MV by its reveal would spoil it: only names and the spoiler-free text count."""
    catalog = parse_catalog(
        '[[mv]]\nid = "nova-star"\ntitle = "Star"\nartist = "NOVA"\nyear = 2020\n'
        'themes = ["mystery"]\nsources = ["000_62f9fa6d10a3f177.txt"]\n'
        'storyline = "A lighthouse keeper waits."\ntwist = "She was a ghost all along."\n'
    )
    assert [mv.id for mv in catalog.search("lighthouse")] == ["nova-star"]
    assert [mv.id for mv in catalog.search("mystery")] == ["nova-star"]
    assert catalog.search("ghost") == []
    assert CATALOG.search("undercover") == []  # One Shot's twist
    assert CATALOG.search("double agent") == []  # Monster's and Mamacita's twists


# --------------------------------------------------------------------------- filters


def test_search_within_filters() -> None:
    assert [mv.id for mv in CATALOG.search("bts", artist="V")] == ["v-friends"]
    assert {mv.id for mv in CATALOG.search("blackpink", year=2024)} == top_ids("blackpink", 3)
    assert CATALOG.search("blackpink", year=2015) == []
    sci_fi = CATALOG.search("exo", theme="sci-fi")
    assert sci_fi and all(mv.artist == "EXO" and "sci-fi" in mv.themes for mv in sci_fi)
    story = CATALOG.search("exo", universe="EXO superpower story")
    assert {mv.id for mv in story} == {mv.id for mv in CATALOG.by_artist("EXO")}
    assert CATALOG.search("bts", universe="exo superpower story") == []


def test_an_empty_query_lists_the_filtered_entries_in_release_order() -> None:
    assert CATALOG.search("", theme="sci-fi") == CATALOG.filter(theme="sci-fi")
    assert CATALOG.search("", artist="bts", limit=2) == CATALOG.by_artist("bts")[:2]


def test_limits() -> None:
    assert len(CATALOG.search("e", limit=3)) == 3
    assert CATALOG.search("exo", limit=0) == []
    assert CATALOG.autocomplete("exo", limit=0) == []
    assert CATALOG.autocomplete("") == list(CATALOG.entries[:25])
    assert CATALOG.autocomplete("   ", limit=4) == list(CATALOG.entries[:4])
    assert all(len(mv.display_name) <= 100 for mv in CATALOG.autocomplete("a"))


# --------------------------------------------------------------------------- ranking rules


def ranking_catalog() -> Catalog:
    """Entries built so that each tier holds one kind of match, and release order disagrees."""
    rows = [
        ("nova-star", "Star", "NOVA", "2020-01-01"),
        ("star-crew-moon", "Moon", "Star Crew", "2010-01-01"),
        ("nova-starlight", "Starlight", "NOVA", "2018-01-01"),
        ("luna-falling-star", "Falling Star", "LUNA", "2017-01-01"),
        ("luna-superstar", "Superstar", "LUNA", "2012-01-01"),
        ("luna-sttar", "Sttar", "LUNA", "2011-01-01"),
        ("luna-stray", "Stray", "LUNA", "2016-01-01"),
        ("luna-stars-undated", "Stars!", "LUNA", "2014"),
        ("luna-stars-dated", "Stars", "LUNA", "2014-05-01"),
    ]
    tables = []
    for mv_id, title, artist, day in rows:
        date_line = f'release_date = "{day}"' if "-" in day else ""
        tables.append(
            f'[[mv]]\nid = "{mv_id}"\ntitle = "{title}"\nartist = "{artist}"\n'
            f"year = {day[:4]}\n{date_line}\n"
            'themes = ["romance"]\nsources = ["000_62f9fa6d10a3f177.txt"]\n'
        )
    return parse_catalog("\n".join(tables))


def test_exact_then_prefix_then_word_then_substring_then_fuzzy() -> None:
    ids = [mv.id for mv in ranking_catalog().search("star")]
    assert ids == [
        "nova-star",  # exact title
        "luna-stars-dated",  # title prefixes, in release order
        "luna-stars-undated",
        "nova-starlight",
        "star-crew-moon",  # an artist prefix, after the title prefixes though older
        "luna-falling-star",  # a word
        "luna-superstar",  # inside a word
        "luna-sttar",  # a typo away ("stray" and the rest are too far)
    ]


def test_release_order_breaks_ties_dated_before_undated() -> None:
    catalog = ranking_catalog()
    assert [mv.id for mv in catalog.search("stars")][:2] == [
        "luna-stars-dated",
        "luna-stars-undated",
    ]
    luna = [mv.id for mv in catalog.search("luna")]
    assert luna == [mv.id for mv in catalog.by_artist("LUNA")]
    assert luna[0] == "luna-sttar"  # 2011, the oldest LUNA entry


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Rosé", "rose"),
        ("ROSÉ", "rose"),
        ("FRI(END)S", "friends"),
        ("Haru Haru", "haruharu"),
        ("Please Don't", "pleasedont"),
        ("Please Don’t", "pleasedont"),
        ("하루하루", "하루하루"),
        ("ＢＴＳ", "bts"),
        ("B.A.P", "bap"),
        ("  ", ""),
    ],
)
def test_normalize(text: str, normal: str) -> None:
    assert normalize(text) == normal


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=120), limit=st.integers(min_value=0, max_value=30))
def test_autocomplete_never_raises_nor_exceeds_the_limit(query: str, limit: int) -> None:
    results = CATALOG.autocomplete(query, limit)
    assert len(results) <= limit
    assert all(isinstance(mv, MV) for mv in results)
    assert len({mv.id for mv in results}) == len(results)


@settings(max_examples=40, deadline=None)
@given(query=st.text(max_size=60), limit=st.integers(min_value=0, max_value=5))
def test_search_and_suggestions_take_any_text(query: str, limit: int) -> None:
    assert len(CATALOG.search(query, theme="romance", limit=limit)) <= limit
    assert len(CATALOG.suggestions(query, limit=limit)) <= limit


def test_an_empty_catalog_slot_is_never_returned() -> None:
    catalog = Catalog(CATALOG.entries[:1])
    assert catalog.autocomplete("zzzz") == []
    assert catalog.autocomplete("") == list(CATALOG.entries[:1])
