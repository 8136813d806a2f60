"""A server's own catalog entries, end to end: the real bot against the fake Discord.

Entries are seeded through the domain (suggest → approve on ``bot.catalogs``), then every
place that shows MVs is driven as a member would: `/mv show` and its autocomplete, search and
its card picker, random, artist, themes, `/poll mv` and the storyline of the day. Guild A has
entries, guild B has its own; neither ever sees the other's. Hostile text members typed —
mentions, markdown, spoiler bars — reaches Discord defused, and nothing can ping.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import discord
import pytest

from bot.catalog import load_catalog
from bot.catalog.server import CurationSettings, ServerEntry
from bot.client import LightstickBot
from bot.clock import FakeClock
from bot.storyline.rotation import cycle_order
from cogs.mv.render import SERVER_ENTRY_FIELD, card_title
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, Member

JSON = dict[str, Any]
EPHEMERAL = 64
CATALOG = load_catalog()
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
#: The storyline is set for 21:00 in Seoul: 12:00 UTC.
RUN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MESSAGES = r"^/channels/\d+/messages$"
MANAGE_SERVER = discord.Permissions(manage_guild=True).value
BOT_PERMISSIONS = discord.Permissions.all().value & ~discord.Permissions(administrator=True).value
SUGGESTER = 111111111111111111
CURATOR = 999999999999999999

STORY = "A lighthouse keeper follows a moonlit road that only appears once a year, looking for her sister."
HOSTILE_TITLE = "@everyone **Boom** ||leak||"
HOSTILE_STORY = (
    "Ping @here and <@&123456789012345678> with **bold**, __under__ and ||a fake spoiler|| "
    "while a haunted arcade keeps its players."
)
HOSTILE_TWIST = "The arcade owner <@222222222222222222> was ||never|| alive."
HOSTILE: JSON = {
    "title": HOSTILE_TITLE,
    "artist": "Arcade Ghosts",
    "year": 2024,
    "themes": ["horror"],
    "storyline": HOSTILE_STORY,
    "twist": HOSTILE_TWIST,
    "album": "*Neon* ~~Ghosts~~",
}
EXO_SEQUEL: JSON = {
    "title": "Starfall Relay",
    "artist": "EXO",
    "year": 2025,
    "themes": ["superpowers"],
    "universe": "EXO superpower story",
    "storyline": "The twelve powers meet again under a falling star.",
}
HARBOR: JSON = {
    "title": "Harbor Lights",
    "artist": "Sora Bay",
    "year": 2022,
    "themes": ["romance"],
    "storyline": "Two ferry pilots trade notes across a harbor for a whole winter.",
}
#: What must never reach Discord working: mass mentions, user/role mentions, bold, spoilers.
LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d")


@dataclass
class Server:
    guild: Guild
    general: JSON
    storyline: JSON
    admin: Member
    fan: Member

    @property
    def id(self) -> int:
        return self.guild.id


@dataclass
class Entries:
    """Guild A: a story entry, a lookup-only one, a hostile one and one in a built-in universe;
    guild B: one story entry of its own."""

    story: ServerEntry
    lookup_only: ServerEntry
    hostile: ServerEntry
    exo: ServerEntry
    other: ServerEntry


@dataclass
class World:
    fake: FakeDiscord
    bot: LightstickBot
    clock: FakeClock
    a: Server
    b: Server
    entries: Entries

    async def slash(self, command: str, server: Server, *, user: Member | None = None, **options: Any) -> JSON:
        record = await self.fake.slash_with(command, server.guild, server.general, user or server.fan, options)
        return await record.response()

    async def choices(self, command: str, server: Server, focused: str, typed: str) -> list[JSON]:
        record = await self.fake.autocomplete(
            command, server.guild, server.general, server.fan, focused=focused, **{focused: typed}
        )
        return list((await record.response())["data"]["choices"])

    def storyline_posts(self, server: Server) -> list[JSON]:
        return [
            m
            for m in self.fake.bot_messages(server.storyline)
            if m["embeds"] and "Storyline of the day —" in m["embeds"][0].get("title", "")
        ]


def add_server(fake: FakeDiscord, name: str) -> Server:
    guild = fake.add_guild(name, bot_permissions=BOT_PERMISSIONS, channels=("general", "storyline"))
    mods = fake.add_role(guild, "Mods", permissions=MANAGE_SERVER)
    return Server(
        guild,
        fake.channel(guild, "general"),
        fake.channel(guild, "storyline"),
        fake.add_member(guild, "mod", roles=[mods]),
        fake.add_member(guild, "fan"),
    )


async def add_entry(bot: LightstickBot, guild_id: int, **fields: Any) -> ServerEntry:
    """Suggest and approve an entry through the domain, as the curation commands do."""
    settings = CurationSettings(guild_id, review_channel_id=1, cooldown=timedelta(0))
    await bot.catalogs.store.save_settings(settings, now=NOW)
    suggestion = await bot.catalogs.submit(guild_id, SUGGESTER, fields, now=NOW)
    return await bot.catalogs.approve(guild_id, suggestion.suggestion_id, CURATOR, now=NOW)


async def seed(bot: LightstickBot, a: Server, b: Server) -> Entries:
    exo_last = max(mv.universe_order or 0 for mv in CATALOG.filter(universe="EXO superpower story"))
    return Entries(
        story=await add_entry(
            bot, a.id, title="Moonlight Road", artist="Haneul", year=2023, themes=["fantasy"], storyline=STORY
        ),
        lookup_only=await add_entry(bot, a.id, title="Paper Lanterns", artist="Haneul", year=2024),  # no themes either
        hostile=await add_entry(bot, a.id, **HOSTILE),
        exo=await add_entry(bot, a.id, **EXO_SEQUEL, universe_order=exo_last + 1),
        other=await add_entry(bot, b.id, **HARBOR),
    )


async def start_world(fake: FakeDiscord, bots: BotRunner, **settings: Any) -> World:
    a, b = add_server(fake, "Server A"), add_server(fake, "Server B")
    clock = FakeClock(NOW)
    bot = await bots.start(clock=clock, settings=settings)
    world = World(fake, bot, clock, a, b, await seed(bot, a, b))
    await eventually(lambda: world.bot.get_cog("Storyline").service.dispatcher.running)  # type: ignore[union-attr]
    return world


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    """Every test here runs on SQLite and on PostgreSQL."""
    return engine_bots


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> World:
    return await start_world(fake, bots)


def only_embed(body: JSON) -> JSON:
    embeds = body["data"]["embeds"]
    assert len(embeds) == 1, body
    return dict(embeds[0])


def field_value(embed: JSON, name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == name), None)


def embed_texts(embed: JSON) -> list[str]:
    """Every text of the embed that shows entry text (the credit line's mentions are Lightstick's
    own, which embeds never ping with)."""
    texts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    fields = [f for f in embed.get("fields", []) if f["name"] != str(SERVER_ENTRY_FIELD)]
    return texts + [text for f in fields for text in (f["name"], f["value"])]


def shows_card(body: JSON, title: str) -> bool:
    """Whether the answer is the card of `title` (a "no match" reply quotes what was typed)."""
    return any(embed.get("title") == title for embed in body["data"].get("embeds") or [])


def is_ephemeral(body: JSON) -> bool:
    return bool(body["data"].get("flags", 0) & EPHEMERAL)


def no_pings(data: JSON) -> None:
    """The message may mention nobody: ``allowed_mentions`` parses nothing and lists nobody."""
    mentions = data.get("allowed_mentions")
    assert mentions is not None and mentions.get("parse") == [], data
    assert not mentions.get("users") and not mentions.get("roles") and not mentions.get("replied_user")


def assert_defused(text: str) -> None:
    """No live mention, no bold, and spoiler bars that pair up."""
    assert not LIVE_MENTION.search(text), text
    assert "**" not in text.replace("\\*\\*", ""), text
    assert text.count("||") % 2 == 0, text


def components(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row["components"]]


# --------------------------------------------------------------------------- /mv show


async def test_show_and_autocomplete_find_server_entries_only_in_their_server(world: World) -> None:
    story = world.entries.story.mv
    choices = await world.choices("mv show", world.a, "mv", "moonlight")
    assert choices[0] == {"name": story.display_name, "value": story.id}
    newest = await world.choices("mv show", world.a, "mv", "")
    assert newest[0]["value"] == world.entries.exo.mv.id  # an empty query: the newest own entries first
    assert len(newest) <= 25 and "Harbor Lights — Sora Bay (2022)" not in {c["name"] for c in newest}

    card = only_embed(await world.slash("mv show", world.a, mv=story.id))
    assert card["title"] == "Moonlight Road"
    typed = only_embed(await world.slash("mv show", world.a, mv="moonlite road"))
    assert typed["title"] == "Moonlight Road"

    # Guild B sees none of it, by autocomplete, by id or by name; and A sees none of B's.
    assert story.id not in {c["value"] for c in await world.choices("mv show", world.b, "mv", "moonlight")}
    for typed_text in (story.id, "Moonlight Road", story.display_name):
        assert not shows_card(await world.slash("mv show", world.b, mv=typed_text), "Moonlight Road"), typed_text
    harbor = world.entries.other.mv
    assert harbor.id not in {c["value"] for c in await world.choices("mv show", world.a, "mv", "harbor lights")}
    assert only_embed(await world.slash("mv show", world.b, mv="harbor lights"))["title"] == "Harbor Lights"
    assert not shows_card(await world.slash("mv show", world.a, mv="harbor lights"), "Harbor Lights")


async def test_the_card_says_added_by_this_server_and_pings_nobody(world: World) -> None:
    story = world.entries.story.mv
    body = await world.slash("mv show", world.a, mv=story.id)
    assert body["type"] == 4 and not is_ephemeral(body)
    no_pings(body["data"])
    card = only_embed(body)
    assert field_value(card, str(SERVER_ENTRY_FIELD)) == f"Suggested by <@{SUGGESTER}> · approved by <@{CURATOR}>"
    assert card["description"] == STORY
    assert card["footer"]["text"] == story.id  # no sources: the id alone, no empty "Sources:"
    builtin = only_embed(await world.slash("mv show", world.a, mv="vixx-error"))
    assert field_value(builtin, str(SERVER_ENTRY_FIELD)) is None


async def test_a_server_entry_continues_a_built_in_universe_on_both_cards(world: World) -> None:
    exo = world.entries.exo.mv
    last = CATALOG.filter(universe="EXO superpower story")[-1]
    card = only_embed(await world.slash("mv show", world.a, mv=exo.id))
    universe = field_value(card, "Universe") or ""
    assert "part 6 of 6" in universe and f"◀ Previous: {last.display_name}" in universe
    before = field_value(only_embed(await world.slash("mv show", world.a, mv=last.id)), "Universe") or ""
    assert f"▶ Next: {exo.display_name}" in before
    in_b = field_value(only_embed(await world.slash("mv show", world.b, mv=last.id)), "Universe") or ""
    assert "Starfall" not in in_b and "Next:" not in in_b


# --------------------------------------------------------------------------- hostile text


async def test_hostile_entry_text_is_defused_on_the_card_and_in_lists(world: World) -> None:
    hostile = world.entries.hostile.mv
    body = await world.slash("mv show", world.a, mv=hostile.id)
    no_pings(body["data"])
    card = only_embed(body)
    assert card["title"] == card_title(hostile)
    for text in embed_texts(card):
        assert_defused(text)
    assert card["title"].startswith("@\u200beveryone \\*\\*Boom\\*\\*")
    assert "<@\u200b&123456789012345678>" in card["description"]
    twist = field_value(card, "Twist (spoiler)") or ""
    assert twist.startswith("||The arcade owner") and twist.endswith("||") and twist.count("||") == 2
    assert "never" not in card["description"]  # the twist stays behind its bars
    assert field_value(card, "Album") == "\\*Neon\\* \\~\\~Ghosts\\~\\~"

    search = await world.slash("mv search", world.a, query="haunted arcade")
    no_pings(search["data"])
    line = only_embed(search)["description"].splitlines()[0]  # bold is the list's own, around the title
    assert line == "` 1.` **@\u200beveryone \\*\\*Boom\\*\\* ǀǀleakǀǀ** — Arcade Ghosts (2024)"
    artist = only_embed(await world.slash("mv artist", world.a, name="Arcade Ghosts"))
    assert [f["value"] for f in artist["fields"]] == ["`2024` **@\u200beveryone \\*\\*Boom\\*\\* ǀǀleakǀǀ**"]


# --------------------------------------------------------------------------- search, random, artist, themes


async def test_search_random_artist_and_themes_include_server_entries_in_their_server(world: World) -> None:
    story, lookup = world.entries.story.mv, world.entries.lookup_only.mv
    record = await world.fake.slash("mv search", world.a.guild, world.a.general, world.a.fan, query="lighthouse")
    page = only_embed(await record.response())
    assert "Moonlight Road" in page["description"]
    message = record.original
    assert message is not None
    picker = next(c for c in components(message) if c["type"] == 3)
    assert story.id in [option["value"] for option in picker["options"]]
    pick = await world.fake.click(message, picker["custom_id"], world.a.guild, world.a.fan, values=[story.id])
    opened = await pick.response()
    assert only_embed(opened)["title"] == "Moonlight Road"
    assert field_value(only_embed(opened), str(SERVER_ENTRY_FIELD))

    by_artist = only_embed(await world.slash("mv search", world.a, artist="haneul"))
    assert "Moonlight Road" in by_artist["description"] and "Paper Lanterns" in by_artist["description"]
    artist_choices = await world.choices("mv artist", world.a, "name", "hane")
    assert artist_choices[0]["value"] == "Haneul"
    assert "Haneul" not in {c["value"] for c in await world.choices("mv artist", world.b, "name", "hane")}

    listed = only_embed(await world.slash("mv artist", world.a, name="Haneul"))
    listing = "\n".join(f["value"] for f in listed["fields"])
    assert "Moonlight Road" in listing and "Paper Lanterns" in listing
    assert "2 MVs in the catalog" in listed["description"]
    refused = await world.slash("mv artist", world.b, name="Haneul")
    assert is_ephemeral(refused) and "No artist called" in refused["data"]["content"]

    cog: Any = world.bot.get_cog("MV")
    cog.rng = random.Random(3)
    picked = {only_embed(await world.slash("mv random", world.a, artist="Haneul"))["title"] for _ in range(6)}
    assert picked <= {"Moonlight Road", "Paper Lanterns"} and picked
    assert is_ephemeral(await world.slash("mv random", world.b, artist="Haneul"))

    fantasy = len(CATALOG.filter(theme="fantasy"))
    themes_a = only_embed(await world.slash("mv themes", world.a))["description"]
    themes_b = only_embed(await world.slash("mv themes", world.b))["description"]
    assert f"`fantasy` — {fantasy + 1} MVs" in themes_a and f"`fantasy` — {fantasy} MV" in themes_b
    theme_choices = await world.choices("mv search", world.a, "theme", "fanta")
    assert theme_choices[0]["name"] == f"fantasy — {fantasy + 1} MVs"
    universe_choices = await world.choices("mv search", world.a, "universe", "exo")
    assert universe_choices == [{"name": "EXO superpower story — 6 MVs", "value": "EXO superpower story"}]
    assert lookup.storyline is None and not lookup.themes  # lookup-only entries are found like any other
    bare = only_embed(await world.slash("mv show", world.a, mv=lookup.id))
    assert bare["title"] == "Paper Lanterns" and field_value(bare, "Themes") is None
    assert all(f["value"] for f in bare["fields"]) and not bare.get("description")


# --------------------------------------------------------------------------- /poll mv


async def test_poll_mv_by_a_server_artist_uses_that_servers_entries(world: World) -> None:
    choices = await world.choices("poll mv", world.a, "artist", "hane")
    assert choices and choices[0]["value"] == "Haneul"
    assert not await world.choices("poll mv", world.b, "artist", "hane")

    record = await world.fake.slash("poll mv", world.a.guild, world.a.general, world.a.admin, artist="Haneul")
    answer = await record.final_message()
    assert "is up in" in answer.get("content", ""), answer
    [sent] = [
        call.json
        for call in world.fake.calls_to("POST", MESSAGES)
        if call.path == f"/channels/{world.a.general['id']}/messages" and call.json.get("embeds")
    ]
    poll = sent["embeds"][0]
    assert poll["title"] == "Which is the best Haneul music video?"
    assert "Moonlight Road - Haneul" in poll["description"] and "Paper Lanterns - Haneul" in poll["description"]
    no_pings(sent)

    in_b = await world.fake.slash("poll mv", world.b.guild, world.b.general, world.b.admin, artist="Haneul")
    refused = await in_b.final_message()
    assert "Fewer than 2 MVs" in refused["content"]


# --------------------------------------------------------------------------- storyline of the day


async def setup_storyline(world: World, server: Server, **options: Any) -> JSON:
    values: JSON = {"channel": int(server.storyline["id"]), "time": "21:00", "timezone": "Asia/Seoul"}
    values.update(options)
    record = await world.fake.slash_with("storyline setup", server.guild, server.storyline, server.admin, values)
    return dict(await record.response())


async def test_storyline_setup_has_a_described_server_entries_option_shown_in_status(world: World) -> None:
    group = next(c for c in world.fake.commands["global"] if c["name"] == "storyline")
    setup = next(sub for sub in group["options"] if sub["name"] == "setup")
    option = next(o for o in setup["options"] if o["name"] == "server_entries")
    assert option["type"] == 5 and not option.get("required") and 1 <= len(option["description"]) <= 100
    on = only_embed(await setup_storyline(world, world.a))
    assert "server entries on" in (field_value(on, "Options") or "")
    off = only_embed(await setup_storyline(world, world.b, server_entries=False))
    assert "server entries off" in (field_value(off, "Options") or "")
    cog: Any = world.bot.get_cog("Storyline")
    settings_b = await cog.service.store.settings(world.b.id)
    assert settings_b.server_entries is False


def posted_days(world: World, days: int) -> bool:
    """Both servers have posted on `days` days."""
    return len(world.storyline_posts(world.a)) == len(world.storyline_posts(world.b)) == days


async def test_storyline_rotation_posts_story_entries_never_lookup_only_ones(world: World) -> None:
    """A (server entries on) posts days until one of its own entries comes up; B (off) never
    posts its own, though the days run past where it would have come."""
    entries = world.entries
    await setup_storyline(world, world.a)
    await setup_storyline(world, world.b, server_entries=False)
    cog: Any = world.bot.get_cog("Storyline")
    service = cog.service
    settings_a = await service.store.settings(world.a.id)
    settings_b = await service.store.settings(world.b.id)
    own_a = await world.bot.catalogs.storyline_entries(world.a.id)
    own_b = await world.bot.catalogs.storyline_entries(world.b.id)
    assert {e.id for e in own_a} == {entries.story.mv_id, entries.hostile.mv_id, entries.exo.mv_id}
    eligible_a = service.eligible_for(settings_a, own_a)
    assert entries.story.mv_id in eligible_a and entries.lookup_only.mv_id not in eligible_a
    assert not [mv_id for mv_id in service.eligible_for(settings_b, own_b) if mv_id.startswith("s-")]

    own_ids_a = {e.id for e in own_a}
    # Where B's own entry would have come had it been left on: the days must run past it.
    would_be = cycle_order(world.b.id, 0, [*service.eligible_for(settings_b), entries.other.mv_id])
    b_turn = would_be.index(entries.other.mv_id)
    posted_a: list[str] = []
    posted_b: list[str] = []
    for day in range(len(eligible_a)):
        await world.clock.set(RUN + timedelta(days=day, minutes=1))
        await eventually(partial(posted_days, world, day + 1), timeout=10)
        local = date(2026, 3, 1) + timedelta(days=day)
        posted_a.append((await service.store.post_for(world.a.id, local)).mv_id)
        posted_b.append((await service.store.post_for(world.b.id, local)).mv_id)
        if own_ids_a & set(posted_a) and day >= b_turn:
            break
    assert own_ids_a & set(posted_a), posted_a
    assert entries.lookup_only.mv_id not in posted_a
    assert not [mv_id for mv_id in posted_b if mv_id.startswith("s-")], posted_b

    # The server entry's post: its card through the guild's view, defused, pinging nobody.
    own_day = next(day for day, mv_id in enumerate(posted_a) if mv_id in own_ids_a)
    post = world.storyline_posts(world.a)[own_day]
    sent = next(
        call.json
        for call in world.fake.calls_to("POST", MESSAGES)
        if call.path == f"/channels/{world.a.storyline['id']}/messages"
        and call.json.get("embeds")
        and call.json["embeds"][0]["title"] == post["embeds"][0]["title"]
    )
    no_pings(sent)
    own = {entry.mv_id: entry.mv for entry in (entries.story, entries.hostile, entries.exo)}[posted_a[own_day]]
    embed = sent["embeds"][0]
    assert field_value(embed, "MV") == card_title(own)
    for text in embed_texts(embed):
        assert_defused(text)
    status = await world.fake.slash("storyline history", world.a.guild, world.a.storyline, world.a.admin)
    history = only_embed(await status.response())["description"]
    assert "no longer in the catalog" not in history
