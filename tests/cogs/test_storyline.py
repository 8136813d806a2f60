"""`/storyline` end to end: the real bot and its posting loop against the fake Discord.

Time is a FakeClock handed to the bot; moving it wakes the storyline dispatcher, and the
tests assert what Discord actually received (embeds, threads, allowed mentions) and what
the admins see in status, today and history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import discord
import pytest

from bot.catalog import load_catalog
from bot.client import LightstickBot
from bot.clock import FakeClock
from bot.i18n import _, render, speaking
from bot.storyline import PostState, StorylineSettings
from bot.storyline.service import CLAIM_LEASE
from cogs.storyline.cog import StorylineCog
from cogs.storyline.render import post_title
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, InteractionRecord, Member

JSON = dict[str, Any]
EPHEMERAL = 64
CATALOG = load_catalog()
STORY_COUNT = len(CATALOG.with_storyline())
SAFE_COUNT = sum(1 for mv in CATALOG.with_storyline() if not mv.mature)

#: Sunday 1 March 2026, 18:00 in Seoul; the storyline is set for 21:00 (12:00 UTC).
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RUN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY1 = date(2026, 3, 1)
MESSAGES = r"^/channels/\d+/messages$"
THREADS = r"^/channels/\d+/messages/\d+/threads$"
MANAGE_SERVER = discord.Permissions(manage_guild=True).value
#: Everything but Administrator, so channel overwrites can take permissions away.
BOT_PERMISSIONS = discord.Permissions.all().value & ~discord.Permissions(administrator=True).value


@dataclass
class Server:
    guild: Guild
    channel: JSON
    admin: Member
    fan: Member
    fans_role: int
    others: dict[str, JSON] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.guild.id


def add_server(fake: FakeDiscord, name: str = "K-pop Fans") -> Server:
    guild = fake.add_guild(
        name, bot_permissions=BOT_PERMISSIONS, channels=("storyline", "general"), nsfw_channels=("after-dark",)
    )
    mods = fake.add_role(guild, "Mods", permissions=MANAGE_SERVER)
    fans_role = fake.add_role(guild, "Storyline Fans", mentionable=True)
    return Server(
        guild,
        fake.channel(guild, "storyline"),
        fake.add_member(guild, "mod", roles=[mods]),
        fake.add_member(guild, "fan"),
        fans_role,
        {"general": fake.channel(guild, "general"), "after-dark": fake.channel(guild, "after-dark")},
    )


@dataclass
class World:
    fake: FakeDiscord
    bots: BotRunner
    clock: FakeClock
    bot: LightstickBot
    server: Server

    @property
    def cog(self) -> Any:
        """The loaded cog (extensions are re-imported per bot, so match by class name)."""
        cog = self.bot.get_cog("Storyline")
        assert type(cog).__name__ == StorylineCog.__name__
        return cog

    async def restart(self, at: datetime, *, while_down: Callable[[], Awaitable[None]] | None = None) -> None:
        """Stop the bot and start a new one on the same database, its clock at `at`."""
        await self.bots.stop(self.bot)
        if while_down is not None:
            await while_down()
        self.clock = FakeClock(at)
        self.bot = await self.bots.start(clock=self.clock)
        await eventually(lambda: self.cog.service.dispatcher.running)

    async def run(self, command: str, *, server: Server | None = None, user: Member | None = None,
                  where: JSON | None = None, **options: Any) -> InteractionRecord:  # fmt: skip
        """Run `/storyline <command>` as `user` (default: the admin) in `where` (default: its channel)."""
        server = server or self.server
        return await self.fake.slash_with(
            f"storyline {command}", server.guild, where or server.channel, user or server.admin, options
        )

    async def answer(self, command: str, **kwargs: Any) -> JSON:
        """The message the member sees (ephemeral checks are made on the callback body)."""
        return await (await self.run(command, **kwargs)).final_message()

    async def setup(self, server: Server | None = None, *, user: Member | None = None, **options: Any) -> JSON:
        """`/storyline setup` at 21:00 Asia/Seoul in the server's storyline channel, unless told."""
        server = server or self.server
        values: JSON = {"channel": int(server.channel["id"]), "time": "21:00", "timezone": "Asia/Seoul"}
        values.update(options)
        body = await (await self.run("setup", server=server, user=user, **values)).response()
        return dict(body)

    async def settings(self, server: Server | None = None) -> StorylineSettings | None:
        settings: StorylineSettings | None = await self.cog.service.store.settings((server or self.server).id)
        return settings

    def posts(self, server: Server | None = None) -> list[JSON]:
        channel = (server or self.server).channel
        return [m for m in self.fake.bot_messages(channel) if m["embeds"] and "Storyline of the day —" in
                m["embeds"][0].get("title", "")]  # fmt: skip

    async def quiet(self) -> None:
        """Give the loop a moment to do anything it would wrongly do."""
        await asyncio.sleep(0.2)


