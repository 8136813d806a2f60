"""The fake Discord itself: loud unknown routes, injected failures, paged reactions, shards,
DMs, attachment options, modals, clicks after a restart and component limits."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest

from bot.client import REQUIRED_PERMISSIONS
from tests.conftest import BotRunner
from tests.fakediscord import FakeDiscord, Guild, InteractionRecord
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


# -- DMs, attachments, modals, components: what Discord's documentation says -------------

API_ERROR = dict[str, Any]


async def raw(fake: FakeDiscord, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A REST call as a bare client makes it: the status and the JSON answer (None if empty)."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{fake.api_base}{path}", json=body) as response,
    ):
        text = await response.text()
        return response.status, (json.loads(text) if text else None)


async def test_create_dm_returns_one_dm_channel_and_records_its_messages(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild(bot_permissions=0, everyone_permissions=0)  # a guild's permissions do not reach DMs
    member = fake.add_member(guild, "fan")
    bot = await bots.start()
    dm = await bot.create_dm(discord.Object(member.user_id))
    assert isinstance(dm, discord.DMChannel)
    await dm.send("Your pack was imported.")
    await dm.send("Second note")
    assert [m["content"] for m in fake.dm_messages(member)] == ["Your pack was imported.", "Second note"]
    assert all("guild_id" not in m for m in fake.dm_messages(member))
    status, channel = await raw(fake, "POST", "/users/@me/channels", {"recipient_id": str(member.user_id)})
    assert status == 200
    assert channel["id"] == str(dm.id) and channel["type"] == 1
    assert [r["id"] for r in channel["recipients"]] == [str(member.user_id)]
    assert fake.dm_messages(fake.add_member(guild, "someone-else")) == []


async def test_closed_dms_answer_403_50007(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    member = fake.add_member(guild, "private-fan")
    other_bot = fake.add_member(guild, "OtherBot", bot=True)
    fake.close_dms(member)
    bot = await bots.start()
    for target in (member, other_bot):
        dm = await bot.create_dm(discord.Object(target.user_id))  # opening the channel still works
        with pytest.raises(discord.Forbidden) as refused:
            await dm.send("hello")
        assert refused.value.code == 50007
        assert refused.value.text == "Cannot send messages to this user"
        assert fake.dm_messages(target) == []
    fake.open_dms(member)
    await (await bot.create_dm(discord.Object(member.user_id))).send("now it works")
    assert [m["content"] for m in fake.dm_messages(member)] == ["now it works"]
    status, body = await raw(fake, "POST", "/users/@me/channels", {"recipient_id": "12345"})
    assert (status, body["code"]) == (400, 50033)


async def test_an_attachment_option_is_resolved_and_its_bytes_are_on_the_cdn(
    fake: FakeDiscord, bots: BotRunner
) -> None:
    guild = fake.add_guild()
    general = fake.channel(guild, "general")
    member = fake.add_member(guild, "uploader")
    bot = await bots.start()

    @discord.app_commands.command(name="upload-check", description="Read an uploaded file")
    async def upload_check(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(f"{file.filename}|{file.content_type}|{file.size}|{data.decode()}")

    bot.tree.add_command(upload_check)
    await bot.tree.sync()
    csv = b"id,title\nvixx-error,Error\n"
    record = await fake.slash(
        "upload-check", guild, general, member, file=fake.attachment("pack.csv", csv, content_type="text/csv")
    )
    body = await record.response()
    assert body["data"]["content"] == f"pack.csv|text/csv|{len(csv)}|{csv.decode()}"
    data = record.payload["data"]
    [option] = data["options"]
    assert option["type"] == 11
    attachment = data["resolved"]["attachments"][option["value"]]
    assert attachment["id"] == option["value"]
    assert {k: attachment[k] for k in ("filename", "size", "content_type")} == {
        "filename": "pack.csv",
        "size": len(csv),
        "content_type": "text/csv",
    }
    expected_url = f"http://127.0.0.1:{fake.port}/attachments/{general['id']}/{attachment['id']}/pack.csv"
    assert attachment["url"] == attachment["proxy_url"] == expected_url
    assert fake.cdn_downloads == [f"/attachments/{general['id']}/{attachment['id']}/pack.csv"]
    async with aiohttp.ClientSession() as session:
        async with session.get(attachment["url"]) as response:
            assert response.status == 200 and await response.read() == csv
        wrong = attachment["url"].replace("pack.csv", "other.csv")
        async with session.get(wrong) as response:
            assert response.status == 404
    with pytest.raises(AssertionError, match="attachment"):
        await fake.slash("upload-check", guild, general, member, file="pack.csv")


async def test_files_the_bot_uploads_are_served_by_the_cdn_too(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    bot = await bots.start()
    channel = bot.get_channel(int(fake.channel(guild, "general")["id"]))
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(file=discord.File(io.BytesIO(b"a,b\n"), filename="export.csv"))
    assert await sent.attachments[0].read() == b"a,b\n"
    assert fake.messages[sent.id]["attachments"][0]["content_type"] == "text/csv"


# modals

PING_DEFINITION = {"id": "99", "name": "ping", "type": 1, "options": []}


def text_input(custom_id: str = "name", **fields: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "label": "Pack name", "style": 1, **fields}


def modal(*inputs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    rows = [{"type": 1, "components": [i]} for i in (inputs or (text_input(),))]
    return {"custom_id": "pack:import", "title": "Import a pack", "components": rows, **fields}


async def connected(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> tuple[Guild, dict[str, Any], Any, GatewayClient]:
    """A bare gateway client in a guild with /ping synced: interactions without a bot."""
    guild = fake.add_guild()
    fake.commands["global"] = [PING_DEFINITION]
    client = await gateway()
    await client.identify()
    await client.ready()
    return guild, fake.channel(guild, "general"), fake.add_member(guild, "fan"), client


async def callback(fake: FakeDiscord, record: InteractionRecord, body: dict[str, Any]) -> tuple[int, Any]:
    return await raw(fake, "POST", f"/interactions/{record.id}/{record.token}/callback", body)


def error_paths(errors: API_ERROR, prefix: str = "") -> set[str]:
    """The dotted paths of a 50035 body's `_errors` leaves."""
    found = set()
    for key, value in errors.items():
        if key == "_errors":
            found.add(prefix.rstrip("."))
        else:
            found |= error_paths(value, f"{prefix}{key}.")
    return found


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (modal(title=""), "data.title"),
        (modal(title="x" * 46), "data.title"),
        (modal(custom_id="x" * 101), "data.custom_id"),
        ({**modal(), "components": []}, "data.components"),
        (modal(*[text_input(f"f{n}") for n in range(6)]), "data.components"),
        (
            {**modal(), "components": [{"type": 1, "components": [text_input("a"), text_input("b")]}]},
            "data.components.0.components",
        ),
        ({**modal(), "components": [text_input()]}, "data.components.0.type"),
        (modal({"type": 2, "style": 1, "custom_id": "b", "label": "B"}), "data.components.0.components.0.type"),
        (modal(text_input(label="x" * 46)), "data.components.0.components.0.label"),
        (modal(text_input(custom_id="x" * 101)), "data.components.0.components.0.custom_id"),
        (modal(text_input(style=3)), "data.components.0.components.0.style"),
        (modal(text_input(min_length=-1)), "data.components.0.components.0.min_length"),
        (modal(text_input(max_length=4001)), "data.components.0.components.0.max_length"),
        (modal(text_input(value="x" * 4001)), "data.components.0.components.0.value"),
    ],
)
async def test_an_invalid_modal_is_a_400_and_leaves_the_interaction_unanswered(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]], data: dict[str, Any], path: str
) -> None:
    guild, general, member, _client = await connected(fake, gateway)
    record = await fake.slash("ping", guild, general, member)
    status, body = await callback(fake, record, {"type": 9, "data": data})
    assert status == 400
    assert (body["code"], body["message"]) == (50035, "Invalid Form Body")
    assert path in error_paths(body["errors"])
    assert record.modal is None and await record.unanswered(0.05)
    status, _ = await callback(fake, record, {"type": 9, "data": modal()})  # a fixed modal still answers
    assert status == 200 and record.modal == modal()


