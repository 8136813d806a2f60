"""The fake Discord itself: loud unknown routes, injected failures, paged reactions."""

from __future__ import annotations

import aiohttp
import discord

from bot.client import REQUIRED_PERMISSIONS
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord

MESSAGES = r"^/channels/\d+/messages$"


async def test_unknown_route_is_a_loud_404_and_recorded(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/guilds/1/bans") as response:
        assert response.status == 404
        assert "FAKE DISCORD: no route for GET /guilds/1/bans" in (await response.json())["message"]
    assert fake.unknown_routes == ["GET /guilds/1/bans"]
    fake.unknown_routes.clear()  # seen on purpose; the fixture would fail the test otherwise


async def test_a_429_is_waited_out_by_the_real_client(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    bot = await bots.start()
    channel = bot.get_channel(int(fake.channel(guild, "general")["id"]))
    assert isinstance(channel, discord.TextChannel)
    fake.fail("POST", MESSAGES, 429, retry_after=0.2)
    message = await channel.send("hello")
    assert [c.status for c in fake.calls_to("POST", MESSAGES)] == [429, 200]
    assert fake.messages[message.id]["content"] == "hello"


async def test_forbidden_and_not_found_carry_discord_codes(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild(bot_permissions=REQUIRED_PERMISSIONS.value)  # no Administrator to bypass overwrites
    bot = await bots.start()
    general = fake.channel(guild, "general")
    channel = bot.get_channel(int(general["id"]))
    assert isinstance(channel, discord.TextChannel)
    fake.deny_bot(general, "send_messages")
    try:
        await channel.send("hi")
    except discord.Forbidden as error:
        assert error.code == 50013
    else:
        raise AssertionError("the fake let the bot send without Send Messages")
    try:
        await channel.fetch_message(12345)
    except discord.NotFound as error:
        assert error.code == 10008
    else:
        raise AssertionError("the fake found a message that does not exist")


async def test_reaction_users_are_paged_100_at_a_time(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    bot = await bots.start()
    general = fake.channel(guild, "general")
    channel = bot.get_channel(int(general["id"]))
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("vote")
    members = [fake.add_member(guild, f"fan{i}") for i in range(250)]
    for member in members:
        await fake.react(fake.messages[posted.id], member, "1️⃣", send_event=False)
    message = await channel.fetch_message(posted.id)
    reaction = next(r for r in message.reactions if str(r.emoji) == "1️⃣")
    users = [user.id async for user in reaction.users()]
    assert len(users) == 250
    assert set(users) == {m.user_id for m in members}
    pages = fake.calls_to("GET", r"/reactions/")
    assert [c.query.get("limit") for c in pages] == ["100", "100", "50"]
