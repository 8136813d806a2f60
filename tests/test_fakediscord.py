"""The fake Discord itself: loud unknown routes, injected failures, paged reactions, shards."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest

from bot.client import REQUIRED_PERMISSIONS
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord, Guild
from tests.fakediscord.payloads import snowflake

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


# -- sharding: what Discord's gateway documentation says ----------------------------------

DEFAULT_INTENTS = discord.Intents.default().value


class GatewayClient:
    """A bare gateway connection (aiohttp), to see exactly what the fake sends."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session = session
        self.ws = ws

    @classmethod
    async def connect(cls, fake: FakeDiscord) -> GatewayClient:
        session = aiohttp.ClientSession()
        ws = await session.ws_connect(str(fake.gateway_url))
        hello = await ws.receive_json(timeout=5)
        assert hello["op"] == 10
        return cls(session, ws)

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()

    async def identify(self, shard: list[int] | None = None, intents: int = DEFAULT_INTENTS) -> None:
        data: dict[str, object] = {"token": "t", "intents": intents, "properties": {}}
        if shard is not None:
            data["shard"] = shard
        await self.ws.send_json({"op": 2, "d": data})

    async def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next dispatch (op 0); a close raises with its code."""
        while True:
            msg = await self.ws.receive(timeout=timeout)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                raise ClosedError(self.ws.close_code)
            payload = json.loads(msg.data)
            if payload["op"] == 0:
                return dict(payload)

    async def ready(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """READY and the GUILD_CREATEs that follow it."""
        ready = await self.next_event()
        assert ready["t"] == "READY", ready
        creates = [await self.next_event() for _ in ready["d"]["guilds"]]
        assert all(event["t"] == "GUILD_CREATE" for event in creates)
        return ready["d"], [event["d"] for event in creates]

    async def close_code(self) -> int | None:
        try:
            event = await self.next_event()
        except ClosedError as closed:
            return closed.code
        raise AssertionError(f"the socket stayed open and sent {event['t']}")

    async def nothing_within(self, seconds: float = 0.3) -> bool:
        try:
            await self.next_event(timeout=seconds)
        except TimeoutError:
            return True
        return False


class ClosedError(Exception):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed with {code}")
        self.code = code


@pytest.fixture
async def gateway(fake: FakeDiscord) -> AsyncIterator[Callable[[], Awaitable[GatewayClient]]]:
    opened: list[GatewayClient] = []

    async def connect() -> GatewayClient:
        client = await GatewayClient.connect(fake)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        await client.close()


def ids(guilds: list[Guild]) -> set[str]:
    return {str(guild.id) for guild in guilds}


def spread_guilds(fake: FakeDiscord, shard_count: int, per_shard: int = 2) -> dict[int, list[Guild]]:
    return {
        shard: [fake.add_guild(f"shard {shard} #{n}", shard=(shard, shard_count)) for n in range(per_shard)]
        for shard in range(shard_count)
    }


def test_snowflakes_can_be_placed_on_a_shard() -> None:
    for shard_count in (1, 2, 3, 16):
        for shard in range(shard_count):
            made = [snowflake(shard=(shard, shard_count)) for _ in range(5)]
            assert all((flake >> 22) % shard_count == shard for flake in made)
            assert len(set(made)) == 5
    with pytest.raises(ValueError):
        snowflake(shard=(2, 2))


async def test_identify_without_shard_is_shard_0_of_1_with_every_guild(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    guilds = [guild for group in spread_guilds(fake, 3).values() for guild in group]
    client = await gateway()
    await client.identify()
    ready, creates = await client.ready()
    assert ready["shard"] == [0, 1]
    assert {g["id"] for g in ready["guilds"]} == ids(guilds)
    assert {g["id"] for g in creates} == ids(guilds)
    assert fake.identified_shards == [(0, 1)]


async def test_a_shard_gets_only_the_guilds_whose_id_maps_to_it(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    by_shard = spread_guilds(fake, 3)
    for shard in (2, 0):
        client = await gateway()
        await client.identify([shard, 3])
        ready, creates = await client.ready()
        assert ready["shard"] == [shard, 3]
        assert {g["id"] for g in ready["guilds"]} == ids(by_shard[shard])
        assert {g["id"] for g in creates} == ids(by_shard[shard])
        assert all((int(g["id"]) >> 22) % 3 == shard for g in creates)
    assert fake.identified_shards == [(2, 3), (0, 3)]
    assert len(fake.identify_times) == 2 and fake.identify_times[0] <= fake.identify_times[1]
    assert fake.connected_shards == [(0, 3), (2, 3)]


@pytest.mark.parametrize("shard", [[2, 2], [5, 3], [0, 0], [-1, 2]])
async def test_an_invalid_shard_is_closed_with_4010(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]], shard: list[int]
) -> None:
    fake.add_guild()
    client = await gateway()
    await client.identify(shard)
    assert await client.close_code() == 4010
    assert fake.connected_shards == []


async def test_too_many_guilds_for_one_shard_is_closed_with_4011(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    assert fake.max_guilds_per_shard == 2500
    fake.max_guilds_per_shard = 2
    spread_guilds(fake, 2, per_shard=2)
    unsharded = await gateway()
    await unsharded.identify()
    assert await unsharded.close_code() == 4011
    for shard in (0, 1):  # two guilds a shard fit
        client = await gateway()
        await client.identify([shard, 2])
        ready, _ = await client.ready()
        assert len(ready["guilds"]) == 2


async def test_privileged_intents_the_app_lacks_are_closed_with_4014(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    fake.add_guild()
    members = discord.Intents.default()
    members.members = True
    refused = await gateway()
    await refused.identify(intents=members.value)
    assert await refused.close_code() == 4014
    default = await gateway()
    await default.identify()
    await default.ready()
    fake.allowed_privileged_intents = members.value & ~DEFAULT_INTENTS
    granted = await gateway()
    await granted.identify(intents=members.value)
    await granted.ready()


async def test_gateway_bot_recommends_a_shard_per_1000_guilds(fake: FakeDiscord) -> None:
    async def bot_gateway() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(f"{fake.api_base}/gateway/bot") as response:
            return dict(await response.json())

    first = await bot_gateway()
    assert first["shards"] == 1
    assert first["session_start_limit"]["max_concurrency"] == 1
    assert first["url"] == str(fake.gateway_url)
    for n in range(2001):
        fake.guilds[n << 22] = Guild(n << 22, f"g{n}", 1, {}, {}, {})
    assert (await bot_gateway())["shards"] == 3
    fake.recommended_shards, fake.max_concurrency = 7, 16
    second = await bot_gateway()
    assert second["shards"] == 7
    assert second["session_start_limit"]["max_concurrency"] == 16


async def test_guild_events_and_interactions_go_only_to_the_owning_shard(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    by_shard = spread_guilds(fake, 2, per_shard=1)
    clients = []
    for shard in (0, 1):
        client = await gateway()
        await client.identify([shard, 2])
        await client.ready()
        clients.append(client)
    guild = by_shard[1][0]
    general = fake.channel(guild, "general")
    member = fake.add_member(guild, "fan")
    message = {"id": str(snowflake()), "channel_id": general["id"], "guild_id": str(guild.id)}
    await fake.react(message, member, "1️⃣")
    event = await clients[1].next_event()
    assert event["t"] == "MESSAGE_REACTION_ADD" and event["d"]["guild_id"] == str(guild.id)
    fake.commands["global"] = [{"id": "99", "name": "ping", "type": 1, "options": []}]
    await fake.slash("ping", guild, general, member)
    assert (await clients[1].next_event())["t"] == "INTERACTION_CREATE"
    assert await clients[0].nothing_within()
    await fake.dispatch("USER_UPDATE", {"id": str(fake.app_id)})  # not a guild's: every shard
    assert [(await c.next_event())["t"] for c in clients] == ["USER_UPDATE", "USER_UPDATE"]


async def test_resume_keeps_the_shard_and_drop_shard_closes_only_it(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    by_shard = spread_guilds(fake, 2, per_shard=1)
    first, other = await gateway(), await gateway()
    await first.identify([1, 2])
    await other.identify([0, 2])
    ready, _ = await first.ready()
    await other.ready()
    assert await fake.drop_shard(1, code=4000) == 1
    assert await first.close_code() == 4000
    assert await other.nothing_within()
    assert fake.connected_shards == [(0, 2)]
    resumed = await gateway()
    await resumed.ws.send_json({"op": 6, "d": {"token": "t", "session_id": ready["session_id"], "seq": 1}})
    assert (await resumed.next_event())["t"] == "RESUMED"
    assert fake.connected_shards == [(0, 2), (1, 2)]
    guild = by_shard[1][0]
    await fake.dispatch("CHANNEL_UPDATE", fake.channel(guild, "general"))
    assert (await resumed.next_event())["t"] == "CHANNEL_UPDATE"
    assert await other.nothing_within()


async def test_a_refused_identify_closes_with_the_given_code(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    fake.refuse_identify(4010)
    client = await gateway()
    await client.identify()
    assert await client.close_code() == 4010
    again = await gateway()
    await again.identify()
    ready, _ = await again.ready()
    assert ready["shard"] == [0, 1]
