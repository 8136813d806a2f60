"""The community catalog end to end: `/mv suggest` → review → approve/reject, edit, remove,
history and every limit, driven through the fake Discord against the real bot.

Members type into the modals the bot opened (``fake.submit_modal``) and click the buttons it
posted (``fake.click``); tests assert what Discord received: the review message and its
buttons, the DMs, the notes, and that no message could ping anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest

from bot.catalog import load_catalog
from bot.catalog.server import HistoryAction, HistoryRecord, SuggestionStatus
from bot.catalog.server import store as store_module
from bot.client import REQUIRED_PERMISSIONS, LightstickBot
from bot.clock import FakeClock
from bot.errors import UserError
from cogs.mv import curation_render
from cogs.mv.render import card_title
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, InteractionRecord, Member

JSON = dict[str, Any]
EPHEMERAL = 64
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CATALOG = load_catalog()
MANAGE_SERVER = discord.Permissions(manage_guild=True).value

ESSENTIALS = {
    "title": "Moonlight Road",
    "artist": "Haneul",
    "when": "2023-05-04",
    "youtube": "https://youtu.be/abcdefghijk",
    "names": "달빛 길\nMoon Road",
}
STORY = {
    "storyline": "A lighthouse keeper follows a moonlit road that appears once a year, looking for her sister.",
    "twist": "The sister was the lighthouse all along.",
    "warnings": "",
    "themes": "fantasy, Coming of age",
}
HOSTILE = {
    "title": "@everyone **Boom** ||leak||",
    "artist": "<@&123456789012345678> Crew",
    "when": "2024",
    "names": "",
}
HOSTILE_STORY = {
    "storyline": "Ping @here and <@222222222222222222> with **bold** and ||a fake spoiler|| in a haunted arcade.",
    "twist": "The owner ||never|| lived @everyone.",
    "themes": "horror",
}


@dataclass
class World:
    fake: FakeDiscord
    bots: BotRunner
    bot: LightstickBot
    clock: FakeClock
    guild: Guild
    general: JSON
    review: JSON
    other: Guild
    other_general: JSON
    curators_role: int
    suggesters_role: int
    admin: Member
    curator: Member
    fan: Member
    fan2: Member

    async def slash(self, command: str, member: Member, *, guild: Guild | None = None, **options: Any) -> JSON:
        """Run a command; the callback body the bot answered with."""
        guild = guild or self.guild
        channel = self.general if guild is self.guild else self.other_general
        record = await self.fake.slash_with(command, guild, channel, member, options)
        return await record.response()

    async def set_up(self, **options: Any) -> JSON:
        """`/mv curation` by the admin: #review, no cooldown unless given."""
        options = {"channel": int(self.review["id"]), "cooldown": 0} | options
        body = await self.slash("mv curation", self.admin, **options)
        assert "Suggestions now go to" in body["data"]["content"], body
        return body

    async def open_modal(self, record: InteractionRecord) -> JSON:
        body = await record.response()
        assert body["type"] == 9, body
        assert record.modal is not None
        return record.modal

    async def type_essentials(self, member: Member, values: JSON, *, channel: JSON | None = None) -> InteractionRecord:
        """`/mv suggest`, then the essentials typed in: the record of the modal submit."""
        record = await self.fake.slash("mv suggest", self.guild, channel or self.general, member)
        modal = await self.open_modal(record)
        return await self.fake.submit_modal(modal["custom_id"], values, self.guild, channel or self.general, member)

    async def suggest(self, member: Member, values: JSON = ESSENTIALS, story: JSON | None = None) -> JSON:
        """The whole suggestion: essentials, then "Submit as is" or the story modal. Returns
        what the member sees at the end (the draft message, updated)."""
        typed = await self.type_essentials(member, values)
        preview = await typed.response()
        assert preview["type"] == 4 and preview["data"]["flags"] & EPHEMERAL, preview
        draft = typed.original
        assert draft is not None
        if story is None:
            done = await self.fake.click(draft, "lightstick:draft:finish", self.guild, member)
        else:
            opener = await self.fake.click(draft, "lightstick:draft:story", self.guild, member)
            modal = await self.open_modal(opener)
            done = await self.fake.submit_modal(modal["custom_id"], story, self.guild, self.general, member)
        body = await done.response()
        assert body["type"] == 7, body
        return dict(body["data"])

    def review_messages(self) -> list[JSON]:
        return [m for m in self.fake.bot_messages(self.review) if m["components"]]

    async def review_message(self, count: int = 1) -> JSON:
        await eventually(lambda: len(self.review_messages()) >= count)
        return self.review_messages()[count - 1]

    async def click(self, message: JSON, custom_id: str, member: Member) -> JSON:
        record = await self.fake.click(message, custom_id, self.guild, member)
        return await record.response()

    async def reject(self, message: JSON, suggestion_id: int, reason: str, member: Member | None = None) -> JSON:
        member = member or self.curator
        record = await self.fake.click(message, f"lightstick:sug:{suggestion_id}:reject", self.guild, member)
        modal = await self.open_modal(record)
        submitted = await self.fake.submit_modal(
            modal["custom_id"], {"reason": reason}, self.guild, self.review, member
        )
        return await submitted.response()

    async def entries(self, guild: Guild | None = None) -> list[str]:
        return [entry.mv.title for entry in await self.bot.catalogs.store.entries((guild or self.guild).id)]

    async def pending(self) -> int:
        return (await self.bot.catalogs.store.pending(self.guild.id)).total


