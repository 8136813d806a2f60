"""The pure `/mv` builders over every catalog entry, and over generated worst cases."""

from __future__ import annotations

import dataclasses
from datetime import date

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import MV, THEMES, WARNINGS, CastMember, Catalog, load_catalog
from bot.catalog.model import YOUTUBE_SEARCH_URL
from cogs.mv.render import (
    MATURE_NOTE,
    STANDALONE,
    WARNING_PREFIX,
    build_artist_embed,
    build_mv_embed,
    build_search_embed,
    build_themes_embed,
    join_lines,
    no_result_message,
    option_description,
    option_label,
    page_count,
    search_heading,
    spoiler,
)
from cogs.mv.views import card_link_view

CATALOG = load_catalog()
ENTRY_IDS = [mv.id for mv in CATALOG.entries]


# --------------------------------------------------------------------------- helpers


def embed_texts(embed: discord.Embed) -> list[str]:
    """Every piece of text Discord shows from an embed."""
    data = embed.to_dict()
    texts = [data.get("title", ""), data.get("description", "")]
    texts += [part for f in data.get("fields", []) for part in (f["name"], f["value"])]
    texts += [data.get("footer", {}).get("text", ""), data.get("author", {}).get("name", "")]
    return [text for text in texts if text]


def outside_spoilers(text: str) -> str:
    """The parts of `text` not between `||` pairs (even segments of a split on the bars)."""
    return "\x00".join(text.split("||")[0::2])


def inside_spoilers(text: str) -> str:
    return "\x00".join(text.split("||")[1::2])


