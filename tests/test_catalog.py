"""The catalog model, validation (one message per kind of mistake), lookups and `check`."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import (
    MV,
    THEMES,
    WARNINGS,
    CastMember,
    Catalog,
    CatalogError,
    load_catalog,
    normalize,
    parse_catalog,
)
from bot.catalog.__main__ import DEFAULT_SEEDS_DIR, main, read_seeds
from bot.catalog.originality import SharedPhrase, shared_phrases
from bot.paths import CATALOG_PATH, PROJECT_DIR

CONTRACT_IDS = {
    "rose-toxic-till-the-end", "v-friends", "seventeen-spell", "aespa-whiplash",
    "lisa-rockstar", "jennie-mantra", "jimin-who", "twice-strategy", "stray-kids-chk-chk-boom",
    "exo-mama", "exo-power", "exo-lucky-one", "exo-monster", "exo-ko-ko-bop",
    "2ne1-come-back-home", "vixx-error", "bts-run", "bts-i-need-u", "sistar-one-more-day",
    "k-will-please-dont", "yunho-thank-u", "bigbang-lies", "bigbang-haru-haru",
    "super-junior-mamacita", "bap-one-shot", "kyuhyun-love-story",
}  # fmt: skip
STORY_IDS = CONTRACT_IDS - {
    "rose-toxic-till-the-end", "v-friends", "seventeen-spell", "aespa-whiplash",
    "lisa-rockstar", "jennie-mantra", "jimin-who", "twice-strategy", "stray-kids-chk-chk-boom",
}  # fmt: skip

DROP = object()  # as a field value in `entry(...)`: leave the field out


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def entry(**fields: Any) -> str:
    """A valid [[mv]] table (VIXX's Error), with fields replaced, added or DROPped."""
    base: dict[str, Any] = {
        "id": "vixx-error",
        "title": "Error",
        "artist": "VIXX",
        "year": 2014,
        "release_date": "2014-10-14",
        "themes": ["sci-fi", "romance", "tragedy"],
        "content_warnings": ["death"],
        "sources": ["001_2e998955988a0f92.txt"],
    }
    base.update(fields)
    lines = ["[[mv]]"] + [f"{k} = {toml_value(v)}" for k, v in base.items() if v is not DROP]
    return "\n".join(lines) + "\n"


def catalog_of(*tables: str) -> str:
    return "\n".join(tables)


# --------------------------------------------------------------------------- a valid file


def test_a_minimal_entry_gets_the_defaults() -> None:
    catalog = parse_catalog(entry(content_warnings=DROP, release_date=DROP))
    (mv,) = catalog.entries
    assert mv == MV(
        id="vixx-error", title="Error", title_ko=None, artist="VIXX", group=None, year=2014,
        release_date=None, album=None, cast=(), themes=("sci-fi", "romance", "tragedy"),
        universe=None, universe_order=None, storyline=None, twist=None, content_warnings=(),
        mature=False, aliases=(), sources=("001_2e998955988a0f92.txt",), youtube_url=None,
    )  # fmt: skip


def test_every_field_is_read() -> None:
    text = entry(
        title_ko="에러",
        group="VIXX",
        album="Error",
        cast=[{"name": "Hongbin", "role": "the scientist"}, {"name": "Heo Young-ji"}],
        universe="VIXX cyborg story",
        universe_order=1,
        storyline="A scientist rebuilds the woman he lost.",
        twist="They choose to be taken apart together.",
        mature=True,
        aliases=["에러 빅스"],
        youtube_url="https://www.youtube.com/watch?v=abcdefghijk",
    )
    mv = parse_catalog(text).entries[0]
    assert mv.title_ko == "에러" and mv.group == "VIXX" and mv.album == "Error"
    assert mv.release_date == date(2014, 10, 14)
    assert mv.cast == (CastMember("Hongbin", "the scientist"), CastMember("Heo Young-ji", None))
    assert (mv.universe, mv.universe_order) == ("VIXX cyborg story", 1)
    assert mv.storyline and mv.twist and mv.mature
    assert mv.aliases == ("에러 빅스",)
    assert mv.youtube_url == "https://www.youtube.com/watch?v=abcdefghijk"


def test_a_bare_toml_date_is_accepted_as_release_date() -> None:
    mv = parse_catalog(entry(release_date=date(2014, 10, 14))).entries[0]
    assert mv.release_date == date(2014, 10, 14)


# --------------------------------------------------------------------------- broken entries

THEME_LIST = ", ".join(sorted(THEMES))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            entry(titel="Error"),
            "entry 'vixx-error': field 'titel': unknown field; did you mean 'title'?",
            id="unknown-field",
        ),
        pytest.param(
            entry(themes=["scifi"]),
            f"entry 'vixx-error': field 'themes': unknown theme 'scifi' (known: {THEME_LIST}); did you mean 'sci-fi'?",
            id="unknown-theme",
        ),
        pytest.param(
            entry(content_warnings=["gore"]),
            "entry 'vixx-error': field 'content_warnings': unknown content warning 'gore' (known: alcohol, blood,",
            id="unknown-warning",
        ),
        pytest.param(
            entry(themes=["romance", "romance"]),
            "field 'themes': theme 'romance' is listed twice",
            id="repeated-theme",
        ),
        pytest.param(
            entry(themes=[]),
            "entry 'vixx-error': field 'themes': needs at least one theme",
            id="no-theme",
        ),
        pytest.param(
            entry(themes="sci-fi"),
            "field 'themes': expected an array of strings, got string 'sci-fi'",
            id="themes-not-array",
        ),
        pytest.param(
            entry(title=DROP),
            "entry 'vixx-error': field 'title': missing (required)",
            id="missing-title",
        ),
        pytest.param(
            entry(title="  "),
            "entry 'vixx-error': field 'title': must not be empty",
            id="empty-title",
        ),
        pytest.param(
            entry(artist=["VIXX"]),
            "entry 'vixx-error': field 'artist': expected a string, got array ['VIXX']",
            id="artist-not-string",
        ),
        pytest.param(entry(id=DROP), "entry #1: field 'id': missing (required)", id="missing-id"),
        pytest.param(
            entry(id="Vixx Error"),
            "entry #1: field 'id': 'Vixx Error' is not a slug (lowercase letters, digits and single hyphens",
            id="bad-slug",
        ),
        pytest.param(
            entry(id="vixx--error"),
            "entry #1: field 'id': 'vixx--error' is not a slug",
            id="double-hyphen-slug",
        ),
        pytest.param(
            entry(year="2014"),
            "entry 'vixx-error': field 'year': expected an integer, got string '2014'",
            id="year-not-int",
        ),
        pytest.param(entry(year=True), "field 'year': expected an integer, got boolean True", id="year-bool"),
        pytest.param(
            entry(year=20144),
            "field 'year': 20144 is not a plausible year (1900-2100)",
            id="year-implausible",
        ),
        pytest.param(
            entry(year=DROP, release_date=DROP),
            "field 'year': missing (required)",
            id="missing-year",
        ),
        pytest.param(
            entry(release_date="2014-02-30"),
            "entry 'vixx-error': field 'release_date': '2014-02-30' is not a date (expected YYYY-MM-DD)",
            id="bad-date",
        ),
        pytest.param(
            entry(release_date="14/10/2014"),
            "field 'release_date': '14/10/2014' is not a date (expected YYYY-MM-DD)",
            id="date-format",
        ),
        pytest.param(
            entry(release_date=20141014),
            "field 'release_date': expected a string YYYY-MM-DD, got integer 20141014",
            id="date-type",
        ),
        pytest.param(
            entry(release_date="2015-10-14"),
            "field 'release_date': 2015-10-14 is not in the entry's year 2014",
            id="date-other-year",
        ),
        pytest.param(
            entry(universe="VIXX story"),
            "entry 'vixx-error': field 'universe_order': missing (required when 'universe' is set)",
            id="universe-no-order",
        ),
        pytest.param(
            entry(universe_order=2),
            "field 'universe': missing (required when 'universe_order' is set)",
            id="order-no-universe",
        ),
        pytest.param(
            entry(universe="VIXX story", universe_order=0),
            "field 'universe_order': must be 1 or more, got 0",
            id="order-zero",
        ),
        pytest.param(
            entry(mature="yes"),
            "field 'mature': expected true or false, got string 'yes'",
            id="mature-not-bool",
        ),
        pytest.param(
            entry(cast=["Hongbin"]),
            "field 'cast': item 1: expected a table { name = …, role = … }, got string",
            id="cast-not-table",
        ),
        pytest.param(
            entry(cast=[{"role": "the scientist"}]),
            "field 'cast': item 1: 'name' must be a non-empty string",
            id="cast-no-name",
        ),
        pytest.param(
            entry(cast=[{"name": "Hongbin", "part": "lead"}]),
            "field 'cast': item 1: unknown key 'part' (known: name, role)",
            id="cast-unknown-key",
        ),
        pytest.param(
            entry(aliases=["Error", 7]),
            "field 'aliases': item 2: expected a non-empty string, got integer 7",
            id="alias-not-string",
        ),
        pytest.param(
            entry(aliases=["?!"]),
            "entry 'vixx-error': field 'aliases': alias '?!' has no letters or digits",
            id="alias-no-letters",
        ),
        pytest.param(entry(sources=[]), "field 'sources': needs at least one source", id="no-source"),
        pytest.param(entry(sources=DROP), "field 'sources': missing (required)", id="missing-sources"),
        pytest.param(
            entry(sources=["wikipedia"]),
            "field 'sources': 'wikipedia' is neither a seed file name",
            id="bad-source",
        ),
        pytest.param(
            entry(youtube_url="https://www.youtube.com/results?search_query=vixx"),
            "field 'youtube_url': 'https://www.youtube.com/results?search_query=vixx' is not a YouTube video link",
            id="youtube-not-video",
        ),
    ],
)
def test_a_broken_entry_is_named_with_its_field(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, source="mvs.toml")
    assert str(caught.value).startswith("mvs.toml: ")
    assert message in str(caught.value)