@pytest.fixture
def bots(engine_bots: BotRunner) -> BotRunner:
    """Every test here runs on SQLite and on PostgreSQL."""
    return engine_bots


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> World:
    guild = fake.add_guild(channels=("general", "review"), bot_permissions=REQUIRED_PERMISSIONS.value)
    curators = fake.add_role(guild, "Curators")
    suggesters = fake.add_role(guild, "Suggesters")
    admins = fake.add_role(guild, "Admins", permissions=MANAGE_SERVER)
    other = fake.add_guild("Other Fans", channels=("general",))
    clock = FakeClock(NOW)
    bot = await bots.start(clock=clock)
    return World(
        fake, bots, bot, clock, guild, fake.channel(guild, "general"), fake.channel(guild, "review"),
        other, fake.channel(other, "general"), curators, suggesters,
        admin=fake.add_member(guild, "admin", roles=[admins]),
        curator=fake.add_member(guild, "curator", roles=[curators]),
        fan=fake.add_member(guild, "fan"),
        fan2=fake.add_member(guild, "fan2"),
    )  # fmt: skip


def content_of(body: JSON) -> str:
    return str(body["data"].get("content") or "")


def custom_ids(message: JSON) -> dict[str, JSON]:
    found = {}
    for row in message.get("components", []):
        for component in row.get("components", []):
            if component.get("custom_id"):
                found[component["custom_id"]] = component
    return found


def modal_values(modal: JSON) -> dict[str, str]:
    return {row["components"][0]["custom_id"]: row["components"][0].get("value") or "" for row in modal["components"]}


def sent_payloads(fake: FakeDiscord) -> list[JSON]:
    """Every message body the bot sent or edited: REST messages, interaction responses, follow-ups."""
    found = []
    for call in fake.calls:
        body = call.json if isinstance(call.json, dict) else None
        if body is None:
            continue
        if call.path.endswith("/callback"):
            body = body.get("data") or {}
        if "content" in body or "embeds" in body:
            found.append(body)
    return found


# --------------------------------------------------------------------------- the definitions


async def test_every_curation_command_and_option_is_described(world: World) -> None:
    mv = next(c for c in world.fake.commands["global"] if c["name"] == "mv")
    subcommands = {sub["name"]: sub for sub in mv["options"]}
    assert {"suggest", "curation", "review", "edit", "remove", "history"} <= set(subcommands)
    for name in ("suggest", "curation", "review", "edit", "remove", "history"):
        sub = subcommands[name]
        assert 1 <= len(sub["description"]) <= 100
        for option in sub.get("options", []):
            assert option["description"] not in ("", "…") and len(option["description"]) <= 100, (name, option)
    for name in ("edit", "remove", "history"):
        assert subcommands[name]["options"][0]["autocomplete"] is True
    curation = {option["name"]: option for option in subcommands["curation"]["options"]}
    assert curation["channel"]["required"] and not curation["role"].get("required")


async def test_curation_needs_manage_server(world: World) -> None:
    body = await world.slash("mv curation", world.fan, channel=int(world.review["id"]))
    assert body["data"]["flags"] & EPHEMERAL and "Manage Server" in content_of(body)
    assert (await world.bot.catalogs.store.settings(world.guild.id)).review_channel_id is None
    body = await world.set_up(role=world.curators_role, cooldown=5)
    settings = await world.bot.catalogs.store.settings(world.guild.id)
    assert settings.review_channel_id == int(world.review["id"]) and settings.curator_role_id == world.curators_role
    assert settings.cooldown == timedelta(minutes=5)