def assert_within_discord_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert 1 <= len(field["name"]) <= 256
        assert 1 <= len(field["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(embed) <= 6000


def assert_spoilers_balanced(embed: discord.Embed) -> None:
    for text in embed_texts(embed):
        assert text.count("||") % 2 == 0, text


def field(embed: discord.Embed, name: str) -> str:
    found = [f.value for f in embed.fields if f.name == name]
    assert found, f"no field {name!r} in {[f.name for f in embed.fields]}"
    return str(found[0])


def card(mv_id: str, *, age_restricted: bool = False) -> discord.Embed:
    mv = CATALOG.get(mv_id)
    assert mv is not None
    return build_mv_embed(mv, CATALOG, age_restricted_channel=age_restricted)


# --------------------------------------------------------------------------- every entry


@pytest.mark.parametrize("age_restricted", [False, True], ids=["normal", "age-restricted"])
@pytest.mark.parametrize("mv_id", ENTRY_IDS)
def test_every_entry_renders_within_limits_with_twist_hidden_and_warnings_shown(
    mv_id: str, age_restricted: bool
) -> None:
    mv = CATALOG.get(mv_id)
    assert mv is not None
    embed = build_mv_embed(mv, CATALOG, age_restricted_channel=age_restricted)
    assert_within_discord_limits(embed)
    assert_spoilers_balanced(embed)
    texts = embed_texts(embed)
    if mv.twist:
        assert not any(mv.twist in outside_spoilers(text) for text in texts)
        shown = any(mv.twist in inside_spoilers(text) for text in texts)
        assert shown == (age_restricted or not mv.mature)
    if mv.content_warnings:
        description = outside_spoilers(embed.description or "")
        assert WARNING_PREFIX + ", ".join(mv.content_warnings) in description
    assert embed.title and mv.title in embed.title
    assert mv.artist in field(embed, "Artist")


def test_every_catalog_entry_is_covered() -> None:
    assert len(ENTRY_IDS) == len(CATALOG.entries) >= 26
    assert sum(1 for mv in CATALOG.entries if mv.twist) >= 1
    assert sum(1 for mv in CATALOG.entries if mv.content_warnings) >= 1


def test_card_shows_the_facts_of_an_entry() -> None:
    embed = card("rose-toxic-till-the-end")
    assert embed.title == "toxic till the end"
    assert field(embed, "Artist") == "ROSÉ (BLACKPINK)"
    assert field(embed, "Released") == "December 6, 2024"  # Babel's long date, in the reader's language
    assert field(embed, "Album") == "rosie"
    assert field(embed, "Themes") == "romance, breakup, retro"
    assert "Evan Mock — the boyfriend" in field(embed, "Cast")
    twist = field(embed, "Twist (spoiler)")
    assert twist.startswith("||") and twist.endswith("||")
    mv = CATALOG.get("rose-toxic-till-the-end")
    assert mv is not None and mv.storyline
    assert embed.description == mv.storyline
    assert embed.url == mv.youtube_link
    assert embed.footer.text is not None
    assert "000_62f9fa6d10a3f177.txt" in embed.footer.text
    assert "hercampus.com" in embed.footer.text


async def test_card_and_button_link_the_video_itself_when_its_id_is_known() -> None:
    mv = CATALOG.get("bigbang-haru-haru")
    assert mv is not None
    direct = "https://www.youtube.com/watch?v=MzCbEdtNbJ0"
    assert card("bigbang-haru-haru").url == direct
    (button,) = card_link_view(mv).children
    assert isinstance(button, discord.ui.Button)
    assert (button.url, button.label) == (direct, "Watch on YouTube")


async def test_card_and_button_search_youtube_without_a_known_id() -> None:
    mv = CATALOG.get("rose-toxic-till-the-end")
    assert mv is not None and mv.youtube_url is None
    search = YOUTUBE_SEARCH_URL + "ROS%C3%89+toxic+till+the+end+MV"
    assert card("rose-toxic-till-the-end").url == search
    (button,) = card_link_view(mv).children
    assert isinstance(button, discord.ui.Button)
    assert (button.url, button.label) == (search, "Find it on YouTube")


def test_card_title_carries_the_hangul_title() -> None:
    assert card("bigbang-haru-haru").title == "Haru Haru (하루하루)"


def test_warning_line_comes_before_the_storyline_outside_any_spoiler() -> None:
    embed = card("vixx-error")
    description = embed.description or ""
    assert description.startswith(WARNING_PREFIX)
    first_line = description.splitlines()[0]
    assert "||" not in first_line


def test_universe_field_names_previous_and_next() -> None:
    mv = CATALOG.get("exo-power")
    assert mv is not None and mv.universe
    before, after = CATALOG.universe_neighbours(mv)
    value = field(card("exo-power"), "Universe")
    assert value.startswith(mv.universe)
    assert "part " in value
    if before is not None:
        assert f"◀ Previous: {before.display_name}" in value
    if after is not None:
        assert f"▶ Next: {after.display_name}" in value
    assert before is not None or after is not None
    assert value.endswith(f"The whole story: `/mv search universe:{mv.universe}`")
    assert "Universe" not in [f.name for f in card("vixx-error").fields]


def test_mature_entry_in_a_normal_channel_is_reduced() -> None:
    mv = CATALOG.get("yunho-thank-u")
    assert mv is not None and mv.mature and mv.storyline and mv.twist
    embed = card("yunho-thank-u", age_restricted=False)
    description = embed.description or ""
    assert str(MATURE_NOTE) in outside_spoilers(description)
    assert WARNING_PREFIX + ", ".join(mv.content_warnings) in outside_spoilers(description)
    assert mv.storyline in inside_spoilers(description)
    assert mv.storyline not in outside_spoilers(description)
    assert all(mv.twist not in text for text in embed_texts(embed))
    assert "Cast" not in [f.name for f in embed.fields]
    assert mv.title in (embed.title or "") and "U-Know Yunho" in field(embed, "Artist")


def test_mature_entry_in_an_age_restricted_channel_is_complete() -> None:
    mv = CATALOG.get("yunho-thank-u")
    assert mv is not None and mv.storyline and mv.twist
    embed = card("yunho-thank-u", age_restricted=True)
    description = embed.description or ""
    assert str(MATURE_NOTE) not in description
    assert mv.storyline in outside_spoilers(description)
    assert field(embed, "Twist (spoiler)") == f"||{mv.twist}||"
    assert "Hwang Jung-min" in field(embed, "Cast")


# --------------------------------------------------------------------------- worst cases

_words = st.text(alphabet=st.sampled_from("abcdé |*_~`하루"), min_size=0, max_size=12)
_long_text = st.lists(_words, min_size=1, max_size=900).map(" ".join)


@st.composite
def huge_entries(draw: st.DrawFn) -> MV:
    """An entry with every field as long and awkward (pipes, markdown) as validation allows."""
    twist = "TWISTMARK " + draw(_long_text) + " TWISTMARK"
    universe = draw(st.sampled_from([None, "U" * 300]))
    return MV(
        id="x" * draw(st.integers(1, 90)),
        title=draw(st.text(min_size=1, max_size=400)).strip() or "t",
        title_ko=draw(st.one_of(st.none(), st.text(min_size=1, max_size=300))),
        artist=draw(st.text(min_size=1, max_size=300)).strip() or "a",
        group=draw(st.one_of(st.none(), st.text(min_size=1, max_size=300))),
        year=2020,
        release_date=draw(st.one_of(st.none(), st.just(date(2020, 2, 29)))),
        album=draw(st.one_of(st.none(), st.text(min_size=1, max_size=600))),
        cast=tuple(
            CastMember(draw(_long_text)[:200] or "n", draw(st.one_of(st.none(), _long_text)))
            for _ in range(draw(st.integers(0, 40)))
        ),
        themes=tuple(draw(st.lists(st.sampled_from(sorted(THEMES)), min_size=1, unique=True))),
        universe=universe,
        universe_order=1 if universe else None,
        storyline=draw(st.one_of(st.none(), _long_text)),
        twist=twist,
        content_warnings=tuple(draw(st.lists(st.sampled_from(sorted(WARNINGS)), unique=True))),
        mature=draw(st.booleans()),
        aliases=(),
        sources=tuple(draw(st.lists(_long_text, min_size=1, max_size=30))),
        youtube_url=None,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mv=huge_entries(), age_restricted=st.booleans())
def test_any_entry_fits_and_never_leaks_its_twist(mv: MV, age_restricted: bool) -> None:
    catalog = Catalog([mv, dataclasses.replace(mv, id="neighbour", universe_order=2)])
    embed = build_mv_embed(mv, catalog, age_restricted_channel=age_restricted)
    assert_within_discord_limits(embed)
    assert_spoilers_balanced(embed)
    for text in embed_texts(embed):
        assert "TWISTMARK" not in outside_spoilers(text)
    description = outside_spoilers(embed.description or "")
    if mv.content_warnings:
        assert WARNING_PREFIX + ", ".join(mv.content_warnings) in description


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("limit", [5, 6, 20, 1024])
def test_a_cut_spoiler_keeps_both_bars(limit: int) -> None:
    text = spoiler("a reveal with | a bar " * 100, limit)
    assert len(text) <= limit
    assert text.startswith("||") and text.endswith("||") and text.count("||") == 2


def test_spoiler_with_no_room_is_empty() -> None:
    assert spoiler("reveal", 4) == ""


def test_join_lines_keeps_whole_lines_and_counts_the_rest() -> None:
    lines = [f"line number {n}" for n in range(100)]
    text = join_lines(lines, 100)
    assert len(text) <= 100
    assert text.splitlines()[-1].startswith("… and ")
    shown = text.splitlines()[:-1]
    assert shown == lines[: len(shown)]
    assert int(text.splitlines()[-1].split()[2]) == 100 - len(shown)
    assert join_lines(["a", "b"], 100) == "a\nb"


# --------------------------------------------------------------------------- lists


def test_search_page_numbers_continue_across_pages() -> None:
    results = CATALOG.filter()
    embed = build_search_embed(results, heading="“x”", page=1, per_page=10)
    lines = (embed.description or "").splitlines()
    assert lines[0].startswith("`11.`") and results[10].title in lines[0]
    pages = page_count(len(results))
    assert embed.footer.text is not None
    assert embed.footer.text.startswith(f"Page 2 of {pages} · {len(results)} MVs")
    assert_within_discord_limits(embed)


def test_search_page_is_clamped_and_marks_mature_entries() -> None:
    mv = CATALOG.get("yunho-thank-u")
    assert mv is not None
    embed = build_search_embed([mv], heading="“yunho”", page=7)
    assert embed.footer.text is not None and embed.footer.text.startswith("Page 1 of 1 · 1 MV ")
    assert "🔞" in (embed.description or "")


def test_search_page_with_huge_entries_fits() -> None:
    base = CATALOG.entries[0]
    results = [dataclasses.replace(base, id=f"e{n}", title="T" * 400) for n in range(100)]
    for page in range(page_count(len(results))):
        assert_within_discord_limits(build_search_embed(results, heading="h" * 300, page=page))


def test_search_heading_names_the_filters() -> None:
    heading = search_heading("haru", artist="BIGBANG", theme="tragedy", year=2008)
    assert heading == "“haru” · artist BIGBANG · theme tragedy · 2008"
    assert search_heading("", universe="EXO superpower story") == "universe EXO superpower story"
    assert search_heading("") == "every MV"


def test_select_option_texts_fit() -> None:
    for mv in CATALOG.entries:
        assert 1 <= len(option_label(mv)) <= 100
        assert 1 <= len(option_description(mv)) <= 100


def test_no_result_message_lists_suggestions() -> None:
    suggestions = CATALOG.suggestions("eror vixxx")
    text = no_result_message("eror *vixxx*", suggestions)
    assert "eror \\*vixxx\\*" in text
    for mv in suggestions:
        assert f"• {mv.display_name}" in text
    assert len(no_result_message("q" * 5000, CATALOG.entries[:25])) <= 2000
    assert "/mv themes" in no_result_message("zzzz", [])


def test_group_artist_list_includes_members_solo_mvs() -> None:
    mvs = CATALOG.by_artist("BLACKPINK")
    embed = build_artist_embed("BLACKPINK", mvs)
    text = "\n".join(f.value or "" for f in embed.fields)
    for soloist in ("ROSÉ", "LISA", "JENNIE"):
        assert f"— {soloist}" in text
    assert "solo MV" in (embed.description or "")
    assert_within_discord_limits(embed)


def test_artist_list_is_grouped_by_universe_in_release_order() -> None:
    mvs = CATALOG.by_artist("EXO")
    embed = build_artist_embed("EXO", mvs)
    names = [f.name for f in embed.fields]
    assert "EXO superpower story" in names
    in_universe = [mv for mv in mvs if mv.universe == "EXO superpower story"]
    lines = field(embed, "EXO superpower story").splitlines()
    assert [line.split("**")[1] for line in lines] == [mv.title for mv in in_universe]
    if any(mv.universe is None for mv in mvs):
        assert names[-1] == str(STANDALONE)


def test_artist_list_with_many_universes_fits() -> None:
    base = CATALOG.entries[0]
    mvs = [dataclasses.replace(base, id=f"e{n}", title="T" * 90, universe=f"Universe {n % 40}") for n in range(600)]
    assert_within_discord_limits(build_artist_embed("Act", mvs))


def test_themes_list_shows_each_count_and_the_unused_ones() -> None:
    counts = CATALOG.themes_with_counts()
    embed = build_themes_embed(counts)
    description = embed.description or ""
    for theme, count in counts:
        assert f"`{theme}` — {count} MV" in description
    for theme in THEMES - {theme for theme, _ in counts}:
        assert f"`{theme}`" in description.split("No MVs yet:")[1]
    assert_within_discord_limits(embed)
