"""A fake Discord on loopback: REST under /api/v10 and a gateway websocket.

It keeps the state the features need the way Discord does (messages, reactions per emoji
with their users, threads, interaction responses), records every REST call so tests can
assert what the bot actually sent, and answers unknown routes with a loud 404 so an
untested call fails the test. Failures (403/404/429) can be injected per route.

It also has DM channels (Create DM; a member with closed DMs gets 403 50007), a CDN outside
/api/v10 that serves attachments (``/attachments/<channel>/<id>/<filename>``), and Discord's
400 Invalid Form Body (50035) for invalid modals and message components.

The gateway shards like Discord's: IDENTIFY may carry ``shard: [id, count]``; a socket then
gets only the guilds with ``(guild_id >> 22) % count == id`` and their events, and IDENTIFY is
refused with 4010 (invalid shard), 4011 (too many guilds for one shard) or 4014 (privileged
intents the app lacks), which a client cannot resume after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

from tests.fakediscord import payloads as p
from tests.fakediscord.commands import command_problems

JSON = dict[str, Any]
Handler = Callable[[web.Request, "Call", re.Match[str]], Awaitable[web.StreamResponse]]

ALL_PERMISSIONS = discord.Permissions.all().value
MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    add_reactions=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
    send_messages_in_threads=True,
    create_public_threads=True,
).value


#: The privileged gateway intents (Discord's documentation): an app must have them turned on.
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

#: Gateway close codes Discord documents as not resumable.
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011
DISALLOWED_INTENTS = 4014

Shard = tuple[int, int]
UNSHARDED: Shard = (0, 1)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """discord.py only parses a body whose Content-Type is exactly `application/json`."""
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200
    #: When the call arrived (time.monotonic()), for rates.
    at: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> Any:
        return self.json


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    times: int
    retry_after: float = 0.05


@dataclass
class Member:
    user_id: int
    name: str
    roles: list[int]
    joined_at: datetime
    bot: bool = False
    #: The member's Discord client language, sent as the ``locale`` of their interactions.
    locale: str = "en-US"

    @property
    def user_payload(self) -> JSON:
        return p.user(self.user_id, self.name, bot=self.bot)

    def payload(self) -> JSON:
        return p.member(self.user_payload, roles=self.roles, joined_at=self.joined_at)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, JSON]
    channels: dict[int, JSON]
    members: dict[int, Member]
    #: A Community server's language (Server Settings → Community → Server Primary Language).
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)

    @property
    def everyone_role_id(self) -> int:
        return self.id

    def payload(self, bot_member: Member) -> JSON:
        """As Discord sends it: the bot's member here carries this guild's roles only."""
        own_roles = [role for role in bot_member.roles if role in self.roles]
        members = [p.member(bot_member.user_payload, roles=own_roles, joined_at=bot_member.joined_at)]
        return p.guild(
            self.id,
            self.name,
            owner_id=self.owner_id,
            roles=list(self.roles.values()),
            channels=list(self.channels.values()),
            members=members,
            preferred_locale=self.preferred_locale,
            features=self.features,
        )


@dataclass
class InteractionRecord:
    """An interaction sent to the bot and what the bot answered."""

    id: int
    token: str
    payload: JSON
    responded: asyncio.Future[JSON]
    followups: list[JSON] = field(default_factory=list)
    original: JSON | None = None
    edits: list[JSON] = field(default_factory=list)
    #: The modal (`custom_id`, `title`, `components`) the bot opened in answer (type 9), once valid.
    modal: JSON | None = None

    async def response(self, timeout: float = 5.0) -> JSON:
        """The callback body (`{"type": 4, "data": {...}}`), once the bot answered."""
        return await asyncio.wait_for(asyncio.shield(self.responded), timeout)

    async def unanswered(self, within: float = 0.3) -> bool:
        """True if the bot did not answer within `within` seconds (e.g. a click nobody handles)."""
        with contextlib.suppress(TimeoutError):
            await self.response(within)
            return False
        return True

    async def final_message(self, timeout: float = 5.0) -> JSON:
        """What the user ends up seeing: the reply, an edit of a deferred reply, or the first follow-up."""
        body = await self.response(timeout)
        if body["type"] in (4, 7):
            return dict(body.get("data") or {})
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.edits:
                return self.edits[-1]
            if self.followups:
                return self.followups[0]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no message after a deferred response to interaction {self.id}")


@dataclass(frozen=True)
class Upload:
    """A file a member attaches to a slash command's ATTACHMENT option: ``fake.attachment(...)``."""

    filename: str
    data: bytes
    content_type: str | None = None


#: The JSON error messages Discord sends with these codes.
ERROR_MESSAGES = {
    10062: "Unknown interaction",
    40060: "Interaction has already been acknowledged.",
    50007: "Cannot send messages to this user",
    50024: "Cannot execute action on this channel type",
    50033: "Invalid Recipient(s)",
    50035: "Invalid Form Body",
}