async def test_curation_refuses_a_channel_the_bot_cannot_post_in(world: World) -> None:
    world.fake.deny_bot(world.review, "send_messages")
    await world.fake.update_channel(world.review)

    def cannot_send() -> bool:
        channel, guild = world.bot.get_channel(int(world.review["id"])), world.bot.get_guild(world.guild.id)
        assert isinstance(channel, discord.TextChannel) and guild is not None
        return not channel.permissions_for(guild.me).send_messages

    await eventually(cannot_send)
    body = await world.slash("mv curation", world.admin, channel=int(world.review["id"]))
    assert "Send Messages" in content_of(body)
    assert (await world.bot.catalogs.store.settings(world.guild.id)).review_channel_id is None


# --------------------------------------------------------------------------- the main path


async def test_suggest_review_approve_and_find_it_in_this_server_only(world: World) -> None:
    await world.set_up(role=world.curators_role)
    record = await world.fake.slash("mv suggest", world.guild, world.general, world.fan)
    modal = await world.open_modal(record)
    assert len(modal["components"]) == 5 and len(modal["title"]) <= 45
    typed = await world.fake.submit_modal(modal["custom_id"], ESSENTIALS, world.guild, world.general, world.fan)
    preview = await typed.response()
    assert "Submit as is" in content_of(preview) and preview["data"]["flags"] & EPHEMERAL
    assert preview["data"]["embeds"][0]["title"].startswith("Moonlight Road")
    assert await world.pending() == 0  # nothing saved before the member sends it
    assert typed.original is not None
    done = await world.click(typed.original, "lightstick:draft:finish", world.fan)
    assert "Sent!" in content_of(done) and "#1" in content_of(done)

    message = await world.review_message()
    assert "Suggestion #1" in message["content"] and "fan" in message["content"]
    assert message["embeds"][0]["title"] == "Moonlight Road (달빛 길)"
    assert set(custom_ids(message)) == {f"lightstick:sug:1:{action}" for action in ("approve", "edit", "reject")}

    approved = await world.click(message, "lightstick:sug:1:approve", world.curator)
    assert approved["type"] == 7 and "approved by curator" in content_of(approved)
    assert all(button["disabled"] for button in custom_ids(world.fake.messages[int(message["id"])]).values())
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)
    dm = world.fake.dm_messages(world.fan)[0]["content"]
    assert "approved" in dm and "`s-1`" in dm

    assert await world.entries() == ["Moonlight Road"]
    assert await world.entries(world.other) == []
    found = await world.fake.autocomplete(
        "mv show", world.guild, world.general, world.fan, focused="mv", mv="moonlight"
    )
    assert "s-1" in [c["value"] for c in (await found.response())["data"]["choices"]]
    elsewhere = await world.fake.autocomplete(
        "mv show", world.other, world.other_general, world.fan, focused="mv", mv="moonlight"
    )
    assert "s-1" not in [c["value"] for c in (await elsewhere.response())["data"]["choices"]]
    history = await world.bot.catalogs.store.history(world.guild.id, 1)
    assert history[0].actor_id == world.curator.user_id and history[0].action == "added"


async def test_the_story_modal_adds_the_story(world: World) -> None:
    await world.set_up()
    done = await world.suggest(world.fan, story=STORY)
    assert "Sent!" in str(done.get("content"))
    suggestion = await world.bot.catalogs.store.suggestion(world.guild.id, 1)
    assert suggestion is not None
    assert suggestion.fields["themes"] == ["fantasy", "coming-of-age"]
    assert suggestion.fields["storyline"] == STORY["storyline"] and suggestion.fields["twist"] == STORY["twist"]
    assert suggestion.fields["release_date"] == "2023-05-04" and suggestion.fields["title_ko"] == "달빛 길"
    assert suggestion.fields["aliases"] == ["Moon Road"]
    message = await world.review_message()
    twist = next(f for f in message["embeds"][0]["fields"] if "Twist" in f["name"])
    assert twist["value"].startswith("||") and twist["value"].endswith("||")


async def test_a_bad_date_or_link_is_refused_with_nothing_saved(world: World) -> None:
    await world.set_up()
    typed = await world.type_essentials(world.fan, ESSENTIALS | {"when": "2023-13-45"})
    body = await typed.response()
    assert body["data"]["flags"] & EPHEMERAL and "not a date or a year" in content_of(body)
    typed = await world.type_essentials(world.fan, ESSENTIALS | {"youtube": "https://vimeo.com/123"})
    assert "not a YouTube video link" in content_of(await typed.response())
    assert await world.pending() == 0