def test_entries_without_an_id_are_named_by_position() -> None:
    text = catalog_of(entry(), entry(id=DROP, title="Hyde", themes=["scifi"]))
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert "entry #2: field 'id': missing (required)" in caught.value.problems
    assert any(p.startswith("entry #2: field 'themes': unknown theme") for p in caught.value.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            catalog_of(entry(), entry(title="Hyde")),
            "entry #2: field 'id': duplicate id 'vixx-error' (already used by entry #1)",
            id="duplicate-id",
        ),
        pytest.param(
            catalog_of(entry(aliases=["Rosé"]), entry(id="hyde", title="Hyde", aliases=["ROSE"])),
            "entry 'hyde': field 'aliases': alias 'ROSE' is already an alias of entry 'vixx-error'",
            id="duplicate-alias-after-normalisation",
        ),
        pytest.param(
            catalog_of(entry(title="Haru Haru"), entry(id="hyde", title="Hyde", aliases=["haru-haru"])),
            "entry 'hyde': field 'aliases': alias 'haru-haru' is the title of entry 'vixx-error'",
            id="alias-is-another-title",
        ),
        pytest.param(
            catalog_of(entry(id="hyde", title="Hyde", aliases=["에러"]), entry(title_ko="에러")),
            "entry 'hyde': field 'aliases': alias '에러' is the title of entry 'vixx-error'",
            id="alias-is-another-hangul-title",
        ),
        pytest.param(
            catalog_of(
                entry(universe="VIXX story", universe_order=1),
                entry(id="hyde", title="Hyde", universe="VIXX story", universe_order=1),
            ),
            "entry 'hyde': field 'universe_order': 'VIXX story' already has order 1 (entry 'vixx-error')",
            id="duplicate-universe-order",
        ),
        pytest.param(
            catalog_of(
                entry(universe="VIXX story", universe_order=1),
                entry(id="hyde", title="Hyde", universe="Vixx Story", universe_order=2),
            ),
            "entry 'hyde': field 'universe': 'Vixx Story' is spelt 'VIXX story' in entry 'vixx-error'",
            id="universe-spelt-two-ways",
        ),
    ],
)
def test_problems_across_entries_name_both(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=None) as caught:
        parse_catalog(text)
    assert message in str(caught.value)