#: Message flag IS_COMPONENTS_V2: layout components at the top level, up to 40 in all.
IS_COMPONENTS_V2 = 1 << 15
DM_CHANNEL_TYPES = (1, 3)
DUPLICATED_CUSTOM_ID = ("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
ROW_TOO_WIDE = ("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")


class FormErrors:
    """The ``errors`` of Discord's 400 Invalid Form Body (50035): nested by path, ``_errors`` at the leaf."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def length(self, path: tuple[str | int, ...], value: Any, low: int, high: int, *, required: bool = True) -> None:
        """A string (or list) whose length Discord bounds; `required`: missing is an error too."""
        if value is None:
            if required:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        elif not isinstance(value, str | list):
            self.add(path, "BASE_TYPE_STRING", "Must be a string.")
        elif not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def number(self, path: tuple[str | int, ...], value: Any, low: int, high: int) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        elif value < low:
            self.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")
        elif value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")

    def response(self) -> web.Response | None:
        if not self.tree:
            return None
        return json_response({"message": ERROR_MESSAGES[50035], "code": 50035, "errors": self.tree}, 400)


def walk_components(components: list[JSON]) -> list[JSON]:
    """Every component, nested ones too (rows, sections' accessories, containers, labels)."""
    found: list[JSON] = []
    for component in components or []:
        found.append(component)
        found.extend(walk_components(component.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                found.extend(walk_components([component[key]]))
    return found


class FakeDiscord:
    def __init__(self) -> None:
        self.app_id = p.snowflake()
        self.bot = Member(self.app_id, "Lightstick", roles=[], joined_at=datetime.now(UTC), bot=True)
        self.owner = p.user(p.snowflake(), "owner")
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, JSON] = {}
        self.messages: dict[int, JSON] = {}
        #: Ephemeral messages (only their user sees them, not in history), kept so they can be clicked.
        self.ephemeral_messages: dict[int, JSON] = {}
        self.reactions: dict[int, dict[str, list[int]]] = {}
        self.users: dict[int, Member] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.calls: list[Call] = []
        #: Calls to routes the fake does not know; the `fake` fixture fails the test on any.
        self.unknown_routes: list[str] = []
        self.failures: list[Failure] = []
        self.interactions: dict[int, InteractionRecord] = {}
        #: DM channels by recipient user id; users who closed their DMs to the bot (sends get 50007).
        self.dm_channels: dict[int, JSON] = {}
        self.closed_dms: set[int] = set()
        #: Files on the fake CDN by attachment id (the attachment object, the bytes); paths downloaded.
        self.files: dict[int, tuple[JSON, bytes]] = {}
        self.cdn_downloads: list[str] = []
        self.sockets: list[web.WebSocketResponse] = []
        #: The shard ``(shard_id, num_shards)`` each socket identified (or resumed) as.
        self.socket_shards: dict[web.WebSocketResponse, Shard] = {}
        self._session_shards: dict[str, Shard] = {}
        self.identifies = 0
        self.resumes = 0
        #: Every IDENTIFY received, in order: its shard and when (``time.monotonic()``).
        self.identified_shards: list[Shard] = []
        self.identify_times: list[float] = []
        #: Discord's limit of guilds in one gateway session; past it IDENTIFY gets 4011.
        self.max_guilds_per_shard = 2500
        #: Intent bits Discord treats as privileged, and those this app was granted.
        self.privileged_intents = PRIVILEGED_INTENTS
        self.allowed_privileged_intents = 0
        #: ``shards`` in GET /gateway/bot; None: Discord's rule, one per 1,000 guilds.
        self.recommended_shards: int | None = None
        self.max_concurrency = 1
        self._identify_refusals: list[int] = []
        #: Answer the next RESUME with INVALID_SESSION (d=false): the bot must IDENTIFY afresh.
        self.refuse_resume = False
        self.request_delay = 0.0
        self._seq = 0
        self._session_counter = 0
        self._runner: web.AppRunner | None = None
        self._call_event = asyncio.Event()
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._register_routes()

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{channel}/{attachment}/{filename}", self._cdn)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def guilds_of_shard(self, shard: Shard) -> list[Guild]:
        shard_id, shard_count = shard
        return [g for g in self.guilds.values() if p.shard_of(g.id, shard_count) == shard_id]

    @property
    def shard_recommendation(self) -> int:
        if self.recommended_shards is not None:
            return self.recommended_shards
        return max(1, math.ceil(len(self.guilds) / 1000))

    @property
    def connected_shards(self) -> list[Shard]:
        """The shards with a live, identified (or resumed) socket, sorted."""
        return sorted(set(self.socket_shards.values()))

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")

    # -- world building -----------------------------------------------------------------

    def add_guild(
        self,
        name: str = "K-pop Fans",
        *,
        bot_permissions: int = ALL_PERMISSIONS,
        everyone_permissions: int = MEMBER_PERMISSIONS,
        channels: tuple[str, ...] = ("general",),
        nsfw_channels: tuple[str, ...] = (),
        shard: Shard | None = None,
        community_locale: str | None = None,
    ) -> Guild:
        """A guild the bot is in; with ``shard=(shard_id, shard_count)`` its id puts it on that shard.
        With `community_locale` it is a Community server whose primary language is that locale."""
        guild_id = p.snowflake(shard=shard)
        bot_role_id = p.snowflake()
        roles = {
            guild_id: p.role(guild_id, "@everyone", permissions=everyone_permissions, position=0),
            bot_role_id: p.role(bot_role_id, "Lightstick", permissions=bot_permissions, position=5),
        }
        guild = Guild(guild_id, name, int(self.owner["id"]), roles, {}, {})
        if community_locale is not None:
            guild.preferred_locale = community_locale
            guild.features = ["COMMUNITY", "NEWS"]
        self.guilds[guild_id] = guild
        self.bot.roles = [*self.bot.roles, bot_role_id]
        for position, channel_name in enumerate(channels):
            self.add_channel(guild, channel_name, position=position)
        for channel_name in nsfw_channels:
            self.add_channel(guild, channel_name, nsfw=True)
        return guild

    def add_channel(
        self, guild: Guild, name: str, *, nsfw: bool = False, position: int = 0, voice: bool = False
    ) -> JSON:
        channel_id = p.snowflake()
        channel = (
            p.voice_channel(channel_id, guild.id, name)
            if voice
            else p.text_channel(channel_id, guild.id, name, nsfw=nsfw, position=position)
        )
        guild.channels[channel_id] = channel
        self.channels[channel_id] = channel
        return channel

    def channel(self, guild: Guild, name: str) -> JSON:
        return next(c for c in guild.channels.values() if c["name"] == name)

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0, mentionable: bool = False) -> int:
        role_id = p.snowflake()
        guild.roles[role_id] = p.role(role_id, name, permissions=permissions, mentionable=mentionable)
        return role_id

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        roles: list[int] | None = None,
        account_age: timedelta = timedelta(days=400),
        member_for: timedelta = timedelta(days=200),
        bot: bool = False,
        now: datetime | None = None,
        locale: str = "en-US",
    ) -> Member:
        """A member whose snowflake says the account is `account_age` old; `locale` is the
        language of their Discord client."""
        now = now or datetime.now(UTC)
        member = Member(
            p.snowflake(now - account_age), name, list(roles or []), now - member_for, bot=bot, locale=locale
        )
        guild.members[member.user_id] = member
        self.users[member.user_id] = member
        return member

    def deny_bot(self, channel: JSON, *permissions: str) -> None:
        """Add a channel overwrite denying the bot these permissions (by attribute name)."""
        deny = discord.Permissions(**dict.fromkeys(permissions, True)).value
        channel["permission_overwrites"] = [
            *[o for o in channel["permission_overwrites"] if o["id"] != str(self.app_id)],
            {"id": str(self.app_id), "type": 1, "allow": "0", "deny": str(deny)},
        ]

    def bot_permissions_in(self, channel: JSON) -> discord.Permissions:
        guild = self.guilds[int(channel["guild_id"])]
        return self.permissions_for(guild, self.bot, channel)

    def permissions_for(self, guild: Guild, member: Member, channel: JSON) -> discord.Permissions:
        if member.user_id == guild.owner_id:
            return discord.Permissions.all()
        base = int(guild.roles[guild.id]["permissions"])
        for role_id in member.roles:
            if role_id in guild.roles:
                base |= int(guild.roles[role_id]["permissions"])
        if base & discord.Permissions(administrator=True).value:
            return discord.Permissions.all()
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        for key in [guild.id]:
            if key in overwrites:
                base = (base & ~int(overwrites[key]["deny"])) | int(overwrites[key]["allow"])
        allow = deny = 0
        for role_id in member.roles:
            if role_id in overwrites:
                allow |= int(overwrites[role_id]["allow"])
                deny |= int(overwrites[role_id]["deny"])
        base = (base & ~deny) | allow
        if member.user_id in overwrites:
            base = (base & ~int(overwrites[member.user_id]["deny"])) | int(overwrites[member.user_id]["allow"])
        return discord.Permissions(base)

    # -- DMs and files ------------------------------------------------------------------

    def close_dms(self, member: Member) -> None:
        """The member takes no DMs from the bot: creating a message in their DM answers 403 50007."""
        self.closed_dms.add(member.user_id)

    def open_dms(self, member: Member) -> None:
        self.closed_dms.discard(member.user_id)

    def dm_messages(self, member: Member) -> list[JSON]:
        """The messages the bot sent to the member's DM channel, oldest first."""
        channel = self.dm_channels.get(member.user_id)
        if channel is None:
            return []
        found = [m for m in self.messages.values() if m["channel_id"] == channel["id"]]
        return sorted(found, key=lambda m: int(m["id"]))

    def attachment(self, filename: str, data: bytes, *, content_type: str | None = None) -> Upload:
        """A file for a slash command's ATTACHMENT option: ``slash(..., file=fake.attachment("a.csv", b"..."))``."""
        return Upload(filename, data, content_type)

    def store_file(
        self,
        channel_id: int | str,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = None,
        ephemeral: bool = False,
    ) -> JSON:
        """Put a file on the fake CDN; returns its attachment object, whose `url` serves the bytes."""
        attachment_id = p.snowflake()
        url = f"http://127.0.0.1:{self.port}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
        attachment: JSON = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
        }
        content_type = content_type or mimetypes.guess_type(filename)[0]
        if content_type:
            attachment["content_type"] = content_type
        if ephemeral:
            attachment["ephemeral"] = True
        self.files[attachment_id] = (attachment, data)
        return attachment

    async def _cdn(self, request: web.Request) -> web.Response:
        """Discord's CDN: an attachment's bytes, outside /api/v10 and without a token."""
        self.cdn_downloads.append(request.path)
        raw_id = request.match_info["attachment"]
        stored = self.files.get(int(raw_id)) if raw_id.isdigit() else None
        if stored is None or yarl.URL(stored[0]["url"]).path != request.path:
            return web.Response(status=404, text="Not Found")
        attachment, data = stored
        content_type = attachment.get("content_type", "application/octet-stream")
        return web.Response(body=data, headers={"Content-Type": content_type})

    # -- failures -----------------------------------------------------------------------

    def fail(
        self, method: str, path_regex: str, status: int, *, code: int = 0, times: int = 1, retry_after: float = 0.05
    ) -> None:
        """Answer the next `times` matching calls with an error (403 50013, 404 10003/10008, 429)."""
        self.failures.append(Failure(method.upper(), re.compile(path_regex), status, code, times, retry_after))

    def _injected_failure(self, method: str, path: str) -> web.Response | None:
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.pattern.search(path):
                failure.times -= 1
                return self._error_response(failure.status, failure.code, failure.retry_after)
        return None

    @staticmethod
    def _error_response(status: int, code: int, retry_after: float = 0.05) -> web.Response:
        messages = {403: "Missing Permissions", 404: "Unknown", 429: "You are being rate limited."}
        if status == 429:
            body = {"message": messages[429], "retry_after": retry_after, "global": False}
            headers = {"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
            return json_response(body, 429, headers)
        body = {"message": ERROR_MESSAGES.get(code) or messages.get(status, "error"), "code": code}
        return json_response(body, status)

    # -- recording ----------------------------------------------------------------------

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method.upper() and pattern.search(c.path)]

    async def wait_for_call(self, method: str, path_regex: str, *, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least `count` matching calls were made; returns them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.calls_to(method, path_regex)
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.calls[-15:])
                raise AssertionError(f"expected {count} × {method} {path_regex}, saw {len(found)}; last calls:\n{seen}")
            self._call_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_event.wait(), min(remaining, 0.05))

    # -- gateway ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        self.sockets.append(ws)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_gateway_message(ws, json.loads(msg.data))
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
            self.socket_shards.pop(ws, None)
        return ws

    async def _on_gateway_message(self, ws: web.WebSocketResponse, msg: JSON) -> None:
        op = msg.get("op")
        if op == 1:
            await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(ws, msg.get("d") or {})
        elif op == 6 and self.refuse_resume:
            self.refuse_resume = False
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
        elif op == 6:
            self.resumes += 1
            session_id = str((msg.get("d") or {}).get("session_id"))
            self.socket_shards[ws] = self._session_shards.get(session_id, UNSHARDED)
            await self._send(ws, "RESUMED", {})

    def refuse_identify(self, code: int, *, times: int = 1) -> None:
        """Close the socket of the next `times` IDENTIFYs with `code`, whatever they carry."""
        self._identify_refusals.extend([code] * times)

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> None:
        """Discord's checks, then READY and the shard's GUILD_CREATEs; a refusal closes the socket."""
        self.identifies += 1
        raw_shard = data.get("shard") or list(UNSHARDED)
        shard: Shard = (int(raw_shard[0]), int(raw_shard[1]))
        self.identified_shards.append(shard)
        self.identify_times.append(time.monotonic())
        code, reason = self._identify_refusal(shard, int(data.get("intents") or 0))
        if code:
            await ws.close(code=code, message=reason.encode())
            return
        self.socket_shards[ws] = shard
        await self._send_ready(ws, shard)

    def _identify_refusal(self, shard: Shard, intents: int) -> tuple[int, str]:
        shard_id, shard_count = shard
        if self._identify_refusals:
            return self._identify_refusals.pop(0), "Refused by the test"
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            return INVALID_SHARD, "Invalid shard"
        if intents & self.privileged_intents & ~self.allowed_privileged_intents:
            return DISALLOWED_INTENTS, "Disallowed intent(s)"
        if len(self.guilds_of_shard(shard)) > self.max_guilds_per_shard:
            return SHARDING_REQUIRED, "Sharding required"
        return 0, ""

    async def _send_ready(self, ws: web.WebSocketResponse, shard: Shard = UNSHARDED) -> None:
        self._session_counter += 1
        session_id = f"session-{self._session_counter}"
        self._session_shards[session_id] = shard
        guilds = self.guilds_of_shard(shard)
        ready = {
            "v": 10,
            "user": self.bot.user_payload,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session_id,
            "resume_gateway_url": str(self.gateway_url),
            "shard": list(shard),
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send(ws, "READY", ready)
        for guild in guilds:
            await self._send(ws, "GUILD_CREATE", guild.payload(self.bot))

    async def _send(self, ws: web.WebSocketResponse, event: str, data: JSON) -> None:
        self._seq += 1
        await ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def dispatch(self, event: str, data: JSON, *, guild_id: int | None = None) -> None:
        """Send a gateway event as Discord does: a guild's event (`guild_id`, else the one in
        `data`) only to the sockets of the shard that owns the guild; any other event to all."""
        if not self.sockets:
            raise AssertionError(f"no bot connected to receive {event}")
        if guild_id is None and data.get("guild_id"):
            guild_id = int(data["guild_id"])
        for ws in self._recipients(guild_id):
            # A client that just died (killed mid-storm) misses the event, as on Discord;
            # reconciliation after its restart is what counts it.
            with contextlib.suppress(ConnectionResetError):
                await self._send(ws, event, data)

    def _recipients(self, guild_id: int | None) -> list[web.WebSocketResponse]:
        if guild_id is None:
            return list(self.sockets)
        return [
            ws
            for ws in self.sockets
            if (shard := self.socket_shards.get(ws)) is not None and p.shard_of(guild_id, shard[1]) == shard[0]
        ]

    async def drop_connections(self, *, code: int = 4000) -> None:
        """Close the gateway sockets as Discord does on an outage; the bot reconnects."""
        for ws in list(self.sockets):
            await ws.close(code=code)

    async def drop_shard(self, shard_id: int, *, code: int = 4000) -> int:
        """Close only the sockets of one shard (whatever its shard count); returns how many."""
        targets = [ws for ws, shard in list(self.socket_shards.items()) if shard[0] == shard_id]
        for ws in targets:
            await ws.close(code=code)
        return len(targets)

    # -- interactions -------------------------------------------------------------------

    def _interaction(
        self, kind: int, data: JSON, *, guild: Guild, channel: JSON, user: Member, message: JSON | None = None
    ) -> tuple[InteractionRecord, JSON]:
        interaction_id = p.snowflake()
        token = f"token-{interaction_id}"
        member_payload = user.payload()
        member_payload["permissions"] = str(self.permissions_for(guild, user, channel).value)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "channel_id": channel["id"],
            "channel": channel,
            "member": member_payload,
            "token": token,
            "version": 1,
            "app_permissions": str(self.bot_permissions_in(channel).value),
            "locale": user.locale,
            "guild_locale": guild.preferred_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(interaction_id, token, payload, asyncio.get_running_loop().create_future())
        self.interactions[interaction_id] = record
        return record, payload

    def _command_definition(self, guild: Guild, name: str) -> JSON:
        for scope in (str(guild.id), "global"):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was never synced to Discord")

    def _options(
        self, definition: JSON, path: list[str], values: JSON, guild: Guild, user: Member, channel: JSON | None = None
    ) -> tuple[list[JSON], JSON]:
        """Build nested option payloads using the synced definition's option types."""
        resolved: JSON = {}
        options = definition.get("options", [])
        if path:
            sub = next((o for o in options if o["name"] == path[0]), None)
            if sub is None:
                raise AssertionError(f"{definition['name']} has no subcommand {path[0]}")
            inner, resolved = self._options(sub, path[1:], values, guild, user, channel)
            return [{"type": sub["type"], "name": sub["name"], "options": inner}], resolved
        built = []
        for name, value in values.items():
            option = next((o for o in options if o["name"] == name), None)
            if option is None:
                raise AssertionError(f"{definition['name']} has no option {name}")
            kind = option["type"]
            entry: JSON = {"type": kind, "name": name, "value": value}
            if kind == 7:  # channel
                channel = self.channels[int(value)]
                resolved.setdefault("channels", {})[str(value)] = {
                    **channel,
                    # Discord documents these as the invoking member's permissions there.
                    "permissions": str(self.permissions_for(guild, user, channel).value),
                }
                entry["value"] = str(value)
            elif kind == 8:  # role
                resolved.setdefault("roles", {})[str(value)] = guild.roles[int(value)]
                entry["value"] = str(value)
            elif kind == 6:  # user
                target = self.users[int(value)]
                resolved.setdefault("users", {})[str(value)] = target.user_payload
                resolved.setdefault("members", {})[str(value)] = {
                    k: v for k, v in target.payload().items() if k != "user"
                }
                entry["value"] = str(value)
            elif kind == 11:  # attachment: uploaded to the CDN, the value is its id
                if not isinstance(value, Upload):
                    raise AssertionError(f"option {name} is an attachment: pass fake.attachment(filename, data)")
                where = (channel or {}).get("id", "0")
                attachment = self.store_file(
                    where, value.filename, value.data, content_type=value.content_type, ephemeral=True
                )
                resolved.setdefault("attachments", {})[attachment["id"]] = attachment
                entry["value"] = attachment["id"]
            built.append(entry)
        return built, resolved

    async def slash(self, command: str, guild: Guild, channel: JSON, user: Member, **options: Any) -> InteractionRecord:
        """Send a slash command, e.g. ``slash("mv show", guild, channel, member, mv="vixx-error")``."""
        return await self._application_command(2, command, guild, channel, user, options, focused=None)

    async def slash_with(
        self, command: str, guild: Guild, channel: JSON, user: Member, options: JSON
    ) -> InteractionRecord:
        """:meth:`slash` with the options in a dict, for option names like its own (``channel``)."""
        return await self._application_command(2, command, guild, channel, user, options, focused=None)

    async def autocomplete(
        self, command: str, guild: Guild, channel: JSON, user: Member, focused: str, **options: Any
    ) -> InteractionRecord:
        """Send an autocomplete request; `focused` names the option being typed."""
        return await self._application_command(4, command, guild, channel, user, options, focused=focused)

    async def _application_command(
        self, kind: int, command: str, guild: Guild, channel: JSON, user: Member, options: JSON, *, focused: str | None
    ) -> InteractionRecord:
        name, *path = command.split()
        definition = self._command_definition(guild, name)
        built, resolved = self._options(definition, path, options, guild, user, channel)
        if focused is not None:
            leaf = built
            while leaf and leaf[0]["type"] in (1, 2):
                leaf = leaf[0]["options"]
            for option in leaf:
                if option["name"] == focused:
                    option["focused"] = True
        data: JSON = {"id": definition["id"], "name": name, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if definition.get("guild_id"):
            data["guild_id"] = definition["guild_id"]
        record, payload = self._interaction(kind, data, guild=guild, channel=channel, user=user)
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def click(
        self, message: JSON, custom_id: str, guild: Guild, user: Member, *, values: list[str] | None = None
    ) -> InteractionRecord:
        """Click a button (or choose `values` in a select menu) on a message the bot posted.

        As Discord does, the interaction carries the message as it is now: the fake keeps every
        message and its components, also those a previous bot process posted. Only a component
        the message has, and not disabled, can be used. A click no bot handles stays unanswered
        (:meth:`InteractionRecord.unanswered`).
        """
        current = self._find_message(int(message["id"]))
        if current is None:
            raise AssertionError(f"message {message['id']} does not exist (deleted, or never posted by the bot)")
        used = next((c for c in walk_components(current["components"]) if c.get("custom_id") == custom_id), None)
        if used is None:
            raise AssertionError(f"message {current['id']} has no component {custom_id!r} to use")
        if used.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled: Discord's client cannot use it")
        if (used["type"] == 2) != (values is None):
            raise AssertionError(f"component {custom_id!r} has type {used['type']}: pass values only to a select")
        channel = self.channels[int(current["channel_id"])]
        data: JSON = {"custom_id": custom_id, "component_type": used["type"]}
        if values is not None:
            data["values"] = values
        record, payload = self._interaction(3, data, guild=guild, channel=channel, user=user, message=current)
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    def _find_message(self, message_id: int) -> JSON | None:
        return self.messages.get(message_id) or self.ephemeral_messages.get(message_id)

    async def submit_modal(
        self, custom_id: str, fields: dict[str, str], guild: Guild, channel: JSON, user: Member
    ) -> InteractionRecord:
        """Submit the modal `custom_id` the bot last opened for `user`, typing `fields` (input custom_id: text).

        Discord sends every text input of the modal: an input not in `fields` keeps its pre-filled
        `value` (or is empty); values must pass the inputs' own checks (required, min/max_length),
        since Discord's client does not let a user submit otherwise.
        """
        opener = next(
            (
                r
                for r in reversed(self.interactions.values())
                if r.modal is not None
                and r.modal.get("custom_id") == custom_id
                and self._interaction_user_id(r) == user.user_id
            ),
            None,
        )
        if opener is None or opener.modal is None:
            raise AssertionError(f"the bot never opened a modal {custom_id!r} for {user.name}: nothing to submit")
        inputs = [c for c in walk_components(opener.modal["components"]) if c.get("type") == 4]
        unknown = set(fields) - {c["custom_id"] for c in inputs}
        if unknown:
            raise AssertionError(f"modal {custom_id!r} has no text input {sorted(unknown)}")
        ids = iter(range(1, 1000))
        rows = []
        for row in opener.modal["components"]:
            row_id = row.get("id", next(ids))
            text_input = row["components"][0]
            value = fields.get(text_input["custom_id"], text_input.get("value") or "")
            self._check_typed(custom_id, text_input, value)
            submitted = {"type": 4, "id": text_input.get("id", next(ids)), "custom_id": text_input["custom_id"]}
            rows.append({"type": 1, "id": row_id, "components": [{**submitted, "value": value}]})
        data = {"custom_id": custom_id, "components": rows}
        # A modal opened from a component carries the message that component is on.
        message = opener.payload.get("message")
        if message is not None:
            message = self._find_message(int(message["id"])) or message
        record, payload = self._interaction(5, data, guild=guild, channel=channel, user=user, message=message)
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    @staticmethod
    def _interaction_user_id(record: InteractionRecord) -> int:
        user = (record.payload.get("member") or {}).get("user") or record.payload.get("user") or {}
        return int(user.get("id", 0))

    @staticmethod
    def _check_typed(modal_id: str, text_input: JSON, value: str) -> None:
        """What Discord's client enforces before a modal can be submitted."""
        where = f"modal {modal_id!r}, input {text_input['custom_id']!r}"
        if not value:
            if text_input.get("required", True):
                raise AssertionError(f"{where} is required: Discord's client will not submit it empty")
            return
        low, high = text_input.get("min_length") or 0, text_input.get("max_length") or 4000
        if not low <= len(value) <= high:
            raise AssertionError(f"{where} takes {low}-{high} characters, not {len(value)}")

    # -- reactions from members ---------------------------------------------------------

    def _reaction_event(self, message: JSON, user_id: int, emoji: str) -> JSON:
        return {
            "user_id": str(user_id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message.get("guild_id"),
            "emoji": p.emoji_payload(emoji),
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }

    def add_reaction_state(self, message_id: int, emoji: str, user_id: int) -> bool:
        users = self.reactions.setdefault(message_id, {}).setdefault(emoji, [])
        if user_id in users:
            return False
        users.append(user_id)
        users.sort()
        return True

    def remove_reaction_state(self, message_id: int, emoji: str, user_id: int) -> bool:
        users = self.reactions.get(message_id, {}).get(emoji, [])
        if user_id not in users:
            return False
        users.remove(user_id)
        if not users:
            del self.reactions[message_id][emoji]
        return True

    def reaction_users(self, message: JSON | int, emoji: str) -> list[int]:
        message_id = message if isinstance(message, int) else int(message["id"])
        return list(self.reactions.get(message_id, {}).get(emoji, []))

    async def react(self, message: JSON, member: Member, emoji: str, *, send_event: bool = True) -> None:
        """A member adds a reaction; with `send_event=False` it happens while the bot is away."""
        if not self.add_reaction_state(int(message["id"]), emoji, member.user_id):
            return
        if send_event:
            event = self._reaction_event(message, member.user_id, emoji)
            event["member"] = member.payload()
            event["message_author_id"] = str(self.app_id)
            await self.dispatch("MESSAGE_REACTION_ADD", event)

    async def unreact(self, message: JSON, member: Member, emoji: str, *, send_event: bool = True) -> None:
        if not self.remove_reaction_state(int(message["id"]), emoji, member.user_id):
            return
        if send_event:
            await self.dispatch("MESSAGE_REACTION_REMOVE", self._reaction_event(message, member.user_id, emoji))

    async def delete_message_by_user(self, message: JSON) -> None:
        message_id = int(message["id"])
        self.messages.pop(message_id, None)
        self.reactions.pop(message_id, None)
        await self.dispatch(
            "MESSAGE_DELETE",
            {"id": str(message_id), "channel_id": message["channel_id"], "guild_id": message.get("guild_id")},
        )

    async def delete_channel(self, channel: JSON) -> None:
        guild = self.guilds[int(channel["guild_id"])]
        guild.channels.pop(int(channel["id"]), None)
        self.channels.pop(int(channel["id"]), None)
        if self.sockets:
            await self.dispatch("CHANNEL_DELETE", channel)

    async def update_channel(self, channel: JSON) -> None:
        if self.sockets:
            await self.dispatch("CHANNEL_UPDATE", channel)

    def bot_messages(self, channel: JSON | None = None) -> list[JSON]:
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == str(self.app_id) and (channel is None or m["channel_id"] == channel["id"])
        ]

    # -- REST ---------------------------------------------------------------------------

    def _register_routes(self) -> None:
        r = self._route
        r("GET", r"/users/@me", self._get_me)
        r("GET", r"/oauth2/applications/@me", self._get_application)
        r("GET", r"/gateway", self._get_gateway)
        r("GET", r"/gateway/bot", self._get_bot_gateway)
        r("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands)
        r("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", self._put_commands)
        r("GET", r"/applications/(?P<app>\d+)/commands", self._get_commands)
        r("GET", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", self._get_commands)
        r("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", self._interaction_callback)
        r("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._followup)
        r(
            "GET",
            r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
            self._get_webhook_message,
        )
        r(
            "PATCH",
            r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
            self._edit_webhook_message,
        )
        r(
            "DELETE",
            r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
            self._delete_webhook_message,
        )
        r("GET", r"/channels/(?P<channel>\d+)", self._get_channel)
        r("POST", r"/channels/(?P<channel>\d+)/messages", self._create_message)
        r("POST", r"/users/@me/channels", self._create_dm)
        r("GET", r"/channels/(?P<channel>\d+)/messages", self._history)
        r("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._get_message)
        r("PATCH", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._edit_message)
        r("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._delete_message)
        r(
            "PUT",
            r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/reactions/(?P<emoji>[^/]+)/@me",
            self._add_own_reaction,
        )
        r(
            "DELETE",
            r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/reactions/(?P<emoji>[^/]+)/(?P<user>@me|\d+)",
            self._remove_reaction,
        )
        r(
            "GET",
            r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/reactions/(?P<emoji>[^/]+)",
            self._list_reactions,
        )
        r("POST", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/threads", self._create_thread)
        r("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member)

    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + unquote(request.match_info["tail"])
        call = Call(request.method, path, dict(request.query))
        await self._read_body(request, call)
        self.calls.append(call)
        self._call_event.set()
        if self.request_delay:
            await asyncio.sleep(self.request_delay)
        failure = self._injected_failure(request.method, path)
        if failure is not None:
            call.status = failure.status
            return failure
        for method, pattern, handler in self._routes:
            match = pattern.match(path)
            if method == request.method and match:
                response = await handler(request, call, match)
                call.status = response.status
                return response
        call.status = 404
        self.unknown_routes.append(f"{request.method} {path}")
        body = {"message": f"FAKE DISCORD: no route for {request.method} {path}", "code": 0}
        return json_response(body, 404)

    @staticmethod
    async def _read_body(request: web.Request, call: Call) -> None:
        if not request.can_read_body:
            return
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                if part.name == "payload_json":
                    call.json = json.loads(await part.text())
                else:
                    call.files.append((part.filename or part.name or "", await part.read()))
        else:
            text = await request.text()
            call.json = json.loads(text) if text else None

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        return json_response(data, status)

    @staticmethod
    def _no_content() -> web.Response:
        return web.Response(status=204)

    def _missing(self, code: int) -> web.Response:
        return self._error_response(404, code)

    def _forbidden(self) -> web.Response:
        return self._error_response(403, 50013)

    def _bot_lacks(self, channel: JSON, *names: str) -> bool:
        if channel.get("type") in DM_CHANNEL_TYPES:
            return False  # a guild's permissions do not apply in DMs
        permissions = self.bot_permissions_in(self._parent_of(channel))
        return not all(getattr(permissions, name) for name in names)

    def _parent_of(self, channel: JSON) -> JSON:
        if channel.get("type") == 11 and channel.get("parent_id"):
            return self.channels.get(int(channel["parent_id"]), channel)
        return channel

    async def _get_me(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        return self._json(self.bot.user_payload)

    async def _get_application(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        return self._json(
            {
                "id": str(self.app_id),
                "name": "Lightstick",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
            }
        )

    async def _get_gateway(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        return self._json({"url": str(self.gateway_url)})

    async def _get_bot_gateway(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": self.max_concurrency}
        return self._json(
            {"url": str(self.gateway_url), "shards": self.shard_recommendation, "session_start_limit": limit}
        )

    async def _put_commands(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        scope = m.groupdict().get("guild") or "global"
        errors = FormErrors()
        for index, command in enumerate(call.json or []):
            for problem in command_problems(command):
                errors.add((index,), "APPLICATION_COMMAND_INVALID", problem)
        if (refused := errors.response()) is not None:
            return refused
        created = []
        for command in call.json or []:
            stored = {**command, "id": str(p.snowflake()), "application_id": str(self.app_id), "version": "1"}
            if scope != "global":
                stored["guild_id"] = scope
            created.append(stored)
        self.commands[scope] = created
        return self._json(created)

    async def _get_commands(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        return self._json(self.commands.get(m.groupdict().get("guild") or "global", []))

    # interactions

    async def _interaction_callback(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        record = self.interactions.get(int(m["id"]))
        if record is None or record.token != m["token"]:
            return self._missing(10062)
        if record.responded.done():
            return self._error_response(400, 40060)
        body = call.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        invalid = self._callback_errors(record, kind, data)
        if invalid is not None:
            return invalid  # not acknowledged: the bot may still answer
        record.responded.set_result(body)
        if kind == 9:
            record.modal = data
        ephemeral = bool(data.get("flags", 0) & 64)
        resource: JSON = {"type": kind}
        message_id = None
        if kind == 7 and "message" in record.payload:
            message = self._update_component_message(record.payload["message"], data)
        if kind in (4, 5):
            channel = record.payload.get("channel") or {}
            # A deferred reply is a loading message in the channel until the bot edits it.
            message = self._store_message(channel, data, call, interaction_id=record.id, persist=not ephemeral)
        if kind == 6 and "message" in record.payload:  # later edits of @original edit the component's message
            record.original = self._find_message(int(record.payload["message"]["id"])) or record.payload["message"]
        if kind in (4, 5, 7):
            record.original = message
            resource["message"] = message
            message_id = message["id"]
        return self._json(
            {
                "interaction": {
                    "id": str(record.id),
                    "type": record.payload["type"],
                    "activity_instance_id": None,
                    "response_message_id": message_id,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": ephemeral,
                },
                "resource": resource,
            }
        )

    def _callback_errors(self, record: InteractionRecord, kind: Any, data: JSON) -> web.Response | None:
        """Discord's 400s for an interaction response: a modal where none may be, an invalid modal or message."""
        errors = FormErrors()
        if kind == 9:
            if record.payload["type"] in (1, 5):  # not after a modal submit (nor a PING)
                errors.add(("type",), "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 10, 12}.")
            else:
                self._modal_errors(errors, data)
        elif kind in (4, 7):
            self._component_errors(errors, ("data",), data)
        return errors.response()

    @staticmethod
    def _modal_errors(errors: FormErrors, data: JSON) -> None:
        """A modal: title 1-45, custom_id 1-100, 1-5 action rows of one text input each."""
        errors.length(("data", "title"), data.get("title"), 1, 45)
        errors.length(("data", "custom_id"), data.get("custom_id"), 1, 100)
        rows = data.get("components")
        errors.length(("data", "components"), rows, 1, 5)
        seen: set[str] = set()
        for r, row in enumerate(rows if isinstance(rows, list) else []):
            at = ("data", "components", r)
            if row.get("type") != 1:
                errors.add((*at, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1}.")
                continue
            inner = row.get("components")
            errors.length((*at, "components"), inner, 1, 1)
            for i, text_input in enumerate(inner if isinstance(inner, list) else []):
                where = (*at, "components", i)
                if text_input.get("type") != 4:
                    errors.add((*where, "type"), "BASE_TYPE_CHOICES", "Value must be one of {4}.")
                    continue
                errors.length((*where, "custom_id"), text_input.get("custom_id"), 1, 100)
                if text_input.get("custom_id") in seen:
                    errors.add((*where, "custom_id"), *DUPLICATED_CUSTOM_ID)
                seen.add(text_input.get("custom_id"))
                errors.length((*where, "label"), text_input.get("label"), 1, 45)
                if text_input.get("style") not in (1, 2):
                    errors.add((*where, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
                errors.number((*where, "min_length"), text_input.get("min_length"), 0, 4000)
                errors.number((*where, "max_length"), text_input.get("max_length"), 1, 4000)
                errors.length((*where, "value"), text_input.get("value"), 0, 4000, required=False)
                errors.length((*where, "placeholder"), text_input.get("placeholder"), 0, 100, required=False)

    @staticmethod
    def _component_errors(errors: FormErrors, at: tuple[str | int, ...], body: JSON) -> None:
        """A message's components: at most 5 action rows of up to 5 buttons (or one select); custom_id
        1-100 and unique, button labels up to 80; with IS_COMPONENTS_V2, up to 40 components in all."""
        components = body.get("components")
        if not isinstance(components, list):
            return
        if (body.get("flags") or 0) & IS_COMPONENTS_V2:
            if len(walk_components(components)) > 40:
                errors.add((*at, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
        elif len(components) > 5:
            errors.add((*at, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set[str] = set()

        def check(component: JSON, where: tuple[str | int, ...]) -> None:
            kind = component.get("type")
            children = component.get("components")
            if kind == 1 and isinstance(children, list):
                errors.length((*where, "components"), children, 1, 5)
                kinds = [c.get("type") for c in children]
                if any(k != 2 for k in kinds) and len(kinds) > 1:
                    errors.add((*where, "components"), *ROW_TOO_WIDE)
            if kind == 4:
                errors.add((*where, "type"), "COMPONENT_TYPE_INVALID", "Text inputs can only be used in modals")
            if kind == 2:
                errors.length((*where, "label"), component.get("label"), 0, 80, required=False)
                if component.get("style") == 5:
                    errors.length((*where, "url"), component.get("url"), 1, 512)
                elif component.get("style") != 6:
                    errors.length((*where, "custom_id"), component.get("custom_id"), 1, 100)
            elif kind in (3, 5, 6, 7, 8):
                errors.length((*where, "custom_id"), component.get("custom_id"), 1, 100)
            custom_id = component.get("custom_id")
            if isinstance(custom_id, str):
                if custom_id in seen:
                    errors.add((*where, "custom_id"), *DUPLICATED_CUSTOM_ID)
                seen.add(custom_id)
            for n, child in enumerate(children if isinstance(children, list) else []):
                check(child, (*where, "components", n))
            for key in ("accessory", "component"):
                if isinstance(component.get(key), dict):
                    check(component[key], (*where, key))

        for n, component in enumerate(components):
            check(component, (*at, "components", n))

    def _update_component_message(self, clicked: JSON, data: JSON) -> JSON:
        """A type 7 response edits the message whose component was used, in place."""
        stored = self._find_message(int(clicked["id"])) or clicked
        for key in ("content", "embeds", "components"):
            if key in data:
                stored[key] = data[key]
        return stored

    def _record_for_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _followup(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        record = self._record_for_token(m["token"])
        if record is None:
            return self._missing(10015)
        channel = record.payload.get("channel") or {}
        body = call.json or {}
        invalid = self._invalid_components(body)
        if invalid is not None:
            return invalid
        message = self._store_message(
            channel, body, call, interaction_id=record.id, persist=not (body.get("flags", 0) & 64)
        )
        record.followups.append(message)
        return self._json(message)

    async def _get_webhook_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        record = self._record_for_token(m["token"])
        if record is None or record.original is None:
            return self._missing(10008)
        return self._json(record.original)

    async def _edit_webhook_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        record = self._record_for_token(m["token"])
        if record is None:
            return self._missing(10008)
        if m["message"] == "@original":
            base = record.original or {}
        else:
            found = self._find_message(int(m["message"]))
            base = found or next((f for f in record.followups if f["id"] == m["message"]), None) or {}
            if not base:
                return self._missing(10008)
        body = call.json or {}
        invalid = self._invalid_components({"flags": base.get("flags", 0), **body})
        if invalid is not None:
            return invalid
        edited = {**base, **body}
        channel_id = base.get("channel_id") or (record.payload.get("channel") or {}).get("id", "0")
        if call.files:
            edited["attachments"] = self._attachments(call, channel_id)
        # The message itself changes (as the channel shows it), whether kept in history or ephemeral.
        stored = self._find_message(int(base["id"])) if base.get("id") else None
        if stored is not None:
            self._apply_edit(stored, body, call, edited)
        if m["message"] == "@original":
            record.original = stored or edited
        record.edits.append(edited)
        return self._json(edited)

    def _apply_edit(self, message: JSON, body: JSON, call: Call, edited: JSON | None = None) -> None:
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key]
        if call.files and edited is not None:
            message["attachments"] = edited["attachments"]
        elif call.files:
            message["attachments"] = self._attachments(call, message["channel_id"])
        elif "attachments" in body:  # the attachments the edit keeps, by id
            kept = {str(a.get("id")) for a in body["attachments"] or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept]

    async def _delete_webhook_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        return self._no_content()

    # channels and messages

    def _attachments(self, call: Call, channel_id: int | str) -> list[JSON]:
        """The files the bot uploaded, on the fake CDN."""
        return [self.store_file(channel_id, name, data) for name, data in call.files]

    def _invalid_components(self, body: JSON) -> web.Response | None:
        errors = FormErrors()
        self._component_errors(errors, (), body)
        return errors.response()

    def _store_message(
        self, channel: JSON, body: JSON, call: Call, *, interaction_id: int | None = None, persist: bool = True
    ) -> JSON:
        message = p.message(
            p.snowflake(),
            channel,
            self.bot.user_payload,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=self._attachments(call, channel.get("id", "0")),
            flags=body.get("flags") or 0,
            interaction_id=interaction_id,
        )
        (self.messages if persist else self.ephemeral_messages)[int(message["id"])] = message
        return message

    async def _get_channel(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        channel = self.channels.get(int(m["channel"]))
        return self._json(channel) if channel else self._missing(10003)

    async def _create_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        channel = self.channels.get(int(m["channel"]))
        if channel is None:
            return self._missing(10003)
        invalid = self._invalid_components(call.json or {})
        if invalid is not None:
            return invalid
        if channel.get("type") in DM_CHANNEL_TYPES:
            if self._dm_closed(channel):
                return self._error_response(403, 50007)
        else:
            needed = ["view_channel", "send_messages_in_threads" if channel.get("type") == 11 else "send_messages"]
            if self._bot_lacks(channel, *needed):
                return self._forbidden()
        return self._json(self._store_message(channel, call.json or {}, call))

    def _dm_closed(self, channel: JSON) -> bool:
        """A recipient who closed their DMs, or a bot (bots cannot DM bots)."""
        for recipient in channel.get("recipients") or []:
            member = self.users.get(int(recipient["id"]))
            if int(recipient["id"]) in self.closed_dms or recipient.get("bot") or (member and member.bot):
                return True
        return False

    async def _create_dm(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        """Create DM: the one DM channel with that user (the same one again on later calls)."""
        raw = str((call.json or {}).get("recipient_id", ""))
        if not raw.isdigit() or int(raw) not in self.users:
            return self._error_response(400, 50033)
        channel = self.dm_channels.get(int(raw))
        if channel is None:
            channel = p.dm_channel(p.snowflake(), self.users[int(raw)].user_payload)
            self.dm_channels[int(raw)] = channel
            self.channels[int(channel["id"])] = channel
        return self._json(channel)

    async def _history(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        channel_id = m["channel"]
        if int(channel_id) not in self.channels:
            return self._missing(10003)
        limit = int(request.query.get("limit", 50))
        before = int(request.query.get("before", 1 << 63))
        after = int(request.query.get("after", 0))
        found = sorted(
            (
                msg
                for msg in self.messages.values()
                if msg["channel_id"] == channel_id and after < int(msg["id"]) < before
            ),
            key=lambda msg: int(msg["id"]),
            reverse="after" not in request.query,
        )
        return self._json([self._with_reactions(msg) for msg in found[:limit]])

    def _with_reactions(self, message: JSON) -> JSON:
        reactions = []
        for emoji, users in self.reactions.get(int(message["id"]), {}).items():
            if users:
                reactions.append(
                    {
                        "count": len(users),
                        "count_details": {"burst": 0, "normal": len(users)},
                        "me": self.app_id in users,
                        "me_burst": False,
                        "emoji": p.emoji_payload(emoji),
                        "burst_colors": [],
                    }
                )
        return {**message, "reactions": reactions}

    def _message_in(self, m: re.Match[str]) -> JSON | web.Response:
        if int(m["channel"]) not in self.channels:
            return self._missing(10003)
        message = self.messages.get(int(m["message"]))
        if message is None or message["channel_id"] != m["channel"]:
            return self._missing(10008)
        return message

    async def _get_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        return self._json(self._with_reactions(message))

    async def _edit_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        invalid = self._invalid_components({"flags": message.get("flags", 0), **(call.json or {})})
        if invalid is not None:
            return invalid
        self._apply_edit(message, call.json or {}, call)
        message["edited_timestamp"] = p.iso(datetime.now(UTC))
        return self._json(self._with_reactions(message))

    async def _delete_message(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        del self.messages[int(m["message"])]
        return self._no_content()

    async def _add_own_reaction(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        channel = self.channels[int(m["channel"])]
        if self._bot_lacks(channel, "view_channel", "read_message_history", "add_reactions"):
            return self._forbidden()
        emoji = m["emoji"]
        if self.add_reaction_state(int(m["message"]), emoji, self.app_id):
            event = self._reaction_event(message, self.app_id, emoji)
            event["member"] = self.bot.payload()
            await self.dispatch("MESSAGE_REACTION_ADD", event)
        return self._no_content()

    async def _remove_reaction(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        user_id = self.app_id if m["user"] == "@me" else int(m["user"])
        channel = self.channels[int(m["channel"])]
        if user_id != self.app_id and self._bot_lacks(channel, "manage_messages"):
            return self._forbidden()
        if self.remove_reaction_state(int(m["message"]), m["emoji"], user_id):
            await self.dispatch("MESSAGE_REACTION_REMOVE", self._reaction_event(message, user_id, m["emoji"]))
        return self._no_content()

    async def _list_reactions(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        limit = max(1, min(int(request.query.get("limit", 25)), 100))
        after = int(request.query.get("after", 0))
        users = [u for u in self.reactions.get(int(m["message"]), {}).get(m["emoji"], []) if u > after][:limit]
        return self._json([self._user_payload(u) for u in users])

    def _user_payload(self, user_id: int) -> JSON:
        if user_id == self.app_id:
            return self.bot.user_payload
        member = self.users.get(user_id)
        return member.user_payload if member else p.user(user_id, f"user{user_id}")

    async def _create_thread(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        message = self._message_in(m)
        if isinstance(message, web.Response):
            return message
        channel = self.channels[int(m["channel"])]
        if channel.get("type") in DM_CHANNEL_TYPES:
            return self._error_response(400, 50024)
        if self._bot_lacks(channel, "view_channel", "create_public_threads"):
            return self._forbidden()
        thread = p.thread_channel(int(message["id"]), channel, (call.json or {}).get("name", "thread"), self.app_id)
        self.channels[int(thread["id"])] = thread
        message["thread"] = thread
        return self._json(thread, status=201)

    async def _get_member(self, request: web.Request, call: Call, m: re.Match[str]) -> web.Response:
        guild = self.guilds.get(int(m["guild"]))
        if guild is None:
            return self._missing(10004)
        member = guild.members.get(int(m["user"]))
        if member is None:
            return self._missing(10007)
        return self._json(member.payload())
