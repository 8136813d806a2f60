"""`/storyline …`: a daily MV storyline per server, posted at the server's local time, once.

The Discord-free domain (:mod:`bot.storyline`) owns scheduling, rotation, the daily claim and
the posting loop; this cog gives it the Discord side as callbacks — send a day's post, look
for a day's post in the channel after a crash, tell whether a channel is age-restricted —
and turns commands into service calls rendered by :mod:`cogs.storyline.render`.

Admin subcommands carry ``default_permissions(manage_guild=True)`` but Discord ignores it on
subcommands (and setting it on the group would hide `today` and `history` from members), so
the check in code (:func:`require_manager`) is what enforces Manage Server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import MV
from bot.catalog.server import GuildCatalog
from bot.errors import UserError
from bot.i18n import SOURCE_LOCALE, Msg, _, render, speaking
from bot.i18n.interactions import public_locale
from bot.scheduler import cancel_and_wait
from bot.storyline import (
    PostFailed,
    PostPlan,
    RotationEntry,
    SendResult,
    StorylineService,
    StorylineSettings,
    parse_setup,
    rotation_entries,
    timezone_choices,
)
from bot.storyline.reasons import (
    CHANNEL_GONE,
    CHANNEL_UNREACHABLE,
    DISCORD_REFUSED,
    MISSING_PERMISSIONS,
    MV_GONE,
    NOT_TEXT,
    REMOVED_FROM_SERVER,
    fill,
)
from bot.ui import NO_MENTIONS, choice, missing_permissions, permission_label, reply
from cogs.mv.cog import is_age_restricted
from cogs.mv.views import card_link_view
from cogs.storyline.render import (
    build_history_embed,
    build_post_embed,
    build_status_embed,
    disabled_message,
    missing_permissions_message,
    paused_message,
    ping_content,
    post_now_message,
    post_titles,
    preview_content,
    resumed_message,
    setup_notes,
    skipped_message,
    thread_name,
    today_message,
    unmentionable_role_message,
    wrong_channel_message,
)

if TYPE_CHECKING:
    from bot.client import LightstickBot

log = logging.getLogger(__name__)

POSTABLE_TYPES = (discord.ChannelType.text, discord.ChannelType.news)
SEND_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")
#: Messages looked at for a day's post after a crash between claim and record.
RECENT_MESSAGES = 50
CHOICE_LIMIT = 25

STILL_GONE = _("The storyline channel no longer exists. Run /storyline setup with another channel.")
MV_NO_LONGER_THERE = _("The next storyline's MV is no longer in the catalog; it will be replaced.")

#: What a channel that can't take the daily post is, for the refusal (`{kind}`).
_CHANNEL_KINDS: dict[discord.ChannelType, Msg] = {
    discord.ChannelType.voice: _("a voice channel"),
    discord.ChannelType.stage_voice: _("a stage channel"),
    discord.ChannelType.category: _("a category channel"),
    discord.ChannelType.forum: _("a forum channel"),
    discord.ChannelType.media: _("a media channel"),
    discord.ChannelType.public_thread: _("a thread channel"),
    discord.ChannelType.private_thread: _("a thread channel"),
    discord.ChannelType.news_thread: _("a thread channel"),
}
_OTHER_KIND = _("a non-text channel")

AnyChannel = app_commands.AppCommandChannel | app_commands.AppCommandThread


class PostableChannelOption(app_commands.Transformer):
    """A channel option Discord offers as text and announcement channels only.

    The value is passed on as is so the handler can refuse anything else with a clear
    message (a transformer error would only say "not a valid channel").
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return list(POSTABLE_TYPES)

    async def transform(self, interaction: discord.Interaction, value: AnyChannel, /) -> AnyChannel:
        return value


PostableChannel = app_commands.Transform[AnyChannel, PostableChannelOption]
CatchUpHours = app_commands.Range[int, 0, 23]