@pytest.fixture
async def world(fake: FakeDiscord, bots: BotRunner) -> World:
    server = add_server(fake)
    clock = FakeClock(START)
    bot = await bots.start(clock=clock)
    created = World(fake, bots, clock, bot, server)
    await eventually(lambda: created.cog.service.dispatcher.running)
    return created


def is_ephemeral(body: JSON) -> bool:
    return bool(body["data"].get("flags", 0) & EPHEMERAL)


def reply_text(body: JSON) -> str:
    data = body["data"]
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def field_value(embed: JSON, name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == name), None)


def outside_spoilers(text: str) -> str:
    return "\x00".join(text.split("||")[0::2])


# --------------------------------------------------------------------------- definitions


async def test_the_command_group_is_described_and_members_can_see_it(world: World) -> None:
    group = next(c for c in world.fake.commands["global"] if c["name"] == "storyline")
    assert group["default_member_permissions"] is None  # today and history are for everyone
    subcommands = {sub["name"]: sub for sub in group["options"]}
    assert set(subcommands) == {
        "setup", "status", "today", "post", "skip", "pause", "resume", "disable", "preview", "history",
    }  # fmt: skip
    for sub in subcommands.values():
        assert 1 <= len(sub["description"]) <= 100
        for option in sub.get("options", []):
            assert 1 <= len(option["description"]) <= 100, option["name"]
    options = {option["name"]: option for option in subcommands["setup"]["options"]}
    assert options["channel"]["channel_types"] == [0, 5]
    assert options["timezone"]["autocomplete"] is True
    assert (options["catch_up_hours"]["min_value"], options["catch_up_hours"]["max_value"]) == (0, 23)
    required = [name for name, option in options.items() if option.get("required")]
    assert required == ["channel", "time", "timezone"]


async def test_timezone_autocomplete_puts_seoul_first(world: World) -> None:
    server = world.server
    for typed, expected in (("", "Asia/Seoul"), ("new y", "America/New_York"), ("kst", "Asia/Seoul")):
        record = await world.fake.autocomplete(
            "storyline setup", server.guild, server.channel, server.admin, focused="timezone", timezone=typed
        )
        choices = (await record.response())["data"]["choices"]
        assert 1 <= len(choices) <= 25 and all(len(c["name"]) <= 100 for c in choices)
        assert choices[0]["value"] == expected


# --------------------------------------------------------------------------- setup refusals


async def test_setup_names_every_missing_permission_and_saves_nothing(world: World) -> None:
    world.fake.deny_bot(world.server.channel, "embed_links", "create_public_threads")
    await world.fake.update_channel(world.server.channel)
    body = await world.setup()
    assert is_ephemeral(body)
    text = body["data"]["content"]
    assert "**Embed Links**" in text and "**Create Public Threads**" in text
    assert "Send Messages" not in text and "Nothing was saved" in text
    assert await world.settings() is None

    without_thread = await world.setup(thread=False)  # threads not needed: only Embed Links is missing
    assert "**Embed Links**" in without_thread["data"]["content"]
    assert "Create Public Threads" not in without_thread["data"]["content"]
    assert await world.settings() is None