async def test_submit_modal_sends_what_discord_sends_and_a_modal_cannot_answer_it(
    fake: FakeDiscord, gateway: Callable[[], Awaitable[GatewayClient]]
) -> None:
    guild, general, member, client = await connected(fake, gateway)
    record = await fake.slash("ping", guild, general, member)
    await client.next_event()
    opened = modal(
        text_input("name", min_length=2, max_length=20),
        text_input("notes", style=2, required=False),
        text_input("source", value="community"),
    )
    status, answer = await callback(fake, record, {"type": 9, "data": opened})
    assert status == 200 and answer["resource"] == {"type": 9}
    assert record.modal == opened
    with pytest.raises(AssertionError, match="required"):
        await fake.submit_modal("pack:import", {"name": ""}, guild, general, member)
    with pytest.raises(AssertionError, match="2-20"):
        await fake.submit_modal("pack:import", {"name": "x" * 21}, guild, general, member)
    with pytest.raises(AssertionError, match="no text input"):
        await fake.submit_modal("pack:import", {"nme": "EXO"}, guild, general, member)
    with pytest.raises(AssertionError, match="never opened"):
        await fake.submit_modal("pack:import", {"name": "EXO"}, guild, general, fake.add_member(guild, "other"))
    submit = await fake.submit_modal("pack:import", {"name": "EXO"}, guild, general, member)
    event = await client.next_event()
    assert event["t"] == "INTERACTION_CREATE" and event["d"]["type"] == 5
    data = event["d"]["data"]
    assert data["custom_id"] == "pack:import"
    assert [row["type"] for row in data["components"]] == [1, 1, 1]
    submitted = [row["components"] for row in data["components"]]
    assert [[{k: c[k] for k in ("type", "custom_id", "value")} for c in row] for row in submitted] == [
        [{"type": 4, "custom_id": "name", "value": "EXO"}],
        [{"type": 4, "custom_id": "notes", "value": ""}],
        [{"type": 4, "custom_id": "source", "value": "community"}],
    ]
    status, refused = await callback(fake, submit, {"type": 9, "data": modal(custom_id="again")})
    assert (status, refused["code"]) == (400, 50035)
    assert error_paths(refused["errors"]) == {"type"}
    assert await submit.unanswered(0.05)
    status, _ = await callback(fake, submit, {"type": 4, "data": {"content": "Imported EXO"}})
    assert status == 200


