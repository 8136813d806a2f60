"""`/bracket …`: MV World Cup brackets whose matches run as two-option reaction polls.

The domain (:mod:`bot.brackets`) decides the bracket; :class:`~bot.brackets.store.BracketStore`
keeps it; the poll cog (``bot.get_cog("Polls")``) posts, counts and closes each match poll.
Match polls are quiet (no results message of their own: the round summary reports them) and
close by themselves at the round's end; a :class:`~bot.scheduler.Dispatcher` over the
earliest round end then closes any still open, tallies them and advances the round through
the store's guarded update — only its one winner posts the summary, the picture and the next
round. A start-up pass finishes what a crash left half-done (a summary not posted, matches not
all posted). A Discord failure stops only that bracket, with the reason shown by
`/bracket status`.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.brackets import (
    MAX_ENTRIES,
    Bracket,
    draw_bracket,
    new_bracket,
    parse_entries,
    parse_seeding,
    parse_title,
    round_summary,
    seed,
    validate_entries,
)
from bot.brackets.store import BracketStore, MatchRules, StoredBracket
from bot.errors import UserError
from bot.i18n import _, render, speaking
from bot.i18n.interactions import public_locale
from bot.polls import PollSpec, parse_duration
from bot.polls.rules import PollStatus
from bot.scheduler import Dispatcher
from bot.ui import CATALOG_FILTER_HELP, NO_MENTIONS, permission_label, reply, truncate
from cogs.brackets.render import (
    PICTURE_FILENAME,
    STATUS_NAMES,
    build_status_embed,
    build_summary_embed,
    created_message,
    match_options,
    match_question,
    summary_footers,
)
from cogs.mv.cog import Year
from cogs.polls.cog import poll_id_in_footer
from cogs.polls.options import RULE_HELP, AgeDays, LiveTextChannel, catalog_matches, voter_rules
from cogs.polls.render import mv_option_label

if TYPE_CHECKING:
    from bot.client import LightstickBot

log = logging.getLogger(__name__)

#: A round resumed after a crash with less than this left starts its full length again.
MIN_ROUND_LEFT = timedelta(minutes=1)
#: How long to wait for a match poll another task is closing.
CLOSE_WAIT = 30.0
ROUND_HELP = "How long each round runs: 30m, 12h, 2d or 1d12h (1 minute to 90 days; default 24h)"
SEEDING_HELP = "How entries are seeded: in the order listed (first is seed 1) or at random"
SEEDING_CHOICES = [
    app_commands.Choice(name="given: the order listed", value="given"),
    app_commands.Choice(name="random", value="random"),
]
BRACKET_HELP = "The bracket's number (default: this server's newest open bracket)"

EntryCount = app_commands.Range[int, 2, MAX_ENTRIES]
#: Where a restart looks for a match poll or summary posted just before a crash.
SEARCH_MARGIN = timedelta(minutes=1)
MATCH_SEARCH_LIMIT = 300
SUMMARY_SEARCH_LIMIT = 50


class BracketsCog(commands.Cog, name="Brackets"):
    """MV World Cup brackets: rounds of two-way reaction polls, a summary and picture per round."""

    bracket = app_commands.Group(
        name="bracket",
        description="MV World Cup brackets: rounds of two-way reaction polls up to a champion.",
        guild_only=True,
    )

    def __init__(self, bot: LightstickBot) -> None:
        self.bot = bot
        self.store = BracketStore(bot.db, owner=bot.ownership)
        self.dispatcher = Dispatcher("brackets", bot.clock, self.store.next_round_end, self._advance_due)
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.advances = 0

    # -- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.dispatcher.start()
        self._spawn(self._after_ready(), "brackets:start")

    async def cog_unload(self) -> None:
        await self.dispatcher.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _after_ready(self) -> None:
        """Finish what a crash left half-way: summaries not posted, rounds not fully posted."""
        await self.bot.wait_until_ready()
        for stored in await self.store.unfinished_work():
            try:
                async with self._lock(stored.bracket_id):
                    await self._resume(stored.bracket_id)
            except Exception:
                log.exception("bracket %d: resuming failed", stored.bracket_id)
        self.dispatcher.wake()

    async def _resume(self, bracket_id: int) -> None:
        stored = await self.store.get(bracket_id)
        if stored is None:
            return
        with speaking(await public_locale(self.bot, stored.guild_id)):
            if stored.announced_round < stored.round - 1:
                await self._announce(stored, stored.round - 1, adopt=True)
                stored = await self.store.get(bracket_id)
            if stored is not None and stored.is_open and stored.posted_round < stored.round:
                await self._post_round(stored, adopt=True)

    def _lock(self, bracket_id: int) -> asyncio.Lock:
        return self._locks.setdefault(bracket_id, asyncio.Lock())

    @property
    def polls(self) -> Any:
        cog = self.bot.get_cog("Polls")
        if cog is None:
            raise RuntimeError("the Polls cog is not loaded; brackets run on it")
        return cog

    # -- Discord side -----------------------------------------------------------------------

    def _channel(self, stored: StoredBracket) -> discord.TextChannel | discord.Thread | None:
        channel = self.bot.get_channel(stored.channel_id)
        return channel if isinstance(channel, discord.TextChannel | discord.Thread) else None

    async def _stop(self, stored: StoredBracket, reason: str) -> None:
        if await self.store.stop(stored.bracket_id, reason, self.bot.clock.now()):
            log.warning("bracket %d stopped: %s", stored.bracket_id, reason)
        self.dispatcher.wake()

    async def _posted_matches(
        self, stored: StoredBracket, channel: discord.TextChannel | discord.Thread
    ) -> dict[str, int]:
        """Match polls of this bracket's current round Lightstick posted in the channel but
        never recorded (a crash between posting and saving): question → poll id. One history
        read, from the round's start on."""
        if self.bot.user is None:
            return {}
        start = stored.created_at
        if stored.round > 1 and stored.round_ends_at is not None:
            start = stored.round_ends_at - stored.round_duration
        since = discord.Object(discord.utils.time_snowflake(start - SEARCH_MARGIN))
        found: dict[str, int] = {}
        try:
            async for message in channel.history(limit=MATCH_SEARCH_LIMIT, after=since):
                if message.author.id != self.bot.user.id or not message.embeds:
                    continue
                embed = message.embeds[0]
                poll_id = poll_id_in_footer(embed.footer.text or "")
                if poll_id is None or not embed.title:
                    continue
                poll = await self.polls.store.get(poll_id)
                if poll is None or poll.channel_id != channel.id or poll.question != embed.title:
                    continue
                if poll.message_id is None:
                    poll = await self.polls.voting.attach_message(poll, message.id)
                if poll.message_id == message.id:
                    found.setdefault(poll.question, poll.poll_id)
        except discord.HTTPException as error:
            log.info("bracket %d: could not look for match polls posted earlier: %s", stored.bracket_id, error)
        return found

    def _match_spec(self, stored: StoredBracket, number: int, match: Any, ends: datetime) -> PollSpec:
        """A match poll: quiet, since the round summary reports every match."""
        bracket = stored.bracket
        seconds = max(60, int(ends.timestamp()) - int(self.bot.clock.now().timestamp()))
        question = match_question(bracket, number, match, bracket_id=stored.bracket_id)
        return stored.rules.poll_spec(question, match_options(bracket, match), timedelta(seconds=seconds), quiet=True)

    async def _post_round(self, stored: StoredBracket, *, adopt: bool = False) -> int:
        """Post the current round's match polls not posted yet; then the round is running.
        With `adopt` (resuming after a crash), a match poll found already posted in the
        channel is recorded instead of posted again. Returns how many matches the round has
        (0 if the bracket had to stop)."""
        bracket, number = stored.bracket, stored.round
        channel = self._channel(stored)
        if channel is None:
            await self._stop(stored, str(_("its channel <#{channel}> is gone", channel=stored.channel_id)))
            return 0
        earlier = await self._posted_matches(stored, channel) if adopt else {}
        now = self.bot.clock.now()
        ends = stored.round_ends_at
        if ends is None or ends - now < MIN_ROUND_LEFT:
            ends = now + stored.round_duration
            await self.store.reschedule(stored.bracket_id, number, ends, now)
        posted = await self.store.matches(stored, number)
        for match in bracket.open_matches():
            if match.index in posted:
                continue
            spec = self._match_spec(stored, number, match, ends)
            adopted = earlier.get(spec.question)
            if adopted is not None and adopted not in posted.values():
                log.info("bracket %d: found match %d's poll %d already posted", stored.bracket_id, match.index, adopted)
                await self.store.add_match(stored, number, match.index, adopted)
                continue
            try:
                poll = await self.polls.post_poll(channel, spec, creator_id=stored.creator_id)
            except UserError as error:
                reason = _(
                    "match {number} of the {round} could not be posted: {error}",
                    number=match.index + 1,
                    round=bracket.round_name(number),
                    error=error.message,
                )
                await self._stop(stored, str(reason))
                return 0
            await self.store.add_match(stored, number, match.index, poll.poll_id)
        await self.store.mark_posted(stored.bracket_id, number)
        self.dispatcher.wake()
        return len(bracket.open_matches())

    async def _posted_summary(
        self, stored: StoredBracket, round_number: int, channel: discord.TextChannel | discord.Thread
    ) -> int | None:
        """The summary of this round Lightstick posted just before a crash (it is among the
        channel's latest messages: the next round is posted after it), or None."""
        if self.bot.user is None:
            return None
        wanted = summary_footers(stored, round_number)
        try:
            async for message in channel.history(limit=SUMMARY_SEARCH_LIMIT):
                mine = message.author.id == self.bot.user.id and message.embeds
                if mine and message.embeds[0].footer.text in wanted:
                    return message.id
        except discord.HTTPException as error:
            log.info("bracket %d: could not look for an earlier summary: %s", stored.bracket_id, error)
        return None

    async def _announce(self, stored: StoredBracket, round_number: int, *, adopt: bool = False) -> None:
        """The summary of a decided round with the bracket picture (the champion after the final).
        With `adopt` (resuming after a crash), a summary found already posted is kept."""
        if stored.announced_round >= round_number or round_number < 1:
            return
        channel = self._channel(stored)
        if channel is None:
            await self._stop(stored, str(_("its channel <#{channel}> is gone", channel=stored.channel_id)))
            return
        if adopt and (found := await self._posted_summary(stored, round_number, channel)) is not None:
            log.info("bracket %d: found round %d's summary %d already posted", stored.bracket_id, round_number, found)
            await self.store.mark_announced(stored.bracket_id, round_number)
            return
        lines = round_summary(stored.bracket, round_number)
        files: list[discord.File] = []
        try:
            png = await asyncio.to_thread(draw_bracket, stored.bracket)
            files.append(discord.File(io.BytesIO(png), filename=PICTURE_FILENAME))
        except Exception:
            log.exception("bracket %d: the picture could not be drawn", stored.bracket_id)
        embed = build_summary_embed(stored, round_number, lines, picture=bool(files))
        try:
            await channel.send(embed=embed, files=files, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            reason = _(
                "Lightstick couldn't post the round summary in <#{channel}> ({error})",
                channel=stored.channel_id,
                error=error.text or error.status,
            )
            await self._stop(stored, str(reason))
            return
        await self.store.mark_announced(stored.bracket_id, round_number)

    async def _closed_poll(self, poll_id: int) -> Any:
        """The match poll, closed (closing it now if it is still open), its votes all written."""
        polls = self.polls
        poll = await polls.store.get(poll_id)
        if poll is not None and poll.status is PollStatus.OPEN:
            await polls.finish_poll(poll_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_WAIT
        while poll is not None and (poll := await polls.store.get(poll_id)) is not None:
            if poll.status is not PollStatus.OPEN:
                return poll
            if loop.time() > deadline:
                raise RuntimeError(f"match poll {poll_id} did not close")
            await asyncio.sleep(0.05)
        return None

    async def advance(self, bracket_id: int, *, round_number: int | None = None) -> bool:
        """Close the current round (exactly once): tally its match polls, record it, post the
        summary and picture, then the next round or the champion. False if nothing advanced."""
        async with self._lock(bracket_id):
            stored = await self.store.get(bracket_id)
            if stored is None or not stored.is_open or stored.posted_round != stored.round:
                return False
            if round_number is not None and stored.round != round_number:
                return False
            with speaking(await public_locale(self.bot, stored.guild_id)):
                return await self._close_round(stored)

    async def _close_round(self, stored: StoredBracket) -> bool:
        """:meth:`advance` with the bracket's lock held, in the server's language."""
        bracket_id = stored.bracket_id
        number, bracket = stored.round, stored.bracket
        posted = await self.store.matches(stored, number)
        results: dict[int, tuple[int, int]] = {}
        for match in bracket.open_matches():
            poll_id = posted.get(match.index)
            poll = None if poll_id is None else await self._closed_poll(poll_id)
            if poll is None or poll.status is PollStatus.CLOSED_MISSING:
                reason = _(
                    "the message of match {number} of the {round} was deleted",
                    number=match.index + 1,
                    round=bracket.round_name(number),
                )
                await self._stop(stored, str(reason))
                return False
            tally = await self.polls.store.tally(poll)
            results[match.index] = (tally.for_option(0).votes, tally.for_option(1).votes)
        decided: Bracket = bracket.record_round(results)
        if not await self.store.advance(bracket_id, number, decided, self.bot.clock.now()):
            return False
        self.advances += 1
        self.dispatcher.wake()
        after = await self.store.get(bracket_id)
        assert after is not None
        await self._announce(after, number)
        after = await self.store.get(bracket_id)
        if after is not None and after.is_open:
            await self._post_round(after)
        log.info("bracket %d: round %d closed", bracket_id, number)
        return True

    async def _advance_due(self, now: datetime) -> None:
        await self.bot.wait_until_ready()
        failed = []
        for stored in await self.store.due(now):
            try:
                await self.advance(stored.bracket_id, round_number=stored.round)
            except Exception:
                log.exception("bracket %d: closing round %d failed", stored.bracket_id, stored.round)
                failed.append(stored.bracket_id)
        if failed:  # the dispatcher logs it and backs off
            raise RuntimeError(f"advancing brackets {failed} failed")

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- commands -------------------------------------------------------------------------

    @staticmethod
    def _guild_id(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:
            raise UserError(_("Brackets only work inside a server."))
        return interaction.guild_id

    async def _start(
        self,
        interaction: discord.Interaction,
        title: str,
        entries: tuple[str, ...],
        round_duration: str | None,
        seeding: str | None,
        channel: app_commands.AppCommandChannel | None,
        rules: MatchRules,
    ) -> None:
        """Everything is checked before the first row is written or message posted."""
        guild_id = self._guild_id(interaction)
        duration = parse_duration(round_duration)
        bracket = new_bracket(parse_title(title), seed(entries, seeding=parse_seeding(seeding)))
        target = self.polls.preflight(interaction, channel, anonymous=rules.anonymous)
        await interaction.response.defer(ephemeral=True, thinking=True)
        stored = await self.store.create(
            bracket, guild_id=guild_id, channel_id=target.id, creator_id=interaction.user.id,
            round_duration=duration, now=self.bot.clock.now(), rules=rules,
        )  # fmt: skip
        async with self._lock(stored.bracket_id):
            with speaking(await public_locale(self.bot, guild_id)):
                matches = await self._post_round(stored)
        after = await self.store.get(stored.bracket_id)
        if after is None or not after.is_open:
            reason = after.stop_reason if after is not None else None
            raise UserError(
                _("Bracket #{id} stopped: {reason}", id=stored.bracket_id, reason=reason or _("unknown reason"))
            )
        await reply(interaction, created_message(after, target.mention, matches))

    async def _managed(self, interaction: discord.Interaction, bracket: int | None) -> StoredBracket:
        stored = await self.store.in_guild(self._guild_id(interaction), bracket)
        if stored.creator_id != interaction.user.id and not interaction.permissions.manage_guild:
            raise UserError(
                _(
                    "Only the bracket's creator or someone with **{permission}** can do that.",
                    permission=permission_label("manage_guild"),
                )
            )
        if not stored.is_open:
            raise UserError(
                _(
                    "Bracket #{id} is {status}; there is nothing to do.",
                    id=stored.bracket_id,
                    status=STATUS_NAMES.get(stored.status, stored.status.value),
                )
            )
        return stored

    @bracket.command(name="create", description="Start a bracket of your entries; each match is a two-option poll.")
    @app_commands.describe(
        title="The bracket's title (up to 256 characters)",
        entries="2 to 64 entries separated by | (or ; or new lines), each up to 100 characters",
        round_duration=ROUND_HELP,
        seeding=SEEDING_HELP,
        channel="Where to post the matches (default: this channel)",
        **RULE_HELP,
    )
    @app_commands.choices(seeding=SEEDING_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction,
        title: str,
        entries: str,
        round_duration: str | None = None,
        seeding: str | None = None,
        channel: LiveTextChannel | None = None,
        role: discord.Role | None = None,
        min_account_age: AgeDays | None = None,
        min_member_age: AgeDays | None = None,
        anonymous: bool = False,
        weights: str | None = None,
    ) -> None:
        rules = voter_rules(interaction, role, min_account_age, min_member_age, anonymous, weights)
        await self._start(interaction, title, parse_entries(entries), round_duration, seeding, channel, rules)

    @bracket.command(name="mv", description="Start a bracket of music videos from the catalog.")
    @app_commands.describe(
        **CATALOG_FILTER_HELP,
        size="Take at most this many of the matching MVs (2 to 64)",
        round_duration=ROUND_HELP,
        seeding=SEEDING_HELP,
        **RULE_HELP,
    )
    @app_commands.choices(seeding=SEEDING_CHOICES)
    async def mv(
        self,
        interaction: discord.Interaction,
        year: Year | None = None,
        artist: str | None = None,
        theme: str | None = None,
        size: EntryCount | None = None,
        round_duration: str | None = None,
        seeding: str | None = None,
        role: discord.Role | None = None,
        min_account_age: AgeDays | None = None,
        min_member_age: AgeDays | None = None,
        anonymous: bool = False,
        weights: str | None = None,
    ) -> None:
        rules = voter_rules(interaction, role, min_account_age, min_member_age, anonymous, weights)
        found = await catalog_matches(self.bot, interaction.guild_id, year, artist, theme, "bracket")
        if size is None and len(found) > MAX_ENTRIES:
            raise UserError(
                _(
                    "{count} MVs match; a bracket takes at most {maximum}. Use `size` or narrow it.",
                    count=len(found),
                    maximum=MAX_ENTRIES,
                )
            )
        chosen = found[:size] if size is not None else found
        if len(chosen) < 2:
            raise UserError(_("Fewer than 2 MVs in the catalog match that; a bracket needs at least 2."))
        entries = validate_entries([mv_option_label(mv) for mv in chosen])
        parts = [str(year)] if year is not None else []
        parts += [artist] if artist else []
        parts += [theme.strip().casefold()] if theme else []
        server = await public_locale(self.bot, interaction.guild_id)
        title = render(_("MV World Cup: {filters}", filters=" ".join(parts)), server)
        await self._start(interaction, title, entries, round_duration, seeding, None, rules)

    @bracket.command(name="status", description="Show a bracket: the round being voted on, or how it ended.")
    @app_commands.describe(bracket=BRACKET_HELP)
    async def status(self, interaction: discord.Interaction, bracket: int | None = None) -> None:
        stored = await self.store.in_guild(self._guild_id(interaction), bracket)
        polls = await self.store.matches(stored, stored.round) if stored.is_open else {}
        await interaction.response.send_message(
            embed=build_status_embed(stored, polls), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @bracket.command(
        name="advance", description="Close the current round now and post the next (creator or Manage Server)."
    )
    @app_commands.describe(bracket=BRACKET_HELP)
    async def advance_command(self, interaction: discord.Interaction, bracket: int | None = None) -> None:
        stored = await self._managed(interaction, bracket)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self.advance(stored.bracket_id, round_number=stored.round):
            after = await self.store.get(stored.bracket_id)
            if after is not None and after.stop_reason:
                raise UserError(
                    _(
                        "Bracket #{id}'s round was not advanced: {reason}.",
                        id=stored.bracket_id,
                        reason=after.stop_reason,
                    )
                )
            raise UserError(_("Bracket #{id}'s round was not advanced.", id=stored.bracket_id))
        after = await self.store.get(stored.bracket_id)
        assert after is not None
        if after.is_open:
            closed = _(
                "Closed the {closed}; the {next} is up.",
                closed=stored.bracket.round_name(stored.round),
                next=after.bracket.round_name(after.round),
            )
            await reply(interaction, closed)
        elif after.bracket.champion is not None:
            champion = after.bracket.entry(after.bracket.champion)
            await reply(interaction, _("The final is closed: {champion} is the champion.", champion=champion))
        else:
            reason = after.stop_reason or _("unknown reason")
            await reply(interaction, _("Bracket #{id} stopped: {reason}", id=after.bracket_id, reason=reason))

    @bracket.command(
        name="cancel", description="Cancel a bracket and close its open matches (creator or Manage Server)."
    )
    @app_commands.describe(bracket=BRACKET_HELP)
    async def cancel(self, interaction: discord.Interaction, bracket: int | None = None) -> None:
        stored = await self._managed(interaction, bracket)
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self._lock(stored.bracket_id):
            cancelled = await self.store.cancel(stored.bracket_id, self.bot.clock.now())
            self.dispatcher.wake()
            if cancelled:
                for poll_id in (await self.store.matches(stored, stored.round)).values():
                    try:
                        await self.polls.finish_poll(poll_id)
                    except Exception:
                        log.exception("bracket %d: closing match poll %d failed", stored.bracket_id, poll_id)
        if not cancelled:
            raise UserError(_("Bracket #{id} is no longer open.", id=stored.bracket_id))
        cancelled_message = _(
            "Bracket #{id} “{title}” is cancelled.", id=stored.bracket_id, title=truncate(stored.title, 100)
        )
        await reply(interaction, cancelled_message)
