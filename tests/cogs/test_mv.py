"""`/mv` end to end: the real bot against the fake Discord, asserting what Discord received."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest

from bot.catalog import MV, load_catalog
from bot.client import LightstickBot
from cogs.mv.cog import MVCog
from cogs.mv.render import MATURE_NOTE, WARNING_PREFIX, card_title
from cogs.mv.views import NOT_YOURS
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, InteractionRecord, Member

EPHEMERAL = 64
CATALOG = load_catalog()
JSON = dict[str, Any]


@dataclass
class World:
    fake: FakeDiscord
    bot: LightstickBot
    guild: Guild
    general: JSON
    after_dark: JSON
    fan: Member

    @property
    def cog(self) -> Any:
        """The loaded MV cog (extensions are re-imported per bot, so match by class name)."""
        cog = self.bot.get_cog("MV")
        assert type(cog).__name__ == MVCog.__name__
        return cog

    async def slash(self, command: str, *, channel: JSON | None = None, **options: Any) -> JSON:
        record = await self.fake.slash(command, self.guild, channel or self.general, self.fan, **options)
        return await record.response()

    async def run(self, command: str, **options: Any) -> InteractionRecord:
        return await self.fake.slash(command, self.guild, self.general, self.fan, **options)


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> World:
    guild = fake.add_guild(channels=("general",), nsfw_channels=("after-dark",))
    bot = await bots.start()
    return World(
        fake, bot, guild, fake.channel(guild, "general"), fake.channel(guild, "after-dark"),
        fake.add_member(guild, "fan"),
    )  # fmt: skip


def entry(mv_id: str) -> MV:
    mv = CATALOG.get(mv_id)
    assert mv is not None
    return mv


def only_embed(body: JSON) -> JSON:
    embeds = body["data"]["embeds"]
    assert len(embeds) == 1
    return dict(embeds[0])


def field_value(embed: JSON, name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == name), None)


def components(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row["components"]]


def select_menu(message: JSON) -> JSON:
    return next(c for c in components(message) if c["type"] == 3)


def button(message: JSON, emoji: str) -> JSON:
    return next(c for c in components(message) if c["type"] == 2 and c.get("emoji", {}).get("name") == emoji)


def is_ephemeral(body: JSON) -> bool:
    return bool(body["data"].get("flags", 0) & EPHEMERAL)


# --------------------------------------------------------------------------- definitions


async def test_every_mv_command_and_option_is_described(world: World) -> None:
    mv = next(c for c in world.fake.commands["global"] if c["name"] == "mv")
    assert 1 <= len(mv["description"]) <= 100
    subcommands = {sub["name"]: sub for sub in mv["options"]}
    assert {"show", "search", "random", "artist", "themes"} <= set(subcommands)  # and the curation, pack commands
    for sub in subcommands.values():
        assert sub["type"] == 1 and 1 <= len(sub["description"]) <= 100
        for option in sub.get("options", []):
            assert option["description"] not in ("", "…"), (sub["name"], option["name"])
            assert len(option["description"]) <= 100
    autocompleted = {
        (sub["name"], o["name"]) for sub in subcommands.values() for o in sub.get("options", [])
        if o.get("autocomplete")
    }  # fmt: skip
    assert autocompleted == {
        ("show", "mv"), ("artist", "name"), ("search", "artist"), ("search", "theme"),
        ("search", "universe"), ("random", "artist"), ("random", "theme"),
        ("edit", "mv"), ("remove", "mv"), ("history", "mv"),  # this server's own entries (curation)
    }  # fmt: skip


# --------------------------------------------------------------------------- autocomplete


async def test_autocomplete_answers_with_at_most_25_short_choices(world: World) -> None:
    for typed in ("haru", "하루", "eror vixx", ""):
        record = await world.fake.autocomplete("mv show", world.guild, world.general, world.fan, focused="mv", mv=typed)
        body = await record.response()
        assert body["type"] == 8
        choices = body["data"]["choices"]
        assert 1 <= len(choices) <= 25
        assert all(1 <= len(choice["name"]) <= 100 for choice in choices)
        assert all(CATALOG.get(choice["value"]) for choice in choices)
        if typed:
            assert choices[0]["value"] == ("vixx-error" if "vixx" in typed else "bigbang-haru-haru")
        else:
            assert len(choices) == 25
    haru = entry("bigbang-haru-haru")
    first = await world.fake.autocomplete("mv show", world.guild, world.general, world.fan, focused="mv", mv="haru")
    assert (await first.response())["data"]["choices"][0]["name"] == haru.display_name


async def test_artist_and_theme_autocomplete(world: World) -> None:
    artists = await world.fake.autocomplete(
        "mv artist", world.guild, world.general, world.fan, focused="name", name="black"
    )
    assert (await artists.response())["data"]["choices"][0]["value"] == "BLACKPINK"
    themes = await world.fake.autocomplete(
        "mv search", world.guild, world.general, world.fan, focused="theme", theme="noi"
    )
    choices = (await themes.response())["data"]["choices"]
    assert choices[0]["value"] == "noir"
    assert choices[0]["name"] == f"noir — {len(CATALOG.filter(theme='noir'))} MVs"


# --------------------------------------------------------------------------- /mv show


async def test_show_posts_the_card_with_spoilered_twist_and_warning_line(world: World) -> None:
    mv = entry("vixx-error")
    assert mv.twist and mv.content_warnings
    body = await world.slash("mv show", mv="vixx-error")
    assert body["type"] == 4 and not is_ephemeral(body)
    embed = only_embed(body)
    assert embed["title"] == card_title(mv)
    assert embed["description"].startswith(WARNING_PREFIX + ", ".join(mv.content_warnings))
    assert field_value(embed, "Twist (spoiler)") == f"||{mv.twist}||"
    assert mv.twist not in embed["description"]
    assert "vixx-error" in embed["footer"]["text"]
    link = components(body["data"])[0]
    assert link["style"] == 5 and link["url"] == mv.youtube_link
    assert any(
        m["embeds"] and m["embeds"][0]["title"] == card_title(mv) for m in world.fake.bot_messages(world.general)
    )


@pytest.mark.parametrize("typed", ["eror vixx", "Error — VIXX (2014)", "ERROR"])
async def test_show_accepts_typed_text_that_is_not_an_id(world: World, typed: str) -> None:
    body = await world.slash("mv show", mv=typed)
    assert only_embed(body)["title"] == card_title(entry("vixx-error"))


async def test_show_private_is_ephemeral(world: World) -> None:
    body = await world.slash("mv show", mv="bts-run", private=True)
    assert is_ephemeral(body)
    assert only_embed(body)["title"] == card_title(entry("bts-run"))


async def test_mature_card_is_reduced_outside_age_restricted_channels(world: World) -> None:
    mv = entry("yunho-thank-u")
    assert mv.mature and mv.twist and mv.storyline
    normal = only_embed(await world.slash("mv show", mv="yunho-thank-u"))
    assert str(MATURE_NOTE) in normal["description"]
    assert normal["description"].startswith(WARNING_PREFIX)
    assert f"||{mv.storyline}||" in normal["description"]
    assert field_value(normal, "Twist (spoiler)") is None
    assert mv.twist not in str(normal)

    full = only_embed(await world.slash("mv show", channel=world.after_dark, mv="yunho-thank-u"))
    assert str(MATURE_NOTE) not in full["description"]
    assert mv.storyline in full["description"].replace(f"||{mv.storyline}||", "")
    assert field_value(full, "Twist (spoiler)") == f"||{mv.twist}||"


async def test_unknown_mv_gets_an_ephemeral_reply_with_suggestions(world: World) -> None:
    body = await world.slash("mv show", mv="vixx error 1999")
    assert body["type"] == 4 and is_ephemeral(body)
    content = body["data"]["content"]
    assert "No MV in the catalog matches" in content
    suggestions = CATALOG.suggestions("vixx error 1999")
    assert suggestions and suggestions[0].id == "vixx-error"
    for mv in suggestions:
        assert mv.display_name in content
    assert not body["data"].get("embeds")


# --------------------------------------------------------------------------- /mv search


async def test_search_pages_with_buttons_and_the_select_opens_a_card(world: World) -> None:
    world.cog.page_size = 2
    results = CATALOG.search("exo", limit=100)
    assert len(results) > 2
    record = await world.run("mv search", query="exo")
    body = await record.response()
    assert body["type"] == 4 and not is_ephemeral(body)
    first_page = only_embed(body)
    assert first_page["footer"]["text"].startswith(f"Page 1 of {-(-len(results) // 2)}")
    message = record.original
    assert message is not None
    assert [o["value"] for o in select_menu(message)["options"]] == [mv.id for mv in results[:2]]
    assert button(message, "◀️").get("disabled") is True
    assert not button(message, "▶️").get("disabled")

    click = await world.fake.click(message, button(message, "▶️")["custom_id"], world.guild, world.fan)
    turned = await click.response()
    assert turned["type"] == 7
    assert only_embed(turned)["footer"]["text"].startswith("Page 2 of")
    assert [o["value"] for o in select_menu(turned["data"])["options"]] == [mv.id for mv in results[2:4]]
    assert not button(turned["data"], "◀️").get("disabled")

    picked = results[3]
    pick = await world.fake.click(
        message,
        select_menu(turned["data"])["custom_id"],
        world.guild,
        world.fan,
        values=[picked.id],
    )
    opened = await pick.response()
    assert opened["type"] == 4 and not is_ephemeral(opened)
    assert only_embed(opened)["title"] == card_title(picked)


async def test_only_the_searcher_can_page_or_pick(world: World) -> None:
    world.cog.page_size = 2
    record = await world.run("mv search", query="exo")
    await record.response()
    message = record.original
    assert message is not None
    other = world.fake.add_member(world.guild, "someone-else")
    next_id = button(message, "▶️")["custom_id"]
    click = await world.fake.click(message, next_id, world.guild, other)
    note = await click.response()
    assert note["type"] == 4 and is_ephemeral(note)
    assert note["data"]["content"] == str(NOT_YOURS)
    pick = await world.fake.click(message, select_menu(message)["custom_id"], world.guild, other, values=["exo-mama"])
    assert (await pick.response())["data"]["content"] == str(NOT_YOURS)


async def test_search_view_times_out_by_disabling_its_controls(world: World) -> None:
    world.cog.page_size = 2
    world.cog.view_timeout = 0.2
    record = await world.run("mv search", query="exo", private=True)
    assert is_ephemeral(await record.response())
    edits = await world.fake.wait_for_call("PATCH", rf"/webhooks/\d+/{record.token}/messages/@original")
    rows = edits[-1].json["components"]
    controls = [c for row in rows for c in row["components"]]
    assert len(controls) == 3 and all(c.get("disabled") for c in controls)


async def test_short_search_has_no_paging_buttons_and_filters_apply(world: World) -> None:
    body = await world.slash("mv search", query="one", artist="exo", year=2016)
    embed = only_embed(body)
    expected = CATALOG.search("one", artist="EXO", year=2016)
    assert expected
    assert embed["title"] == "MV search: “one” · artist EXO · 2016"
    assert all(mv.title in embed["description"] for mv in expected)
    assert [c["type"] for c in components(body["data"])] == [3]


async def test_search_without_results_or_with_bad_filters_is_ephemeral(world: World) -> None:
    nothing = await world.slash("mv search", query="purple dinosaur")
    assert is_ephemeral(nothing) and "No MV in the catalog matches" in nothing["data"]["content"]
    bad_theme = await world.slash("mv search", query="exo", theme="polka")
    assert is_ephemeral(bad_theme) and "is not a theme" in bad_theme["data"]["content"]
    bad_artist = await world.slash("mv search", query="exo", artist="blakpink")
    assert is_ephemeral(bad_artist)
    assert "No artist called “blakpink”" in bad_artist["data"]["content"]


async def test_search_finds_an_mv_by_what_happens_in_it(world: World) -> None:
    embed = only_embed(await world.slash("mv search", query="which MV was the cyborg one?"))
    assert embed["description"].splitlines() == ["` 1.` **Error** — VIXX (2014)  ⚠️"]


async def test_search_by_universe_lists_the_whole_story_without_a_query(world: World) -> None:
    story = CATALOG.filter(universe="EXO superpower story")
    assert len(story) == 5
    typing = await world.fake.autocomplete(
        "mv search", world.guild, world.general, world.fan, focused="universe", universe="exo"
    )
    choices = (await typing.response())["data"]["choices"]
    assert choices == [{"name": "EXO superpower story — 5 MVs", "value": "EXO superpower story"}]
    body = await world.slash("mv search", universe="exo superpower")
    embed = only_embed(body)
    assert embed["title"] == "MV search: universe EXO superpower story"
    lines = embed["description"].splitlines()
    assert [line.split("**")[1] for line in lines] == [mv.title for mv in story]
    assert [o["value"] for o in select_menu(body["data"])["options"]] == [mv.id for mv in story]
    card = only_embed(await world.slash("mv show", mv="exo-monster"))
    assert "`/mv search universe:EXO superpower story`" in (field_value(card, "Universe") or "")


async def test_search_needs_a_query_or_a_filter_and_a_known_universe(world: World) -> None:
    empty = await world.slash("mv search")
    assert is_ephemeral(empty) and "pick a filter" in empty["data"]["content"]
    unknown = await world.slash("mv search", universe="Loonaverse")
    assert is_ephemeral(unknown)
    assert unknown["data"]["content"] == (
        "No story universe called “Loonaverse” in the catalog. Universes: EXO superpower story, "
        "BTS youth story (Bangtan Universe)."
    )
    love = await world.slash("mv search", query="love story", universe="bangtan")
    assert is_ephemeral(love)
    assert love["data"]["content"] == (
        "No MV in the catalog matches “love story” · universe BTS youth story (Bangtan Universe)."
        " Without the filters it finds:\n• Love Story — Kyuhyun (2022)\n• One More Day — SISTAR (2016)"
        "\nTry fewer filters."
    )
    none = await world.slash("mv search", universe="bangtan", year=2012)
    assert is_ephemeral(none)
    assert "matches 2012 · universe BTS youth story (Bangtan Universe)." in none["data"]["content"]


# --------------------------------------------------------------------------- the rest


async def test_random_picks_within_the_filters(world: World) -> None:
    world.cog.rng = random.Random(7)
    noir = {card_title(mv) for mv in CATALOG.filter(theme="noir")}
    for _ in range(3):
        embed = only_embed(await world.slash("mv random", theme="noir", channel=world.after_dark))
        assert embed["title"] in noir
    none = await world.slash("mv random", theme="western", year=2010)
    assert is_ephemeral(none) and "No MV in the catalog matches" in none["data"]["content"]


async def test_artist_for_a_group_lists_its_members_solo_mvs(world: World) -> None:
    body = await world.slash("mv artist", name="blackpink")
    embed = only_embed(body)
    assert embed["title"] == "BLACKPINK — music videos"
    text = "\n".join(f["value"] for f in embed["fields"])
    for mv in CATALOG.by_artist("BLACKPINK"):
        assert mv.title in text and f"— {mv.artist}" in text
    exo = only_embed(await world.slash("mv artist", name="EXO"))
    assert "EXO superpower story" in [f["name"] for f in exo["fields"]]
    unknown = await world.slash("mv artist", name="Nobody At All")
    assert is_ephemeral(unknown) and "No artist called" in unknown["data"]["content"]


async def test_themes_lists_each_theme_with_its_count(world: World) -> None:
    body = await world.slash("mv themes")
    assert body["type"] == 4 and not is_ephemeral(body)
    description = only_embed(body)["description"]
    for theme, count in CATALOG.themes_with_counts():
        assert f"`{theme}` — {count} MV" in description