def test_an_alias_may_repeat_its_own_title() -> None:
    catalog = parse_catalog(entry(aliases=["ERROR", "Eror"]))
    assert catalog.entries[0].aliases == ("ERROR", "Eror")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[[mv]\nid = 1", "<string>: not valid TOML: ", id="not-toml"),
        pytest.param("", "<string>: no entries: expected [[mv]] tables", id="empty"),
        pytest.param("[mv]\nid = 'x'", "no entries: expected [[mv]] tables, got table", id="table"),
        pytest.param("mv = [1]", "entry #1: expected a table ([[mv]]), got integer 1", id="not-a-table"),
        pytest.param(entry() + "\n[[mvs]]\nid = 'x'\n", "unknown top-level key 'mvs'", id="top-level"),
    ],
)
def test_a_broken_document_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    text = catalog_of(entry(year="2014"), entry(id="hyde", title="Hyde", themes=["scifi"]))
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, source="mvs.toml")
    message = str(caught.value)
    assert message.startswith("mvs.toml: 2 problems:\n")
    assert "  - entry 'vixx-error': field 'year': expected an integer" in message
    assert "  - entry 'hyde': field 'themes': unknown theme 'scifi'" in message
    assert len(caught.value.problems) == 2


def test_the_constructor_refuses_duplicate_ids() -> None:
    mv = parse_catalog(entry()).entries[0]
    with pytest.raises(CatalogError, match="entry 'vixx-error': field 'id': duplicate id"):
        Catalog([mv, mv])