async def test_a_wrong_theme_in_the_story_keeps_the_draft(world: World) -> None:
    await world.set_up()
    typed = await world.type_essentials(world.fan, ESSENTIALS)
    await typed.response()
    assert typed.original is not None
    opener = await world.fake.click(typed.original, "lightstick:draft:story", world.guild, world.fan)
    modal = await world.open_modal(opener)
    bad = await world.fake.submit_modal(
        modal["custom_id"], STORY | {"themes": "scifi"}, world.guild, world.general, world.fan
    )
    assert "unknown theme 'scifi'" in content_of(await bad.response())
    assert await world.pending() == 0
    again = await world.fake.click(typed.original, "lightstick:draft:story", world.guild, world.fan)
    modal = await world.open_modal(again)
    assert modal_values(modal)["themes"] == "scifi"  # what they typed is still there to fix
    fixed = await world.fake.submit_modal(
        modal["custom_id"], {"themes": "sci-fi"}, world.guild, world.general, world.fan
    )
    assert "Sent!" in content_of(await fixed.response())


# --------------------------------------------------------------------------- duplicates


async def test_a_built_in_mv_answers_already_in_the_catalog_with_its_card(world: World) -> None:
    await world.set_up()
    typed = await world.type_essentials(world.fan, {"title": "error", "artist": "vixx", "when": "2014"})
    body = await typed.response()
    assert "already in the catalog" in content_of(body) and body["data"]["flags"] & EPHEMERAL
    error = CATALOG.get("vixx-error")
    assert error is not None and body["data"]["embeds"][0]["title"] == card_title(error)
    by_video = await world.type_essentials(
        world.fan,
        {"title": "Mama (Korean ver.)", "artist": "EXO-K", "when": "2012", "youtube": "https://youtu.be/KH6ZwnqZ7Wo"},
    )
    body = await by_video.response()
    assert "already in the catalog" in content_of(body) and body["data"]["embeds"][0]["title"].startswith("MAMA")
    assert await world.pending() == 0


async def test_a_pending_or_server_mv_is_a_duplicate(world: World) -> None:
    await world.set_up()
    await world.suggest(world.fan)
    typed = await world.type_essentials(world.fan2, ESSENTIALS | {"title": "MOONLIGHT road!", "youtube": ""})
    assert "already suggested (#1)" in content_of(await typed.response())
    message = await world.review_message()
    await world.click(message, "lightstick:sug:1:approve", world.admin)
    typed = await world.type_essentials(
        world.fan2, {"title": "Other", "artist": "X", "when": "2020", "youtube": ESSENTIALS["youtube"]}
    )
    body = await typed.response()
    assert "already in this server's catalog" in content_of(body)
    assert body["data"]["embeds"][0]["title"].startswith("Moonlight Road")
    assert await world.pending() == 0


# --------------------------------------------------------------------------- reject


async def test_reject_keeps_the_reason_and_the_same_mv_is_refused_after(world: World) -> None:
    await world.set_up(role=world.curators_role)
    await world.suggest(world.fan)
    message = await world.review_message()
    record = await world.fake.click(message, "lightstick:sug:1:reject", world.guild, world.curator)
    modal = await world.open_modal(record)
    reason_input = modal["components"][0]["components"][0]
    assert reason_input["max_length"] == 500 and reason_input["required"] is True
    submitted = await world.fake.submit_modal(
        modal["custom_id"], {"reason": "Not an MV, a live clip."}, world.guild, world.review, world.curator
    )
    body = await submitted.response()
    assert body["type"] == 7 and "rejected by curator" in content_of(body) and "live clip" in content_of(body)
    assert all(button["disabled"] for button in custom_ids(world.fake.messages[int(message["id"])]).values())
    suggestion = await world.bot.catalogs.store.suggestion(world.guild.id, 1)
    assert suggestion is not None and suggestion.status is SuggestionStatus.REJECTED
    assert suggestion.reason == "Not an MV, a live clip."
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)
    assert "Not an MV, a live clip." in world.fake.dm_messages(world.fan)[0]["content"]

    again = await world.type_essentials(world.fan, ESSENTIALS)
    assert "turned down: Not an MV, a live clip." in content_of(await again.response())
    assert await world.pending() == 0 and await world.entries() == []


async def test_only_curators_may_use_the_review_buttons(world: World) -> None:
    await world.set_up(role=world.curators_role)
    await world.suggest(world.fan)
    message = await world.review_message()
    for action in ("approve", "edit", "reject"):
        body = await world.click(message, f"lightstick:sug:1:{action}", world.fan2)
        assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL and "Only curators" in content_of(body)
    assert await world.pending() == 1
    review = await world.slash("mv review", world.fan2)
    assert "Only curators" in content_of(review)


