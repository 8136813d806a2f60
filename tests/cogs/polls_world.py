"""A server for `/poll` end-to-end tests: channels, roles, members, the real bot, helpers.

Each test module makes its own `world` fixture from :func:`start_world` (fixtures imported
across modules confuse linters). The cog is re-imported per bot, so it is typed ``Any``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.client import REQUIRED_PERMISSIONS, LightstickBot
from bot.clock import Clock
from bot.polls import Poll, option_emoji
from tests.conftest import BotRunner, eventually
from tests.fakediscord import FakeDiscord
from tests.fakediscord.server import Guild, InteractionRecord, Member

JSON = dict[str, Any]
EPHEMERAL = 64
FAST_EDITS = timedelta(milliseconds=20)
_COUNT = re.compile(r"` ([\d,]+) \(")


@dataclass
class PollWorld:
    fake: FakeDiscord
    bots: BotRunner
    bot: LightstickBot
    guild: Guild
    general: JSON
    news: JSON
    voters_role: int
    mods_role: int
    creator: Member
    mod: Member
    fans: list[Member] = field(default_factory=list)

    @property
    def cog(self) -> Any:
        cog = self.bot.get_cog("Polls")
        assert cog is not None
        return cog

    def add_fans(self, count: int, **options: Any) -> list[Member]:
        start = len(self.fans)
        made = [self.fake.add_member(self.guild, f"fan{start + i}", **options) for i in range(count)]
        self.fans.extend(made)
        return made

    async def slash(
        self, command: str, *, member: Member | None = None, channel: JSON | None = None, **options: Any
    ) -> InteractionRecord:
        return await self.fake.slash(command, self.guild, channel or self.general, member or self.creator, **options)

    async def reply(self, command: str, **options: Any) -> JSON:
        """The message the member ends up seeing for a command."""
        return await (await self.slash(command, **options)).final_message()

    async def create(
        self, question: str = "Best MV of 2024?", options: str = "Spell | WHIPLASH | Who", **more: Any
    ) -> tuple[Poll, JSON]:
        """Run /poll create; wait until the poll message has all its option reactions."""
        before = {int(m["id"]) for m in self.fake.bot_messages()}
        body = await self.reply("poll create", question=question, options=options, **more)
        assert "is up in" in body.get("content", ""), body
        poll = await self.latest_poll()
        assert poll.message_id is not None
        message = self.fake.messages[poll.message_id]
        assert poll.message_id not in before
        await self.wait_for_own_reactions(poll, message)
        return poll, message

    async def latest_poll(self) -> Poll:
        polls = await self.cog.store.search(self.guild.id, "", limit=1)
        assert polls, "no poll was stored"
        poll = await self.cog.store.get(polls[0].poll_id)
        assert poll is not None
        return poll

    async def poll(self, poll_id: int) -> Poll:
        poll = await self.cog.store.get(poll_id)
        assert poll is not None
        return poll

    async def wait_for_own_reactions(self, poll: Poll, message: JSON) -> None:
        emojis = option_emoji(len(poll.options))
        await eventually(
            lambda: all(self.fake.app_id in self.fake.reaction_users(message, e) for e in emojis), timeout=10
        )

    async def stored_counts(self, poll: Poll) -> list[int]:
        """Votes per option as SQLite has them (after the writer's flush)."""
        await self.cog.voting.flush()
        results = await self.cog.store.tally(poll)
        return [results.for_option(option).votes for option in range(len(poll.options))]

    async def stored_votes(self, poll: Poll) -> set[tuple[int, int]]:
        await self.cog.voting.flush()
        return {(row.user_id, row.option) for row in await self.cog.store.voter_rows(poll)}

    def reacted(self, poll: Poll, message: JSON) -> set[tuple[int, int]]:
        """(user, option) for every member reaction the fake Discord has (bots left out)."""
        found = set()
        for option, emoji in enumerate(option_emoji(len(poll.options))):
            for user_id in self.fake.reaction_users(message, emoji):
                member = self.fake.users.get(user_id)
                if user_id != self.fake.app_id and not (member and member.bot):
                    found.add((user_id, option))
        return found

    def reaction_event(self, message: JSON, member: Member, emoji: str, *, add: bool = True) -> JSON:
        """A MESSAGE_REACTION_ADD/REMOVE payload as Discord sends it (to replay by hand)."""
        event: JSON = {
            "user_id": str(member.user_id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message.get("guild_id"),
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        if add:
            event["member"] = member.payload()
            event["message_author_id"] = str(self.fake.app_id)
        return event

    async def vote(self, message: JSON, member: Member, option: int, n_options: int = 3) -> None:
        await self.fake.react(message, member, option_emoji(n_options)[option])

    async def unvote(self, message: JSON, member: Member, option: int, n_options: int = 3) -> None:
        await self.fake.unreact(message, member, option_emoji(n_options)[option])

    async def wait_counts(self, poll: Poll, expected: list[int], timeout: float = 5.0) -> None:
        async def check() -> bool:
            return await self.stored_counts(poll) == expected

        try:
            await eventually(check, timeout=timeout)
        except AssertionError:
            raise AssertionError(f"stored counts {await self.stored_counts(poll)} != {expected}") from None

    async def wait_shown(self, message: JSON, expected: list[int], timeout: float = 5.0) -> None:
        try:
            await eventually(lambda: shown_counts(self.fake.messages[int(message["id"])]) == expected, timeout=timeout)
        except AssertionError:
            shown = shown_counts(self.fake.messages[int(message["id"])])
            raise AssertionError(f"the poll message shows {shown}, not {expected}") from None

    async def restart(self, *, clock: Clock | None = None) -> LightstickBot:
        """Stop the bot cleanly and start it again on the same database."""
        await self.bots.stop(self.bot)
        self.bot = await self.bots.start(clock=clock)
        await self.ready_cog()
        return self.bot

    async def ready_cog(self, edit_interval: timedelta = FAST_EDITS) -> None:
        await self.cog.set_edit_interval(edit_interval)
        await eventually(lambda: self.cog.reconcile_passes >= 1, timeout=10)


def message_id(poll: Poll) -> int:
    """The poll message's id (a posted poll always has one)."""
    assert poll.message_id is not None
    return poll.message_id


def shown_counts(message: JSON) -> list[int]:
    """The counts the poll message's embed shows, in option order ([] when hidden)."""
    description = message["embeds"][0]["description"]
    return [int(count.replace(",", "")) for count in _COUNT.findall(description)]


def embed_of(body: JSON) -> JSON:
    embeds = body.get("embeds") or []
    assert len(embeds) == 1, body
    return dict(embeds[0])


def results_messages(fake: FakeDiscord, channel: JSON) -> list[JSON]:
    return [m for m in fake.bot_messages(channel) if m["embeds"] and "results" in m["embeds"][0].get("title", "")]


def build_guild(fake: FakeDiscord, *, bot_permissions: int = REQUIRED_PERMISSIONS.value) -> tuple[Guild, int, int]:
    guild = fake.add_guild(bot_permissions=bot_permissions, channels=("general", "news"))
    voters = fake.add_role(guild, "Voters")
    mods = fake.add_role(guild, "Mods", permissions=discord.Permissions(manage_guild=True).value)
    return guild, voters, mods


async def start_world(
    fake: FakeDiscord,
    bots: BotRunner,
    *,
    clock: Clock | None = None,
    fans: int = 6,
    bot_permissions: int = REQUIRED_PERMISSIONS.value,
    edit_interval: timedelta = FAST_EDITS,
    now: datetime | None = None,
    before_start: Callable[[FakeDiscord, Guild], object] | None = None,
) -> PollWorld:
    """A server with #general and #news, a Voters role, a Mods role (Manage Server), a poll
    creator, a moderator and `fans` ordinary members with old accounts; the bot is ready.
    `before_start` changes the world before the bot connects (GUILD_CREATE carries it)."""
    guild, voters, mods = build_guild(fake, bot_permissions=bot_permissions)
    now = now or datetime.now(UTC)
    creator = fake.add_member(guild, "creator", now=now)
    mod = fake.add_member(guild, "mod", roles=[mods], now=now)
    if before_start is not None:
        before_start(fake, guild)
    bot = await bots.start(clock=clock)
    world = PollWorld(
        fake, bots, bot, guild, fake.channel(guild, "general"), fake.channel(guild, "news"), voters, mods, creator, mod
    )
    world.add_fans(fans, now=now)
    await world.ready_cog(edit_interval)
    return world