async def test_a_real_bot_opens_a_modal_and_reads_the_submission(fake: FakeDiscord, bots: BotRunner) -> None:
    guild = fake.add_guild()
    general = fake.channel(guild, "general")
    member = fake.add_member(guild, "fan")
    bot = await bots.start()
    refusals: list[int] = []

    class PackModal(discord.ui.Modal, title="Import a pack"):
        name = discord.ui.TextInput(label="Pack name", custom_id="name", max_length=20)

        async def on_submit(self, interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_modal(PackModal(custom_id="again"))
            except discord.HTTPException as error:
                refusals.append(error.code)
            await interaction.response.send_message(f"Importing {self.name.value}")

    @discord.app_commands.command(name="pack-import", description="Import a pack")
    async def pack_import(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(PackModal(custom_id="pack:import"))

    bot.tree.add_command(pack_import)
    await bot.tree.sync()
    record = await fake.slash("pack-import", guild, general, member)
    assert (await record.response())["type"] == 9
    assert record.modal is not None and record.modal["title"] == "Import a pack"
    [row] = record.modal["components"]
    assert row["type"] == 1 and row["components"][0]["custom_id"] == "name"
    submit = await fake.submit_modal("pack:import", {"name": "EXO hits"}, guild, general, member)
    assert (await submit.final_message())["content"] == "Importing EXO hits"
    assert refusals == [50035]


# buttons after a restart, component limits


class RefreshView(discord.ui.View):
    def __init__(self, answered: list[str] | None = None) -> None:
        super().__init__(timeout=None)
        self.answered = answered if answered is not None else []

    @discord.ui.button(label="Refresh", custom_id="catalog:refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button[RefreshView]) -> None:
        self.answered.append(interaction.data["custom_id"] if interaction.data else "")
        await interaction.response.send_message("Refreshed", ephemeral=True)


async def test_a_click_on_a_message_from_a_previous_process_reaches_the_new_one(
    fake: FakeDiscord, bots: BotRunner
) -> None:
    guild = fake.add_guild()
    general = fake.channel(guild, "general")
    member = fake.add_member(guild, "fan")
    first = await bots.start()
    channel = first.get_channel(int(general["id"]))
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("Catalog", view=RefreshView())
    await bots.stop(first)

    second = await bots.start()
    stale = {"id": str(posted.id), "channel_id": general["id"]}  # only the id: the fake has the rest
    nobody = await fake.click(stale, "catalog:refresh", guild, member)
    assert nobody.payload["message"]["components"][0]["components"][0]["custom_id"] == "catalog:refresh"
    assert await nobody.unanswered()
    answered: list[str] = []
    second.add_view(RefreshView(answered))
    click = await fake.click(stale, "catalog:refresh", guild, member)
    assert (await click.response())["data"]["content"] == "Refreshed"
    assert answered == ["catalog:refresh"]
    with pytest.raises(AssertionError, match="no component"):
        await fake.click(stale, "catalog:nope", guild, member)
    await fake.delete_message_by_user(fake.messages[posted.id])
    with pytest.raises(AssertionError, match="does not exist"):
        await fake.click(stale, "catalog:refresh", guild, member)


def button(custom_id: str, label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


def rows(*counts: int) -> list[dict[str, Any]]:
    return [{"type": 1, "components": [button(f"r{r}b{b}") for b in range(count)]} for r, count in enumerate(counts)]


@pytest.mark.parametrize(
    ("components", "path"),
    [
        ([{"type": 1, "components": [button("x" * 101)]}], "components.0.components.0.custom_id"),
        ([{"type": 1, "components": [button("ok", label="x" * 81)]}], "components.0.components.0.label"),
        (rows(1, 1, 1, 1, 1, 1), "components"),
        (rows(6), "components.0.components"),
        ([{"type": 1, "components": [button("same"), button("same")]}], "components.0.components.1.custom_id"),
        (
            [{"type": 1, "components": [{"type": 2, "style": 1, "label": "no id"}]}],
            "components.0.components.0.custom_id",
        ),
    ],
)
async def test_invalid_components_are_a_400_on_create_edit_and_interaction_responses(
    fake: FakeDiscord,
    gateway: Callable[[], Awaitable[GatewayClient]],
    components: list[dict[str, Any]],
    path: str,
) -> None:
    guild, general, member, _client = await connected(fake, gateway)
    messages = f"/channels/{general['id']}/messages"
    status, body = await raw(fake, "POST", messages, {"content": "x", "components": components})
    assert (status, body["code"]) == (400, 50035) and path in error_paths(body["errors"])
    assert fake.messages == {}
    status, posted = await raw(fake, "POST", messages, {"content": "x", "components": rows(5, 5, 5, 5, 5)})
    assert status == 200
    status, body = await raw(fake, "PATCH", f"{messages}/{posted['id']}", {"components": components})
    assert (status, body["code"]) == (400, 50035) and path in error_paths(body["errors"])
    assert fake.messages[int(posted["id"])]["components"] == rows(5, 5, 5, 5, 5)
    record = await fake.slash("ping", guild, general, member)
    status, body = await callback(fake, record, {"type": 4, "data": {"components": components}})
    assert (status, body["code"]) == (400, 50035) and f"data.{path}" in error_paths(body["errors"])
    assert await record.unanswered(0.05)
    token = f"/webhooks/{fake.app_id}/{record.token}"
    assert (await callback(fake, record, {"type": 5}))[0] == 200
    assert (await raw(fake, "PATCH", f"{token}/messages/@original", {"components": components}))[0] == 400
    assert (await raw(fake, "POST", token, {"content": "more", "components": components}))[0] == 400