async def test_a_suggestion_is_approved_exactly_once(world: World) -> None:
    await world.set_up(role=world.curators_role)
    await world.suggest(world.fan)
    message = await world.review_message()
    # Both clicks carry the message as it is now, with live buttons (two curators at once).
    first = await world.fake.click(message, "lightstick:sug:1:approve", world.guild, world.admin)
    second = await world.fake.click(message, "lightstick:sug:1:approve", world.guild, world.curator)
    bodies = [await first.response(), await second.response()]
    assert sorted(body["type"] for body in bodies) == [4, 7]
    refused = next(body for body in bodies if body["type"] == 4)
    assert "already approved" in content_of(refused)
    assert await world.entries() == ["Moonlight Road"]
    assert len(await world.bot.catalogs.store.history(world.guild.id, 1)) == 1
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)


# --------------------------------------------------------------------------- telling the member


async def test_closed_dms_get_a_note_in_the_review_channel_that_mentions_nobody(world: World) -> None:
    await world.set_up()
    world.fake.close_dms(world.fan)
    await world.suggest(world.fan)
    message = await world.review_message()
    await world.click(message, "lightstick:sug:1:approve", world.admin)
    await eventually(lambda: any("couldn't DM" in m["content"] for m in world.fake.bot_messages(world.review)))
    note = next(m for m in world.fake.bot_messages(world.review) if "couldn't DM" in m["content"])
    assert "#1" in note["content"] and "`s-1`" in note["content"]
    assert "<@" not in note["content"] and "@everyone" not in note["content"] and "fan" not in note["content"]
    assert world.fake.dm_messages(world.fan) == []
    call = next(c for c in world.fake.calls if c.method == "POST" and c.json and "couldn't DM" in str(c.json))
    assert call.json["allowed_mentions"]["parse"] == []


# --------------------------------------------------------------------------- restart


async def test_review_buttons_work_after_a_restart(world: World) -> None:
    await world.set_up()
    await world.suggest(world.fan)
    await world.suggest(world.fan2, ESSENTIALS | {"title": "Sunrise Lane", "youtube": "", "names": ""})
    first, second = await world.review_message(1), await world.review_message(2)
    await world.bots.stop(world.bot)
    world.bot = await world.bots.start(clock=world.clock)
    approved = await world.click(first, "lightstick:sug:1:approve", world.admin)
    assert approved["type"] == 7 and "`s-1`" in content_of(approved)
    rejected = await world.reject(second, 2, "Duplicate of a live version.", member=world.admin)
    assert rejected["type"] == 7 and "rejected" in content_of(rejected)
    assert await world.entries() == ["Moonlight Road"]
    await eventually(lambda: len(world.fake.dm_messages(world.fan2)) == 1)


# --------------------------------------------------------------------------- /mv review


async def test_review_queue_pages_and_acts(world: World) -> None:
    await world.set_up(role=world.curators_role)
    await world.suggest(world.fan)
    await world.suggest(world.fan2, ESSENTIALS | {"title": "Sunrise Lane", "youtube": "", "names": ""})
    record = await world.fake.slash("mv review", world.guild, world.general, world.curator)
    body = await record.response()
    assert body["data"]["flags"] & EPHEMERAL and "Suggestion 1 of 2" in content_of(body)
    queue = record.original
    assert queue is not None and body["data"]["embeds"][0]["title"].startswith("Moonlight Road")
    turned = await world.click(queue, "lightstick:queue:next", world.curator)
    assert "Suggestion 2 of 2" in content_of(turned) and turned["data"]["embeds"][0]["title"] == "Sunrise Lane"

    approved = await world.click(queue, "lightstick:queue:approve", world.curator)
    assert "approved" in content_of(approved) and "Suggestion 1 of 1" in content_of(approved)
    assert await world.entries() == ["Sunrise Lane"]
    review_message = world.fake.messages[int((await world.review_message(2))["id"])]
    await eventually(lambda: "approved" in review_message["content"])
    assert all(button["disabled"] for button in custom_ids(review_message).values())
    await eventually(lambda: len(world.fake.dm_messages(world.fan2)) == 1)

    rejecting = await world.fake.click(queue, "lightstick:queue:reject", world.guild, world.curator)
    modal = await world.open_modal(rejecting)
    done = await world.fake.submit_modal(
        modal["custom_id"], {"reason": "Not yet released."}, world.guild, world.general, world.curator
    )
    body = await done.response()
    assert body["type"] == 7 and "No suggestion is waiting" in content_of(body)
    first = world.fake.messages[int((await world.review_message(1))["id"])]
    await eventually(lambda: "Not yet released." in first["content"])
    assert all(button["disabled"] for button in custom_ids(first).values())
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)


async def test_a_stale_queue_page_says_the_suggestion_was_decided(world: World) -> None:
    await world.set_up()
    await world.suggest(world.fan)
    record = await world.fake.slash("mv review", world.guild, world.general, world.admin)
    await record.response()
    assert record.original is not None
    await world.click(await world.review_message(), "lightstick:sug:1:approve", world.admin)
    body = await world.click(record.original, "lightstick:queue:approve", world.admin)
    assert body["type"] == 4 and "already approved" in content_of(body)
    assert len(await world.bot.catalogs.store.history(world.guild.id, 1)) == 1