# --------------------------------------------------------------------------- the model


def make_mv(**fields: Any) -> MV:
    base = parse_catalog(entry()).entries[0]
    return MV(**{name: getattr(base, name) for name in MV.__dataclass_fields__} | fields)


def test_display_name_and_credit() -> None:
    mv = make_mv(title="toxic till the end", artist="ROSÉ", group="BLACKPINK", year=2024)
    assert mv.display_name == "toxic till the end — ROSÉ (2024)"
    assert mv.credit == "ROSÉ (BLACKPINK)"
    assert make_mv(artist="EXO", group=None).credit == "EXO"
    assert make_mv(artist="EXO", group="exo").credit == "EXO"


def test_a_long_title_gives_way_in_display_name() -> None:
    mv = make_mv(title="STRATEGY " * 20, artist="TWICE", year=2024)
    assert len(mv.display_name) == 100
    assert mv.display_name.endswith("… — TWICE (2024)")


@settings(max_examples=60, deadline=None)
@given(title=st.text(min_size=1, max_size=300), artist=st.text(min_size=1, max_size=300))
def test_display_name_always_fits_discord(title: str, artist: str) -> None:
    assert len(make_mv(title=title, artist=artist).display_name) <= 100


def test_youtube_link_is_the_video_or_a_search() -> None:
    assert make_mv(youtube_url="https://youtu.be/abcdefghijk").youtube_link == ("https://youtu.be/abcdefghijk")
    assert make_mv(youtube_url=None).youtube_link == ("https://www.youtube.com/results?search_query=VIXX+Error+MV")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=abcdefghijk",
        "https://youtube.com/watch?v=abcdefghijk&t=42s",
        "https://m.youtube.com/watch?feature=share&v=abcdefghijk",
        "https://music.youtube.com/watch?v=abcdefghijk",
        "https://youtu.be/abcdefghijk?si=x1",
    ],
)
def test_a_youtube_link_is_stored_as_its_watch_url(url: str) -> None:
    (mv,) = parse_catalog(entry(youtube_url=url)).entries
    assert mv.youtube_url == mv.youtube_link == "https://www.youtube.com/watch?v=abcdefghijk"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/results?search_query=vixx",
        "https://www.youtube.com/watch?v=tooshort",
        "https://www.youtube.com/@SMTOWN",
        "https://youtube.com.example.com/watch?v=abcdefghijk",
        "https://vimeo.com/abcdefghijk",
    ],
)
def test_any_other_link_is_refused_with_the_accepted_forms(url: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(entry(youtube_url=url))
    message = str(caught.value)
    assert f"field 'youtube_url': {url!r} is not a YouTube video link" in message
    assert "youtu.be" in message and "music.youtube.com" in message


def test_shipped_direct_links_are_watch_urls_with_a_cited_source() -> None:
    linked = [mv for mv in load_catalog().entries if mv.youtube_url]
    assert any(mv.id == "bigbang-haru-haru" for mv in linked)
    for mv in linked:
        assert mv.youtube_url and mv.youtube_url.startswith("https://www.youtube.com/watch?v=")
        assert any("://" in source for source in mv.sources), mv.id


# --------------------------------------------------------------------------- the shipped file


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def ids(mvs: list[MV]) -> list[str]:
    return [mv.id for mv in mvs]


def test_the_shipped_catalog_has_the_contract_entries(catalog: Catalog) -> None:
    assert {mv.id for mv in catalog.entries} >= CONTRACT_IDS
    for mv_id in STORY_IDS:
        assert catalog.get(mv_id).storyline  # type: ignore[union-attr]
    assert all(len(mv.display_name) <= 100 for mv in catalog.entries)
    assert catalog.get("no-such-mv") is None


def test_filter_by_artist_takes_the_group_and_its_members(catalog: Catalog) -> None:
    blackpink = catalog.filter(artist="blackpink")
    assert set(ids(blackpink)) == {"rose-toxic-till-the-end", "lisa-rockstar", "jennie-mantra"}
    assert blackpink == sorted(blackpink, key=lambda mv: (mv.year, mv.release_date or date.max))
    assert ids(catalog.filter(artist="Rose")) == ["rose-toxic-till-the-end"]
    assert set(ids(catalog.by_artist("BTS"))) == {
        "bts-run",
        "bts-i-need-u",
        "v-friends",
        "jimin-who",
    }
    assert catalog.by_artist("b.a.p") == [catalog.get("bap-one-shot")]
    assert catalog.by_artist("nobody") == []


def test_filter_by_theme_year_and_universe(catalog: Catalog) -> None:
    sci_fi = catalog.filter(theme="Sci-Fi")
    assert sci_fi and all("sci-fi" in mv.themes for mv in sci_fi)
    assert "vixx-error" in ids(sci_fi)
    assert set(ids(catalog.filter(year=2024))) >= {"v-friends", "jimin-who", "aespa-whiplash"}
    assert all(mv.year == 2024 for mv in catalog.filter(year=2024))
    exo = catalog.filter(universe="exo superpower story")
    assert ids(exo)[0] == "exo-mama" and len(exo) == 5
    assert ids(catalog.filter(universe="bangtan universe")) == ["bts-i-need-u", "bts-run"]
    both = catalog.filter(artist="EXO", theme="action", year=2016)
    assert both and all(mv.artist == "EXO" and mv.year == 2016 for mv in both)
    assert catalog.filter(theme="horror", year=1999) == []
    assert catalog.filter(artist=" ") == catalog.filter(universe="!") == []  # blank: no match


def test_universe_neighbours(catalog: Catalog) -> None:
    order = [mv.id for _, members in catalog.universes() for mv in members if mv.artist == "EXO"]
    assert order[0] == "exo-mama"
    middle = catalog.get(order[1])
    assert middle is not None
    before, after = catalog.universe_neighbours(middle)
    assert (before and before.id, after and after.id) == (order[0], order[2])
    first = catalog.get(order[0])
    assert first is not None and catalog.universe_neighbours(first)[0] is None
    last = catalog.get(order[-1])
    assert last is not None and catalog.universe_neighbours(last)[1] is None
    loner = catalog.get("vixx-error")
    assert loner is not None and catalog.universe_neighbours(loner) == (None, None)


def test_artists_themes_and_storylines(catalog: Catalog) -> None:
    artists = catalog.artists()
    assert {"BLACKPINK", "ROSÉ", "BTS", "V", "TVXQ", "U-Know Yunho"} <= set(artists)
    assert artists == sorted(artists, key=normalize)
    themes = catalog.themes_with_counts()
    assert sum(count for _, count in themes) == sum(len(mv.themes) for mv in catalog.entries)
    assert [count for _, count in themes] == sorted((count for _, count in themes), reverse=True)
    assert {theme for theme, _ in themes} <= THEMES
    assert all(w in WARNINGS for mv in catalog.entries for w in mv.content_warnings)
    stories = catalog.with_storyline()
    assert ids(stories) == [mv.id for mv in catalog.entries if mv.storyline]


def test_artists_by_any_spelling_and_by_part(catalog: Catalog) -> None:
    assert catalog.artist_named("rose") == "ROSÉ" and catalog.artist_named("u know yunho") == "U-Know Yunho"
    assert catalog.artist_named("nobody at all") is None
    found = catalog.artists_matching("b", limit=25)
    starting = [name for name in found if normalize(name).startswith("b")]
    assert {"BLACKPINK", "BTS"} <= set(found) and found[: len(starting)] == starting
    assert catalog.artists_matching("", limit=3) == catalog.artists()[:3]


# --------------------------------------------------------------------------- `check`


def test_check_prints_a_summary_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert f"{CATALOG_PATH}: OK" in out
    assert "26 entries" in out and "universe 'EXO superpower story': 5 entries" in out
    assert "with storyline: " in out and "mature: 1" in out
    assert "content warnings (" in out and "sources: " in out
    assert "own words: " in out


def test_check_fails_on_a_phrase_copied_from_a_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_article.txt").write_text(
        "After Youngji dies, Hongbin turns himself into a cyborg to rid himself of the pain.",
        encoding="utf-8",
    )
    copied = tmp_path / "copied.toml"
    copied.write_text(
        entry(storyline="Grieving, Hongbin Turns Himself into a Cyborg, to forget."),
        encoding="utf-8",
    )
    assert main(["check", str(copied), "--seeds", str(seeds)]) == 1
    err = capsys.readouterr().err
    assert "copied.toml: 1 copied phrase:" in err
    assert (
        "entry 'vixx-error': field 'storyline': shares “hongbin turns himself into a cyborg to” "
        "with 001_article.txt; write it in our own words"
    ) in err
    fresh = tmp_path / "fresh.toml"
    fresh.write_text(entry(storyline="Hongbin rebuilds his own body with machine parts."))
    assert main(["check", str(fresh), "--seeds", str(seeds)]) == 0
    assert "own words: no run of 5+ words shared with the 1 seed articles" in capsys.readouterr().out
    assert main(["check", str(fresh), "--seeds", str(tmp_path / "nowhere")]) == 1
    assert "no such directory" in capsys.readouterr().err