async def test_setup_refuses_a_role_it_may_not_ping(world: World) -> None:
    quiet_role = world.fake.add_role(world.server.guild, "Quiet", mentionable=False)
    world.fake.deny_bot(world.server.channel, "mention_everyone")
    await world.fake.update_channel(world.server.channel)
    body = await world.setup(ping_role=quiet_role)
    assert is_ephemeral(body)
    assert "not mentionable" in body["data"]["content"]
    assert await world.settings() is None
    saved = await world.setup(ping_role=world.server.fans_role)  # mentionable: fine
    assert not is_ephemeral(saved) or "set up" in reply_text(saved)
    assert (settings := await world.settings()) is not None and settings.ping_role_id == world.server.fans_role


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"time": "25:00"}, "the hour must be 00–23"),
        ({"time": "tea time"}, "HH:MM"),
        ({"timezone": "Mars/Olympus"}, "Unknown timezone 'Mars/Olympus'"),
        ({"timezone": "CST"}, "Pick your place: America/Chicago, America/Mexico_City, Asia/Shanghai"),
        ({"catch_up_hours": 30}, "catch_up_hours must be between 0 and 23"),
    ],
)
async def test_bad_input_gets_a_clear_message_and_saves_nothing(world: World, options: JSON, expected: str) -> None:
    body = await world.setup(**options)
    assert is_ephemeral(body)
    assert expected in body["data"]["content"]
    assert await world.settings() is None


async def test_setup_reads_times_and_timezones_generously(world: World) -> None:
    body = await world.setup(time="9pm", timezone="KST", catch_up_hours=2)
    assert "21:00 Asia/Seoul" in reply_text(body)
    settings = await world.settings()
    assert settings is not None and (settings.timezone, settings.catch_up_hours) == ("Asia/Seoul", 2)
    assert settings.next_run.run_at == RUN


async def test_a_voice_channel_is_refused(world: World) -> None:
    voice = world.fake.add_channel(world.server.guild, "hangout", voice=True)
    await world.fake.dispatch("CHANNEL_CREATE", voice)
    body = await world.setup(channel=int(voice["id"]))
    assert is_ephemeral(body)
    assert f"<#{voice['id']}> is a voice channel" in body["data"]["content"]
    assert await world.settings() is None


async def test_members_without_manage_server_are_refused(world: World) -> None:
    fan = world.server.fan
    body = await world.setup(user=fan)
    assert is_ephemeral(body) and "**Manage Server**" in body["data"]["content"]
    assert await world.settings() is None
    for command in ("status", "post", "skip", "pause", "resume", "disable", "preview"):
        answer = await (await world.run(command, user=fan)).response()
        assert "**Manage Server**" in answer["data"]["content"], command
    for command in ("today", "history"):  # open to everyone; here it just is not set up yet
        answer = await (await world.run(command, user=fan)).response()
        assert "not set up" in reply_text(answer) or "Nothing posted" in reply_text(answer), command


# --------------------------------------------------------------------------- the daily post