async def test_review_works_without_a_review_channel(world: World) -> None:
    empty = await world.slash("mv review", world.admin)
    assert "No suggestion is waiting" in content_of(empty) and "/mv curation" in content_of(empty)
    await world.set_up()
    world.fake.deny_bot(world.review, "send_messages")  # the channel can't take the post any more
    done = await world.suggest(world.fan)
    assert "/mv review" in str(done["content"]) and world.review_messages() == []
    record = await world.fake.slash("mv review", world.guild, world.general, world.admin)
    body = await record.response()
    assert "Suggestion 1 of 1" in content_of(body)
    assert record.original is not None
    approved = await world.click(record.original, "lightstick:queue:approve", world.admin)
    assert "approved" in content_of(approved)
    assert await world.entries() == ["Moonlight Road"]
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)


# --------------------------------------------------------------------------- edit from review


async def test_edit_a_suggestion_then_approve_records_both(world: World) -> None:
    await world.set_up()
    await world.suggest(world.fan)
    message = await world.review_message()
    record = await world.fake.click(message, "lightstick:sug:1:edit", world.guild, world.admin)
    modal = await world.open_modal(record)
    values = modal_values(modal)
    assert values["title"] == "Moonlight Road" and values["when"] == "2023-05-04"
    assert (
        values["youtube"] == "https://www.youtube.com/watch?v=abcdefghijk" and values["names"] == "달빛 길\nMoon Road"
    )
    typed = await world.fake.submit_modal(
        modal["custom_id"], {"title": "Moonlit Road"}, world.guild, world.review, world.admin
    )
    preview = await typed.response()
    assert preview["data"]["embeds"][0]["title"].startswith("Moonlit Road")
    assert typed.original is not None
    approved = await world.click(typed.original, "lightstick:draft:finish", world.admin)
    assert "edited and approved" in content_of(approved)
    assert await world.entries() == ["Moonlit Road"]
    await eventually(lambda: "approved" in world.fake.messages[int(message["id"])]["content"])
    await eventually(lambda: len(world.fake.dm_messages(world.fan)) == 1)
    history = await world.bot.catalogs.store.history(world.guild.id, 1)
    assert [h.action for h in history] == ["edited", "added"]
    assert history[0].changes == {"title": ("Moonlight Road", "Moonlit Road")}


# --------------------------------------------------------------------------- edit, remove, history


async def approved_entry(world: World) -> None:
    await world.set_up(role=world.curators_role)
    await world.suggest(world.fan, story=STORY)
    await world.click(await world.review_message(), "lightstick:sug:1:approve", world.curator)


async def test_edit_opens_prefilled_modals_and_history_shows_the_change(world: World) -> None:
    await approved_entry(world)
    denied = await world.slash("mv edit", world.fan, mv="s-1")
    assert "Only curators" in content_of(denied)
    choices = await world.fake.autocomplete("mv edit", world.guild, world.general, world.curator, focused="mv", mv="")
    assert [c["value"] for c in (await choices.response())["data"]["choices"]] == ["s-1"]

    record = await world.fake.slash("mv edit", world.guild, world.general, world.curator, mv="s-1")
    modal = await world.open_modal(record)
    assert modal_values(modal)["title"] == "Moonlight Road" and "s-1" in modal["title"]
    typed = await world.fake.submit_modal(
        modal["custom_id"], {"when": "2023"}, world.guild, world.general, world.curator
    )
    await typed.response()
    assert typed.original is not None
    opener = await world.fake.click(typed.original, "lightstick:draft:story", world.guild, world.curator)
    story = await world.open_modal(opener)
    assert modal_values(story)["storyline"] == STORY["storyline"]
    assert modal_values(story)["themes"] == "fantasy, coming-of-age"
    saved = await world.fake.submit_modal(
        story["custom_id"], {"twist": "", "themes": "fantasy"}, world.guild, world.general, world.curator
    )
    body = await saved.response()
    assert body["type"] == 7 and "Saved `s-1`" in content_of(body)
    entry = await world.bot.catalogs.store.entry(world.guild.id, 1)
    assert entry is not None and entry.mv.release_date is None and entry.mv.twist is None
    assert entry.mv.themes == ("fantasy",)

    history = await world.slash("mv history", world.fan, mv="s-1")
    embed = history["data"]["embeds"][0]
    assert [f["name"] for f in embed["fields"]] == ["✏️ Edited", "➕ Added"]
    edited = embed["fields"][0]["value"]
    assert f"<@{world.curator.user_id}>" in edited and "<t:" in edited
    assert "**release_date**: “2023-05-04” → ∅" in edited and "**twist**" in edited and "**themes**" in edited