def test_shared_phrases_are_joined_and_never_shorter_than_five_words() -> None:
    mv = parse_catalog(
        entry(
            storyline="One two three four five six, then something new. A b c d.",
            twist="x one two three four y",
        )
    ).entries[0]
    sources = {"s.txt": "ONE two three four five six seven; a b c d e"}
    assert shared_phrases([mv], sources) == [
        SharedPhrase("vixx-error", "storyline", "one two three four five six", "s.txt")
    ]


@pytest.mark.skipif(not DEFAULT_SEEDS_DIR.is_dir(), reason="seed articles not checked out")
def test_the_shipped_storylines_are_in_our_own_words(catalog: Catalog) -> None:
    seeds = read_seeds(DEFAULT_SEEDS_DIR)
    assert seeds
    assert [str(p) for p in shared_phrases(catalog.entries, seeds)] == []


def test_check_prints_the_problems_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "mvs.toml"
    broken.write_text(entry(themes=["scifi"]), encoding="utf-8")
    assert main(["check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}: entry 'vixx-error': field 'themes': unknown theme 'scifi'" in err
    assert main(["check", str(tmp_path / "missing.toml")]) == 1
    assert "cannot read the catalog" in capsys.readouterr().err


def test_check_runs_as_a_module(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.catalog", "check"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "26 entries" in ok.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(entry(universe="VIXX story"), encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "bot.catalog", "check", str(broken)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    assert "field 'universe_order': missing (required when 'universe' is set)" in failed.stderr