async def test_the_scheduled_post_goes_out_once_with_thread_and_role_ping(world: World) -> None:
    server = world.server
    body = await world.setup(ping_role=server.fans_role)
    assert is_ephemeral(body) and "Storyline of the day is set up." in reply_text(body)
    assert world.posts() == []

    await world.clock.set(RUN + timedelta(minutes=1))
    [call] = await world.fake.wait_for_call("POST", MESSAGES)
    [thread_call] = await world.fake.wait_for_call("POST", THREADS)
    await world.clock.advance(timedelta(hours=1))
    await world.quiet()
    assert len(world.fake.calls_to("POST", MESSAGES)) == 1

    sent = call.json
    assert sent["content"] == f"<@&{server.fans_role}>"
    mentions = sent["allowed_mentions"]
    assert mentions["parse"] == [] and [int(role) for role in mentions["roles"]] == [server.fans_role]
    assert set(mentions) <= {"parse", "roles", "replied_user"} and not mentions.get("replied_user")
    embed = sent["embeds"][0]
    assert embed["title"] == "Storyline of the day — March 1, 2026" == post_title(DAY1)
    mv = next(
        m for m in CATALOG.with_storyline() if field_value(embed, "MV") and m.title in (field_value(embed, "MV") or "")
    )
    assert field_value(embed, "Year") == str(mv.year)
    assert mv.artist in (field_value(embed, "Artist") or "")
    assert embed["url"] == mv.youtube_link and mv.youtube_link in (field_value(embed, "Watch") or "")
    assert embed["footer"]["text"] == f"{SAFE_COUNT - 1} more storylines before the cycle repeats."
    if mv.twist:
        twist = field_value(embed, "Twist (spoiler)") or ""
        assert twist.startswith("||") and twist.endswith("||")
    for warning in mv.content_warnings:
        assert warning in outside_spoilers(embed["description"])
    assert sent["components"][0]["components"][0]["url"] == mv.youtube_link
    assert thread_call.json["name"] == f"{mv.title} — discussion"

    record = await world.cog.service.store.post_for(server.id, DAY1)
    assert record.state is PostState.POSTED and record.thread_id is not None and not record.late
    status = reply_text(await (await world.run("status")).response())
    assert "✅" in status and mv.title in status and "March 2, 2026 at 21:00 (Asia/Seoul)" in status
    assert f"<t:{int((RUN + timedelta(days=1)).timestamp())}:F>" in status  # each reader's own clock
    assert f"1 of {SAFE_COUNT} posted" in status
    today = await world.answer("today", user=server.fan)
    assert mv.title in today["content"] and str(record.thread_id) in today["content"]

    # The next day links back to yesterday's discussion thread.
    await world.clock.set(RUN + timedelta(days=1))
    calls = await world.fake.wait_for_call("POST", MESSAGES, count=2)
    second = calls[1].json["embeds"][0]
    assert second["title"] == "Storyline of the day — March 2, 2026"
    assert f"/{server.id}/{record.thread_id})" in (field_value(second, "Yesterday's storyline") or "")
    assert field_value(second, "MV") != field_value(embed, "MV")


async def test_post_now_counts_as_todays_post(world: World) -> None:
    await world.setup(thread=False)
    answer = await world.run("post")
    body = await answer.response()
    assert body["type"] == 5 and is_ephemeral(body)
    message = await answer.final_message()
    assert "Posted today's storyline" in message["content"]
    assert len(world.posts()) == 1 and not world.fake.calls_to("POST", THREADS)

    again = await (await world.run("post")).final_message()
    assert "already posted" in again["content"]
    await world.clock.set(RUN + timedelta(minutes=5))
    await world.quiet()
    assert len(world.posts()) == 1
    record = await world.cog.service.store.post_for(world.server.id, DAY1)
    assert record.manual and record.state is PostState.POSTED
    await world.clock.set(RUN + timedelta(days=1))
    await eventually(lambda: len(world.posts()) == 2)


async def test_a_restart_after_the_post_does_not_post_again(world: World) -> None:
    await world.setup()
    await world.clock.set(RUN + timedelta(minutes=1))
    await world.fake.wait_for_call("POST", THREADS)
    await world.restart(RUN + timedelta(minutes=30))
    await world.quiet()
    assert len(world.posts()) == 1
    status = reply_text(await (await world.run("status")).response())
    assert "March 2, 2026 at 21:00" in status