async def test_an_edit_that_changes_nothing_is_refused(world: World) -> None:
    await approved_entry(world)
    record = await world.fake.slash("mv edit", world.guild, world.general, world.curator, mv="moonlight")
    modal = await world.open_modal(record)
    typed = await world.fake.submit_modal(modal["custom_id"], {}, world.guild, world.general, world.curator)
    await typed.response()
    assert typed.original is not None
    body = await world.click(typed.original, "lightstick:draft:finish", world.curator)
    assert body["type"] == 4 and "changes nothing" in content_of(body)


async def test_built_in_mvs_cannot_be_edited(world: World) -> None:
    await approved_entry(world)
    body = await world.slash("mv edit", world.curator, mv="vixx-error")
    assert "built-in MV" in content_of(body)


async def test_remove_asks_first_and_keeps_the_history(world: World) -> None:
    await approved_entry(world)
    record = await world.fake.slash("mv remove", world.guild, world.general, world.curator, mv="s-1")
    body = await record.response()
    assert body["data"]["flags"] & EPHEMERAL and "Remove" in content_of(body)
    assert await world.entries() == ["Moonlight Road"]  # nothing yet
    assert record.original is not None
    kept = await world.click(record.original, "lightstick:remove:cancel", world.curator)
    assert "nothing was removed" in content_of(kept) and await world.entries() == ["Moonlight Road"]

    record = await world.fake.slash("mv remove", world.guild, world.general, world.curator, mv="s-1")
    await record.response()
    assert record.original is not None
    removed = await world.click(record.original, "lightstick:remove:confirm", world.curator)
    assert "Removed" in content_of(removed)
    assert await world.entries() == []
    view = await world.bot.catalogs.get(world.guild.id)
    assert view.get("s-1") is None
    history = await world.slash("mv history", world.curator, mv="s-1")
    assert [f["name"] for f in history["data"]["embeds"][0]["fields"]] == ["🗑️ Removed", "➕ Added"]


# --------------------------------------------------------------------------- limits


async def test_at_most_three_pending_per_member(world: World) -> None:
    await world.set_up()
    for title in ("One Road", "Two Road", "Three Road"):
        await world.suggest(world.fan, ESSENTIALS | {"title": title, "youtube": "", "names": ""})
    body = await world.slash("mv suggest", world.fan)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "already have 3 suggestions waiting" in content_of(body)
    assert await world.pending() == 3


async def test_the_cooldown(world: World) -> None:
    await world.set_up(cooldown=10)
    await world.suggest(world.fan)
    body = await world.slash("mv suggest", world.fan)
    assert "You can suggest another MV in 10 minutes" in content_of(body)
    await world.clock.advance(timedelta(minutes=10))
    record = await world.fake.slash("mv suggest", world.guild, world.general, world.fan)
    assert (await record.response())["type"] == 9


async def test_the_suggest_role(world: World) -> None:
    await world.set_up(suggest_role=world.suggesters_role)
    body = await world.slash("mv suggest", world.fan)
    assert "open to members with the role" in content_of(body)
    member = world.fake.add_member(world.guild, "suggester", roles=[world.suggesters_role])
    record = await world.fake.slash("mv suggest", world.guild, world.general, member)
    assert (await record.response())["type"] == 9


async def test_suggestions_are_closed_until_curation_is_set_up(world: World) -> None:
    body = await world.slash("mv suggest", world.fan)
    assert "not open in this server yet" in content_of(body)


async def test_text_limits_are_discords(world: World) -> None:
    await world.set_up()
    record = await world.fake.slash("mv suggest", world.guild, world.general, world.fan)
    modal = await world.open_modal(record)
    limits = {row["components"][0]["custom_id"]: row["components"][0]["max_length"] for row in modal["components"]}
    assert limits == {"title": 100, "artist": 100, "when": 10, "youtube": 200, "names": 600}
    assert all(len(row["components"][0]["label"]) <= 45 for row in modal["components"])
    with pytest.raises(AssertionError, match="takes 0-100 characters"):
        await world.fake.submit_modal(
            modal["custom_id"], ESSENTIALS | {"title": "x" * 101}, world.guild, world.general, world.fan
        )
    with pytest.raises(UserError, match="keep it within 1,500"):
        curation_render.parse_story({"storyline": "x" * 1501})
    with pytest.raises(UserError, match="at most 10"):
        curation_render.parse_names("\n".join(f"alias {n}" for n in range(11)))
    assert await world.pending() == 0