def require_manager(interaction: discord.Interaction) -> int:
    """The guild id, if the member may manage the server (the in-code half of the check)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])
    return interaction.guild_id


def require_guild(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def setup_problems(
    channel: discord.TextChannel, me: discord.Member, *, thread: bool, ping_role: discord.Role | None
) -> Msg | None:
    """The preflight: what would stop the daily post in `channel`, as a message, or None."""
    permissions = channel.permissions_for(me)
    needed = SEND_PERMISSIONS + (THREAD_PERMISSIONS if thread else ())
    missing = missing_permissions(permissions, needed)
    if missing:
        return missing_permissions_message(channel.mention, missing)
    if ping_role is not None and not (ping_role.mentionable or permissions.mention_everyone):
        return unmentionable_role_message(ping_role.mention)
    return None


def role_ping(role_id: int | None) -> tuple[str | None, discord.AllowedMentions]:
    """Content and allowed mentions: only the configured role may be pinged, nobody else."""
    if role_id is None:
        return None, NO_MENTIONS
    allowed = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(role_id)], replied_user=False)
    return ping_content(role_id), allowed


def forbidden_reason(channel: discord.TextChannel) -> Msg:
    return fill(DISCORD_REFUSED, channel=channel.name)


class StorylineCog(commands.Cog, name="Storyline"):
    """Storyline of the day: setup, status and admin controls, and the daily posting loop."""

    storyline = app_commands.Group(
        name="storyline",
        description="Storyline of the day: one MV story posted daily at your server's time.",
        guild_only=True,
    )

    def __init__(self, bot: LightstickBot) -> None:
        self.bot = bot
        self._entries: tuple[RotationEntry, ...] = rotation_entries(bot.catalog.with_storyline())
        self.service = StorylineService(
            bot.db,
            bot.clock,
            entries=lambda: self._entries,
            send=self.send_post,
            find_existing=self.find_post,
            age_restricted=self.channel_age_restricted,
            guilds=bot.ownership,
            server_entries=bot.catalogs.storyline_entries,
        )
        self._starter: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def cog_load(self) -> None:
        """Start the loop once the guild cache is filled (posting needs channels and roles)."""
        self._starter = asyncio.create_task(self._start_when_ready(), name="storyline:start")

    async def _start_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        self.service.start()
        log.info("storyline dispatcher started")

    async def cog_unload(self) -> None:
        await cancel_and_wait(self._starter)
        await self.service.stop()

    async def catalog_for(self, guild_id: int) -> GuildCatalog:
        """The guild's catalog: built-in entries and its own (``s-12``), where a post's MV is."""
        return await self.bot.catalogs.get(guild_id)

    async def find_mv(self, guild_id: int, mv_id: str) -> MV | None:
        return (await self.catalog_for(guild_id)).get(mv_id)

    # -- the Discord side of the service --------------------------------------------------

    def channel_age_restricted(self, guild_id: int, channel_id: int) -> bool:
        return is_age_restricted(self.bot.get_channel(channel_id))

    async def resolve_channel(self, guild_id: int, channel_id: int) -> discord.TextChannel:
        """The storyline channel from the cache, else over REST; gone channels pause the guild."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            guild = self.bot.get_guild(guild_id)
            if guild is not None and not guild.unavailable:
                raise PostFailed(CHANNEL_GONE, pause=True)
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound as exc:
                raise PostFailed(CHANNEL_GONE, pause=True) from exc
            except discord.Forbidden as exc:
                raise PostFailed(CHANNEL_UNREACHABLE) from exc
        if not isinstance(channel, discord.TextChannel):
            raise PostFailed(NOT_TEXT, pause=True)
        return channel

    @staticmethod
    def check_send_permissions(channel: discord.TextChannel) -> None:
        """Refuse before calling Discord when the cache already shows a missing permission."""
        me = channel.guild.me if isinstance(channel.guild, discord.Guild) else None
        if me is None:
            return
        missing = missing_permissions(channel.permissions_for(me), SEND_PERMISSIONS)
        if missing:
            names = ", ".join(render(permission_label(name), SOURCE_LOCALE) for name in missing)
            raise PostFailed(fill(MISSING_PERMISSIONS, channel=channel.name, permissions=names))

    async def send_post(self, plan: PostPlan) -> SendResult:
        """Send one claimed day's post (and open its thread) in the server's language, whoever
        asked (the loop, or an admin's `/storyline post`). PostFailed = definitely not sent."""
        with speaking(await public_locale(self.bot, plan.guild_id)):
            return await self._send_post(plan)

    async def _send_post(self, plan: PostPlan) -> SendResult:
        channel = await self.resolve_channel(plan.guild_id, plan.channel_id)
        mv = await self.find_mv(plan.guild_id, plan.mv_id)
        if mv is None:
            raise PostFailed(fill(MV_GONE, mv=plan.mv_id))
        self.check_send_permissions(channel)
        embed = build_post_embed(mv, plan, local_time=discord.utils.format_dt(plan.scheduled_at, "t"))
        content, allowed = role_ping(self._existing_role(channel, plan.ping_role_id))
        try:
            message = await channel.send(content, embed=embed, view=card_link_view(mv), allowed_mentions=allowed)
        except discord.Forbidden as exc:
            raise PostFailed(forbidden_reason(channel)) from exc
        except discord.NotFound as exc:
            if exc.code == 10003:
                raise PostFailed(CHANNEL_GONE, pause=True) from exc
            raise
        thread_id = await self.open_thread(message, mv) if plan.thread else None
        return SendResult(message.id, thread_id)

    @staticmethod
    def _existing_role(channel: discord.TextChannel, role_id: int | None) -> int | None:
        """The ping role, unless the guild cache shows it was deleted (then post without it)."""
        guild = channel.guild
        if role_id is not None and isinstance(guild, discord.Guild) and guild.get_role(role_id) is None:
            log.warning("storyline: ping role %s of guild %s is gone; posting without it", role_id, guild.id)
            return None
        return role_id

    async def open_thread(self, message: discord.Message, mv: MV) -> int | None:
        """The discussion thread; a failure here never undoes or repeats the post itself."""
        try:
            thread = await message.create_thread(name=thread_name(mv))
        except discord.HTTPException:
            log.warning("storyline: could not open a thread on message %s", message.id, exc_info=True)
            return None
        return thread.id

    async def find_post(self, plan: PostPlan) -> SendResult | None:
        """After a crash between claim and record: is that day's post already in the channel?

        The post is recognised by its title in any language; a thread opened now is named in
        the server's language."""
        with speaking(await public_locale(self.bot, plan.guild_id)):
            return await self._find_post(plan)

    async def _find_post(self, plan: PostPlan) -> SendResult | None:
        channel = await self.resolve_channel(plan.guild_id, plan.channel_id)
        assert self.bot.user is not None
        titles, me = post_titles(plan.local_date), self.bot.user.id
        async for message in channel.history(limit=RECENT_MESSAGES):
            if message.author.id == me and any(embed.title in titles for embed in message.embeds):
                thread_id = message.thread.id if message.thread is not None else None
                mv = await self.find_mv(plan.guild_id, plan.mv_id)
                if plan.thread and thread_id is None and mv is not None:
                    thread_id = await self.open_thread(message, mv)
                return SendResult(message.id, thread_id)
        return None

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """Pause at once when the storyline channel is deleted, so status says why."""
        settings = await self.service.store.settings(channel.guild.id)
        if settings is not None and settings.channel_id == channel.id and settings.active:
            await self.service.pause(channel.guild.id, CHANNEL_GONE)
            log.info("storyline: guild %s paused: its channel was deleted", channel.guild.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Pause when Lightstick leaves a server, instead of failing there every day."""
        settings = await self.service.store.settings(guild.id)
        if settings is not None and settings.active:
            await self.service.pause(guild.id, REMOVED_FROM_SERVER)
            log.info("storyline: guild %s paused: Lightstick was removed from it", guild.id)

    # -- command helpers ----------------------------------------------------------------

    async def text_channel_for(self, interaction: discord.Interaction, option: AnyChannel) -> discord.TextChannel:
        if option.type not in POSTABLE_TYPES:
            kind = _CHANNEL_KINDS.get(option.type, _OTHER_KIND)
            raise UserError(wrong_channel_message(option.mention, kind))
        assert interaction.guild is not None
        channel = interaction.guild.get_channel(option.id) or await interaction.guild.fetch_channel(option.id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(wrong_channel_message(option.mention, _OTHER_KIND))
        return channel

    async def settings_for(self, guild_id: int) -> StorylineSettings:
        return await self.service.store.require_settings(guild_id)

    # -- commands -------------------------------------------------------------------------

    @storyline.command(name="setup", description="Post a storyline daily in a channel at your server's local time.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        channel="The text channel for the daily post",
        time="Local time: 24-hour HH:MM (21:00) or with am/pm (9pm, 9:30 am)",
        timezone="Your IANA timezone, e.g. Asia/Seoul (type to search)",
        ping_role="A role to mention with each post (optional)",
        thread="Open a discussion thread on each post (default: on)",
        include_mature="Also post MVs marked mature (only if the channel is age-restricted)",
        catch_up_hours="After downtime, still post up to this many hours late (0–23, default 6)",
        server_entries="Also post this server's own MVs that have a storyline (default: on)",
    )
    async def setup_storyline(
        self,
        interaction: discord.Interaction,
        channel: PostableChannel,
        time: str,
        timezone: str,
        ping_role: discord.Role | None = None,
        thread: bool = True,
        include_mature: bool = False,
        catch_up_hours: CatchUpHours | None = None,
        server_entries: bool = True,
    ) -> None:
        guild_id = require_manager(interaction)
        target = await self.text_channel_for(interaction, channel)
        config = parse_setup(
            guild_id=guild_id,
            channel_id=target.id,
            time_text=time,
            timezone_text=timezone,
            ping_role_id=ping_role.id if ping_role else None,
            thread=thread,
            include_mature=include_mature,
            catch_up_hours=catch_up_hours,
            server_entries=server_entries,
        )
        assert interaction.guild is not None and interaction.guild.me is not None
        problem = setup_problems(target, interaction.guild.me, thread=thread, ping_role=ping_role)
        if problem:
            raise UserError(problem)
        status = await self.service.setup(config)
        notes = setup_notes(status.settings, age_restricted=is_age_restricted(target))
        catalog = await self.catalog_for(guild_id)
        await reply(interaction, embed=build_status_embed(status, catalog.get, notes=notes))

    @setup_storyline.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [choice(name, name) for name in timezone_choices(current, CHOICE_LIMIT)]

    @storyline.command(name="status", description="Where and when the storyline posts, and how the last one went.")
    @app_commands.default_permissions(manage_guild=True)
    async def status(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        status = await self.service.status(guild_id)
        catalog = await self.catalog_for(guild_id)
        await reply(interaction, embed=build_status_embed(status, catalog.get))

    @storyline.command(name="today", description="Today's storyline: the link, or when it will come.")
    async def today(self, interaction: discord.Interaction) -> None:
        guild_id = require_guild(interaction)
        today = await self.service.today(guild_id)
        settings = await self.settings_for(guild_id)
        catalog = await self.catalog_for(guild_id)
        await reply(interaction, today_message(today, settings, catalog.get))

    @storyline.command(name="post", description="Post today's storyline now; it counts as today's post.")
    @app_commands.default_permissions(manage_guild=True)
    async def post(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        settings = await self.settings_for(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.post_now(guild_id)
        catalog = await self.catalog_for(guild_id)
        await reply(interaction, post_now_message(outcome, guild_id, settings.channel_id, catalog.get))

    @storyline.command(name="skip", description="Skip the next scheduled storyline.")
    @app_commands.default_permissions(manage_guild=True)
    async def skip(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        skipped = await self.service.skip(guild_id)
        settings = await self.settings_for(guild_id)
        await reply(interaction, skipped_message(skipped, settings.timezone))

    @storyline.command(name="pause", description="Pause the daily storyline until you resume it.")
    @app_commands.default_permissions(manage_guild=True)
    async def pause(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        await self.service.pause(guild_id)
        await reply(interaction, paused_message())

    @storyline.command(name="resume", description="Resume the daily storyline from its next scheduled time.")
    @app_commands.default_permissions(manage_guild=True)
    async def resume(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        current = await self.settings_for(guild_id)
        assert interaction.guild is not None
        if interaction.guild.get_channel(current.channel_id) is None:
            raise UserError(STILL_GONE)
        settings = await self.service.resume(guild_id)
        await reply(interaction, resumed_message(settings))

    @storyline.command(name="disable", description="Turn the daily storyline off (settings and history are kept).")
    @app_commands.default_permissions(manage_guild=True)
    async def disable(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        await self.service.disable(guild_id)
        await reply(interaction, disabled_message())

    @storyline.command(name="preview", description="See the next storyline post as it will look (only you).")
    @app_commands.default_permissions(manage_guild=True)
    async def preview(self, interaction: discord.Interaction) -> None:
        guild_id = require_manager(interaction)
        plan = await self.service.preview(guild_id)
        settings = await self.settings_for(guild_id)
        mv = await self.find_mv(guild_id, plan.mv_id)
        if mv is None:
            raise UserError(MV_NO_LONGER_THERE)
        await reply(
            interaction,
            preview_content(plan, settings.timezone),
            embed=build_post_embed(mv, plan),
            view=card_link_view(mv),
        )

    @storyline.command(name="history", description="The last 14 days of storylines, with links.")
    async def history(self, interaction: discord.Interaction) -> None:
        guild_id = require_guild(interaction)
        records = await self.service.history(guild_id)
        catalog = await self.catalog_for(guild_id)
        await reply(interaction, embed=build_history_embed(records, catalog.get))