async def test_a_crash_between_send_and_record_is_recovered_from_the_channel(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.setup()

    crashed = asyncio.Event()

    async def crash(*args: Any, **kwargs: Any) -> bool:
        crashed.set()
        raise RuntimeError("the process died before recording the post")

    with monkeypatch.context() as patched:
        patched.setattr(world.cog.service.store, "record_post", crash)
        await world.clock.set(RUN + timedelta(minutes=1))
        await asyncio.wait_for(crashed.wait(), 5)
        record = await world.cog.service.store.post_for(world.server.id, DAY1)
        assert record.state is PostState.CLAIMED

    await world.restart(RUN + CLAIM_LEASE + timedelta(minutes=2))
    history_reads = await world.fake.wait_for_call("GET", MESSAGES)
    assert history_reads[0].query["limit"] == "50"
    await eventually(lambda: _state_is(world, DAY1, PostState.POSTED))
    await world.quiet()
    [posted] = world.posts()
    record = await world.cog.service.store.post_for(world.server.id, DAY1)
    assert record.recovered and record.message_id == int(posted["id"])
    assert record.thread_id == int(posted["thread"]["id"])
    assert len(world.fake.calls_to("POST", MESSAGES)) == 1


async def _state_is(world: World, day: date, state: PostState) -> bool:
    record = await world.cog.service.store.post_for(world.server.id, day)
    return record is not None and record.state is state


async def test_catch_up_posts_late_inside_the_window_and_records_missed_outside(
    fake: FakeDiscord, world: World
) -> None:
    other = add_server(fake, "Night Owls")
    await world.fake.dispatch("GUILD_CREATE", other.guild.payload(fake.bot))
    await world.setup(catch_up_hours=6)
    await world.setup(other, catch_up_hours=1)
    await world.restart(RUN + timedelta(hours=3))

    [call] = await world.fake.wait_for_call("POST", MESSAGES)
    assert call.path == f"/channels/{world.server.channel['id']}/messages"
    assert call.json["embeds"][0]["description"].startswith("🕒 Posted late")
    await eventually(lambda: _state_is(world, DAY1, PostState.POSTED))
    assert (await world.cog.service.store.post_for(world.server.id, DAY1)).late
    await world.quiet()
    assert world.posts(other) == []
    missed = await world.cog.service.store.post_for(other.id, DAY1)
    assert missed.state is PostState.MISSED
    history = reply_text(await (await world.run("history", server=other, user=other.fan)).response())
    assert "💤" in history and "missed" in history
    history = reply_text(await (await world.run("history")).response())
    assert "late" in history


# --------------------------------------------------------------------------- failures stay local


async def test_forbidden_in_one_server_while_another_posts_on_time(fake: FakeDiscord, world: World) -> None:
    other = add_server(fake, "Locked Out")
    await fake.dispatch("GUILD_CREATE", other.guild.payload(fake.bot))
    await world.setup()
    await world.setup(other)
    fake.deny_bot(other.channel, "send_messages")  # the bot's cache doesn't know: Discord says 403

    await world.clock.set(RUN + timedelta(minutes=1))
    await fake.wait_for_call("POST", THREADS)
    await eventually(lambda: _state_is(world, DAY1, PostState.POSTED))
    await eventually(lambda: _failed(world, other))
    assert len(world.posts()) == 1 and world.posts(other) == []
    assert [c.status for c in fake.calls_to("POST", rf"^/channels/{other.channel['id']}/messages$")] == [403]
    status = reply_text(await (await world.run("status", server=other)).response())
    assert "❌ Last attempt failed: Discord refused the post" in status
    assert "March 2, 2026 at 21:00" in status  # retried at its next run

    # Told about it (CHANNEL_UPDATE), the next day is refused before calling Discord, by name.
    await fake.update_channel(other.channel)
    await world.clock.set(RUN + timedelta(days=1, minutes=1))
    await eventually(lambda: len(world.posts()) == 2)
    await eventually(lambda: _failed(world, other, date(2026, 3, 2)))
    assert len(fake.calls_to("POST", rf"^/channels/{other.channel['id']}/messages$")) == 1
    status = reply_text(await (await world.run("status", server=other)).response())
    assert "Missing permissions in #storyline: Send Messages" in status

    # Permission given back: the day after posts again.
    other.channel["permission_overwrites"] = []
    await fake.update_channel(other.channel)
    await world.clock.set(RUN + timedelta(days=2, minutes=1))
    await eventually(lambda: len(world.posts(other)) == 1)


async def _failed(world: World, server: Server, day: date = DAY1) -> bool:
    record = await world.cog.service.store.post_for(server.id, day)
    return record is not None and record.state is PostState.FAILED


async def test_a_deleted_channel_pauses_that_server_only(fake: FakeDiscord, world: World) -> None:
    other = add_server(fake, "Moving House")
    await fake.dispatch("GUILD_CREATE", other.guild.payload(fake.bot))
    await world.setup()
    await world.setup(other)
    await fake.delete_channel(other.channel)
    await eventually(lambda: _paused(world, other))
    status = reply_text(await (await world.run("status", server=other, where=other.others["general"])).response())
    assert "⏸️ Paused: The storyline channel was deleted" in status

    await world.clock.set(RUN + timedelta(minutes=1))
    await eventually(lambda: len(world.posts()) == 1)
    resume = await (await world.run("resume", server=other, where=other.others["general"])).response()
    assert "channel no longer exists" in resume["data"]["content"]


async def test_a_channel_deleted_while_the_bot_was_down_pauses_the_server(fake: FakeDiscord, world: World) -> None:
    await world.setup()

    async def delete_while_down() -> None:
        await eventually(lambda: not fake.sockets)  # no CHANNEL_DELETE reaches any bot
        await fake.delete_channel(world.server.channel)

    await world.restart(RUN + timedelta(minutes=5), while_down=delete_while_down)
    await eventually(lambda: _paused(world, world.server))
    assert not fake.calls_to("POST", MESSAGES)  # the cache knows the channel is gone: no request
    status = reply_text(await (await world.run("status", where=world.server.others["general"])).response())
    assert "⏸️ Paused: The storyline channel was deleted" in status
    assert "❌ Last attempt failed: The storyline channel was deleted" in status
    moved = await world.setup(channel=int(world.server.others["general"]["id"]))  # setup again un-pauses
    assert "Storyline of the day is set up." in reply_text(moved)
    assert (settings := await world.settings()) is not None and settings.active


async def test_unknown_channel_from_discord_pauses_the_server(fake: FakeDiscord, world: World) -> None:
    await world.setup()
    fake.fail("POST", MESSAGES, 404, code=10003)
    await world.clock.set(RUN + timedelta(minutes=1))
    await eventually(lambda: _paused(world, world.server))
    status = reply_text(await (await world.run("status")).response())
    assert "⏸️ Paused: The storyline channel was deleted" in status
    assert "❌ Last attempt failed" in status


async def test_removing_lightstick_from_a_server_pauses_it(fake: FakeDiscord, world: World) -> None:
    await world.setup()
    await fake.dispatch("GUILD_DELETE", {"id": str(world.server.guild.id)})
    await eventually(lambda: _paused(world, world.server))
    settings = await world.settings()
    assert settings is not None and settings.paused_reason is not None
    assert "removed from this server" in settings.paused_reason
    await world.clock.set(RUN + timedelta(minutes=1))
    await asyncio.sleep(0.2)
    assert not fake.calls_to("POST", MESSAGES)


async def _paused(world: World, server: Server) -> bool:
    settings = await world.settings(server)
    return settings is not None and settings.paused


# --------------------------------------------------------------------------- admin controls


async def test_pause_resume_skip_and_disable(world: World) -> None:
    await world.setup()
    assert "Paused" in (await world.answer("pause"))["content"]
    assert "paused" in (await world.answer("today", user=world.server.fan))["content"]
    await world.clock.set(RUN + timedelta(minutes=1))
    await world.quiet()
    assert world.posts() == []

    resumed = await world.answer("resume")
    assert "March 2, 2026 at 21:00" in resumed["content"]
    skipped = await world.answer("skip")
    assert "Skipped the storyline for March 2, 2026" in skipped["content"]
    assert "March 3, 2026 at 21:00" in skipped["content"]
    await world.clock.set(RUN + timedelta(days=1, minutes=1))
    await world.quiet()
    assert world.posts() == []
    await world.clock.set(RUN + timedelta(days=2, minutes=1))
    await eventually(lambda: len(world.posts()) == 1)

    assert "Disabled" in (await world.answer("disable"))["content"]
    status = reply_text(await (await world.run("status")).response())
    assert "Disabled. Run `/storyline setup`" in status
    await world.clock.set(RUN + timedelta(days=3, minutes=1))
    await world.quiet()
    assert len(world.posts()) == 1
    assert "disabled" in (await world.answer("resume"))["content"]
    await world.setup()  # turns it back on
    await world.clock.set(RUN + timedelta(days=4, minutes=1))
    await eventually(lambda: len(world.posts()) == 2)


async def test_preview_today_and_history(world: World) -> None:
    await world.setup(ping_role=world.server.fans_role)
    preview = await (await world.run("preview")).response()
    assert is_ephemeral(preview)
    data = preview["data"]
    assert data["embeds"][0]["title"] == post_title(DAY1)
    assert data["content"].startswith("Preview — only you see this.")
    assert "March 1, 2026 at 21:00 (Asia/Seoul)" in data["content"]
    assert data["allowed_mentions"]["parse"] == []  # the preview never pings
    assert world.posts() == []
    today = await world.answer("today", user=world.server.fan)
    assert "Today's storyline comes March 1, 2026 at 21:00" in today["content"]
    empty = reply_text(await (await world.run("history", user=world.server.fan)).response())
    assert "Nothing posted yet." in empty

    await world.clock.set(RUN + timedelta(minutes=1))
    await eventually(lambda: _state_is(world, DAY1, PostState.POSTED))
    posted_title = world.posts()[0]["embeds"][0]["fields"][0]["value"]
    assert posted_title in data["embeds"][0]["fields"][0]["value"]  # the preview showed the real pick
    history = await (await world.run("history", user=world.server.fan)).response()
    assert is_ephemeral(history)
    line = history["data"]["embeds"][0]["description"]
    assert line.startswith("✅ March 1, 2026 — [") and f"/{world.server.id}/" in line


async def test_mature_entries_only_with_the_option_in_an_age_restricted_channel(world: World) -> None:
    after_dark = world.server.others["after-dark"]
    body = await world.setup(include_mature=True)
    assert "Mature MVs stay out until the channel is age-restricted" in reply_text(body)
    assert f"of {SAFE_COUNT} posted" in reply_text(body)
    body = await world.setup(channel=int(after_dark["id"]), include_mature=True)
    assert "Mature MVs stay out" not in reply_text(body)
    assert f"of {STORY_COUNT} posted" in reply_text(body)


# --------------------------------------------------------------------------- languages


def in_language(locale: str, build: Callable[[], str]) -> str:
    """What Lightstick shows for `build()` in `locale`, from the shipped catalogs."""
    with speaking(locale):
        return build()


async def test_a_portuguese_server_gets_its_post_in_portuguese_and_a_korean_admin_replies_in_korean(
    world: World,
) -> None:
    server = world.server
    await world.bot.languages.choose(server.id, "pt-BR", by=server.admin.user_id, now=START)
    mods = world.fake.add_role(server.guild, "Mods KR", permissions=MANAGE_SERVER)
    korean = world.fake.add_member(server.guild, "mod-ko", roles=[mods], locale="ko")

    body = await world.setup(user=korean, thread=True)
    assert is_ephemeral(body) and "2026년 3월 1일" in reply_text(body)  # the admin's own language

    await world.clock.set(RUN + timedelta(minutes=1))
    [call] = await world.fake.wait_for_call("POST", MESSAGES)
    [thread_call] = await world.fake.wait_for_call("POST", THREADS)
    embed = call.json["embeds"][0]
    assert embed["title"] == in_language("pt-BR", lambda: post_title(DAY1)) != post_title(DAY1)
    assert "1 de março de 2026" in embed["title"]
    footer = embed["footer"]["text"]
    assert str(SAFE_COUNT - 1) in footer and "storylines" not in footer
    discussion = render(_("{title} — discussion", title="\x00"), "pt-BR").split("\x00")[1]
    assert discussion != " — discussion" and thread_call.json["name"].endswith(discussion)

    # `/storyline post` from the Korean admin: the post in Portuguese, the reply in Korean.
    await world.clock.set(RUN + timedelta(days=1) - timedelta(hours=2))
    answer = await world.answer("post", user=korean)
    posted = render(_("Posted today's storyline: **{mv}**", mv="\x00"), "ko").split("\x00")[0]
    assert posted != "Posted today's storyline: **" and answer["content"].startswith(posted)
    calls = await world.fake.wait_for_call("POST", MESSAGES, count=2)
    assert calls[1].json["embeds"][0]["title"] == in_language("pt-BR", lambda: post_title(DAY1 + timedelta(days=1)))


async def test_a_server_without_a_language_posts_in_english_whatever_the_admin_speaks(
    world: World,
) -> None:
    korean = world.fake.add_member(
        world.server.guild,
        "mod-ko",
        roles=[world.fake.add_role(world.server.guild, "Mods KR", permissions=MANAGE_SERVER)],
        locale="ko",
    )
    await world.setup(user=korean)
    await world.answer("post", user=korean)
    [call] = await world.fake.wait_for_call("POST", MESSAGES)
    assert call.json["embeds"][0]["title"] == "Storyline of the day — March 1, 2026"