async def test_a_full_server_catalog_takes_no_suggestion(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_ENTRIES", 1)
    await world.set_up()
    await world.suggest(world.fan)
    await world.click(await world.review_message(), "lightstick:sug:1:approve", world.admin)
    body = await world.slash("mv suggest", world.fan2)
    assert "catalog is full (1 entries)" in content_of(body)
    assert await world.pending() == 0


# --------------------------------------------------------------------------- hostile text


async def test_hostile_text_pings_nobody_and_breaks_no_spoiler(world: World) -> None:
    await world.set_up()
    world.fake.close_dms(world.fan)  # the note in the review channel too
    await world.suggest(world.fan, HOSTILE, story=HOSTILE_STORY)
    message = await world.review_message()
    await world.click(message, "lightstick:sug:1:approve", world.admin)
    await eventually(lambda: any("couldn't DM" in m["content"] for m in world.fake.bot_messages(world.review)))
    world.fake.open_dms(world.fan2)
    await world.suggest(world.fan2, HOSTILE | {"title": "Second @here"}, story=HOSTILE_STORY | {"twist": "A || b"})
    second = await world.review_message(2)
    await world.reject(second, 2, "@everyone <@&123456789012345678> ||no|| **never**", member=world.admin)
    await eventually(lambda: len(world.fake.dm_messages(world.fan2)) == 1)
    history = await world.slash("mv history", world.admin, mv="s-1")
    assert history["data"]["embeds"]

    payloads = sent_payloads(world.fake)
    assert payloads
    for body in payloads:
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], body
        assert not mentions.get("users") and not mentions.get("roles") and not mentions.get("replied_user")
        content = body.get("content") or ""
        assert "@everyone" not in content and "@here" not in content and "<@&" not in content, content
        assert "||" not in content, content
        for embed in body.get("embeds") or []:
            texts = [embed.get("title") or "", embed.get("description") or ""]
            texts += [field["value"] for field in embed.get("fields", [])]
            for text in texts:
                bars = text.count("||")
                assert bars in (0, 2), text
                if bars:
                    assert text.endswith("||") and (text.startswith("||") or "\n\n||" in text), text
    dm = world.fake.dm_messages(world.fan2)[0]["content"]
    assert "@everyone" not in dm and "<@&" not in dm and "||" not in dm


# --------------------------------------------------------------------------- the pure parts


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ("2024", {"year": 2024, "release_date": None}),
        (" 2024-12-06 ", {"year": 2024, "release_date": "2024-12-06"}),
        ("2024/1/9", {"year": 2024, "release_date": "2024-01-09"}),
        ("2024.12.06", {"year": 2024, "release_date": "2024-12-06"}),
    ],
)
def test_a_date_or_a_year(typed: str, fields: JSON) -> None:
    assert curation_render.parse_when(typed) == fields


@pytest.mark.parametrize("typed", ["", "24", "2024-02-30", "December 2024", "@everyone"])
def test_not_a_date(typed: str) -> None:
    with pytest.raises(UserError, match="not a date or a year") as caught:
        curation_render.parse_when(typed)
    assert "@everyone" not in str(caught.value)


def test_names_round_trip_through_the_input() -> None:
    for title_ko, aliases in [
        ("하루하루", ["Haru Haru"]),
        (None, ["마마", "Mama"]),
        (None, ["Day by Day"]),
        (None, []),
    ]:
        fields = {"title_ko": title_ko, "aliases": aliases}
        shown = curation_render.essentials_values(fields)["names"]
        assert curation_render.parse_names(shown) == (title_ko, aliases)


def test_lists_are_normalised_for_the_validator() -> None:
    assert curation_render.parse_words("Sci fi, car crash;romance\nsci-fi") == ["sci-fi", "car-crash", "romance"]
    assert curation_render.parse_story({"themes": " ", "warnings": ""}) == {
        "storyline": None,
        "twist": None,
        "content_warnings": None,
        "themes": None,
    }


def test_a_shortened_description_keeps_its_spoiler_closed() -> None:
    text = "⚠️ Content warnings: death\n\n||" + "x" * 500 + "||"
    short = curation_render.shorten_keeping_spoiler(text, 100)
    assert len(short) <= 100 and short.endswith("||") and short.count("||") == 2
    assert curation_render.shorten_keeping_spoiler("plain " * 50, 20).endswith("…")


def test_history_embed_stays_within_discords_limits() -> None:
    long = "y" * 2000
    records = [
        HistoryRecord(n, 1, 1, 42, HistoryAction.EDITED, {"storyline": (long, long + "z"), "title": ("a", "b")}, NOW)
        for n in range(40)
    ]
    embed = curation_render.history_embed("`s-1` Title", records)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(field.value or "") <= 1024 for field in embed.fields)
