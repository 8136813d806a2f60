"""`/poll …`: polls members vote on by reacting, counted in SQLite, never drifting.

The domain (:mod:`bot.polls`) decides everything: what a reaction does, what reconciliation
changes, what the results are. This cog is the Discord side of it:

* commands: check → store/ledger → pure embed (:mod:`cogs.polls.render`) → respond;
* raw reaction events → :class:`~bot.polls.PollVoting`, then remove the reactions it says to;
* poll message edits through a :class:`~bot.polls.Coalescer` (≤ 1 per poll per 5 s);
* reconciliation of every owned poll once the bot is ready, then of one shard's polls
  whenever that shard reconnects (``on_shard_ready`` after a fresh IDENTIFY,
  ``on_shard_resumed`` after a RESUME);
* closing by a database-backed :class:`~bot.scheduler.Dispatcher`: the poll message shows
  the final counts, one results message follows with a PNG chart;
* anonymous polls: every member's reaction is removed once the ledger has counted it, the
  removals paced by a :class:`~bot.polls.pacing.Pacer` (a burst of votes never becomes a
  burst of REST calls past Discord's 50 a second; discord.py waits out any 429).

Super (burst) reactions are not votes: Discord lists their users apart from normal ones, and
reconciliation reads normal reactions only, so counting them live would make them drift.

Every message goes out with ``allowed_mentions`` none, so a role or ``@everyone`` typed into
a poll never pings. Discord failures are caught per poll: one broken poll never stops others.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import metrics
from bot.catalog import THEMES, theme_label
from bot.errors import UserError
from bot.i18n import SOURCE_LOCALE, Msg, Number, _, in_every_locale, render, speaking
from bot.i18n.interactions import public_locale
from bot.polls import (
    Coalescer,
    Poll,
    PollResults,
    PollSpec,
    PollStore,
    PollVoting,
    ReactionUser,
    Voter,
    build_poll_spec,
    can_manage,
    can_see_counts,
    compute_results,
    option_for_emoji,
    parse_duration,
    render_chart,
)
from bot.polls.coalesce import ElapsedClock
from bot.polls.pacing import Pacer
from bot.polls.render import SEPARATOR, export_csv, poll_choice_name, poll_label
from bot.polls.rules import (
    PollStatus,
    already_closed,
    message_deleted,
    spec_again,
    still_open,
)
from bot.polls.schedule import parse_start
from bot.polls.voting import LookupMember
from bot.scheduler import Dispatcher
from bot.sharding import shard_of
from bot.storyline.store import StorylineStore
from bot.ui import CATALOG_FILTER_HELP, NO_MENTIONS, choice, missing_permissions, reply
from cogs.mv.cog import Year
from cogs.polls.discord_io import (
    KnownVoters,
    PollChannel,
    is_missing,
    is_reaction_limit,
    own_reaction_options,
    read_option_reactions,
    required_permissions,
    voter_from_member,
)
from cogs.polls.options import RULE_HELP, AgeDays, Choices, LiveTextChannel, catalog_matches, voter_rules
from cogs.polls.render import (
    CHART_FILENAME,
    FINAL_RESULTS,
    build_audit_embed,
    build_hidden_results_embed,
    build_list_embed,
    build_myvotes_embed,
    build_poll_embed,
    build_results_embed,
    channel_gone_message,
    closed_message,
    created_message,
    export_filename,
    extended_message,
    missing_permissions_message,
    mv_option_label,
    mv_poll_question,
    reopened_message,
    scheduled_message,
)

if TYPE_CHECKING:
    from bot.client import LightstickBot

log = logging.getLogger(__name__)

#: The poll message is edited at most once per poll per this interval.
EDIT_INTERVAL = timedelta(seconds=5)
CHOICE_LIMIT = 25
#: Where to look for a results message posted just before a crash (it follows the close).
RESULTS_SEARCH_MARGIN = timedelta(minutes=1)
RESULTS_SEARCH_LIMIT = 50
#: Reaction removals, a REST call each, go out at most this many a second (after a burst of
#: REMOVAL_BURST), with at most REMOVAL_CONCURRENCY on their way at once (so removals held up
#: by a 429 can't pile up and leave together): Discord allows a bot 50 requests a second in
#: all, and the rest of Lightstick (edits, results, reconciliation) needs room too.
REMOVAL_RATE = 40.0
REMOVAL_BURST = 4
REMOVAL_CONCURRENCY = 4
#: A removal Discord still answers with 429 after discord.py's own retries is tried again.
REMOVAL_ATTEMPTS = 4

POLL_HELP = "The poll: type part of its question or its number and pick one"
DURATION_HELP = "How long it runs: 30m, 12h, 2d, 1w or 1d12h (1 minute to 90 days; default 24h)"
START_HELP = "Post it later (server's timezone): in 2h, tomorrow 20:00, 2026-12-24 20:00; up to 90 days ahead"

#: What can be wrong with a poll on Discord's side, shown to moderators in `/poll list`.
CANT_REMOVE = _("Lightstick can't remove reactions here (it needs Manage Messages)")
CANT_HIDE = _(
    "This anonymous poll's reactions stay visible: Lightstick can't remove them (it needs Manage Messages); "
    "votes are still counted"
)
CANT_EDIT = _("Lightstick can't edit this poll's message (check its permissions in that channel)")
CANT_READ = _("Lightstick can't read this poll's reactions (it needs View Channel and Read Message History)")
CANT_REACT = _("Lightstick couldn't add all the option reactions (it needs Add Reactions)")
CANT_POST_RESULTS = _("Lightstick couldn't post this poll's results in its channel")
CANT_POST_SCHEDULED = _("Lightstick couldn't post this scheduled poll in its channel")
TOO_MANY_REACTIONS = _(
    "The poll message has 20 different reactions (Discord's limit), so Lightstick couldn't add every option; "
    "remove the reactions that aren't options"
)
#: `/poll cancel`, `close`, `extend`, `reopen`, `again`: who may do it, per action.
ONLY_MANAGERS: dict[str, Msg] = {
    "cancel": _("Only the poll's creator or someone with **Manage Server** can cancel it."),
    "close": _("Only the poll's creator or someone with **Manage Server** can close it."),
    "extend": _("Only the poll's creator or someone with **Manage Server** can extend it."),
    "reopen": _("Only the poll's creator or someone with **Manage Server** can reopen it."),
    "repost": _("Only the poll's creator or someone with **Manage Server** can repost it."),
}


def is_poll_footer(text: str, poll_id: int) -> bool:
    """A footer of this poll's messages (`Poll #12`, `Poll #12 · closed`, `투표 #12 · …`), in any language."""
    labels = in_every_locale(lambda: poll_label(poll_id))
    return any(text == label or text.startswith(label + SEPARATOR) for label in labels)


@functools.cache
def _footer_patterns() -> tuple[re.Pattern[str], ...]:
    marker = "\x00"
    found = []
    for label in in_every_locale(lambda: poll_label(marker)):
        before, _marker, after = label.partition(marker)
        found.append(re.compile(rf"^{re.escape(before)}(\d+){re.escape(after)}(?:$|{re.escape(SEPARATOR)})"))
    return tuple(found)


def poll_id_in_footer(text: str) -> int | None:
    """The poll id a poll embed's footer names (`Poll #12 · closed`, `투표 #12`), in any language;
    None if the footer is not a poll's. For other features that look for poll messages."""
    for pattern in _footer_patterns():
        if match := pattern.match(text):
            return int(match[1])
    return None


def is_final_results_embed(title: str, footer: str, poll_id: int) -> bool:
    """The results message this poll posted when it closed, in whichever language it was posted."""
    headings = in_every_locale(lambda: FINAL_RESULTS)
    labels = in_every_locale(lambda: poll_label(poll_id))
    return footer in labels and any(title.startswith(heading) for heading in headings)


class PollsCog(commands.Cog, name="Polls"):
    """Reaction polls: create, vote by reacting, close on time, results with a chart."""

    poll = app_commands.Group(
        name="poll",
        description="Polls members vote on by reacting; results close by themselves.",
        guild_only=True,
    )

    def __init__(self, bot: LightstickBot) -> None:
        self.bot = bot
        self.store = PollStore(bot.db, owner=bot.ownership)
        self.voting = PollVoting(self.store, bot.clock, on_change=self._counts_changed)
        self.coalescer = self._new_coalescer(EDIT_INTERVAL)
        self.dispatcher = Dispatcher("polls", bot.clock, self.store.next_close_at, self._close_due)
        #: Posts scheduled polls (`start:`) at their start, exactly once (a claim per poll).
        self.starter = Dispatcher("poll starts", bot.clock, self.store.next_start_at, self._start_due)
        self._starting: set[int] = set()
        self.storyline = StorylineStore(bot.db)
        self.known_voters = KnownVoters()
        #: poll_id → what is wrong with it on Discord's side (shown in /poll list).
        self.problems: dict[int, Msg] = {}
        self.reconcile_passes = 0
        self.member_lookups = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._announcing: set[int] = set()
        self._shown: dict[int, dict[str, Any]] = {}
        #: poll_id → options whose reaction Discord refused for the 20-emoji limit (added
        #: again when a reaction goes away and frees a place).
        self._unplaced: dict[int, list[int]] = {}
        self._reconcile_lock = asyncio.Lock()
        #: Reconciliations asked for during a pass: of every owned poll, and of shards' polls (why).
        self._reconcile_everything: str | None = None
        self._reconcile_shards: dict[int, str] = {}
        self._ready_shards: set[int] = set()
        self._closing = False
        #: Paces reaction removals (anonymous polls remove every vote's reaction).
        self.removal_pacer = Pacer(REMOVAL_RATE, REMOVAL_BURST)
        self._removal_slots = asyncio.Semaphore(REMOVAL_CONCURRENCY)
        #: Reaction removals waiting for their turn or on their way.
        self.removals_in_flight = 0

    # -- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self._ready_shards = set(self.bot.shards) if self.bot.is_ready() else set()
        await self.voting.load()
        self.dispatcher.start()
        self.starter.start()
        self._spawn(self._after_ready(), "polls:start")

    async def cog_unload(self) -> None:
        """Stop the scheduler and background work, then write every pending vote."""
        self._closing = True
        await self.dispatcher.stop()
        await self.starter.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.coalescer.aclose()
        try:
            await self.voting.aclose()
        except Exception:
            log.exception("could not write %d pending poll votes on shutdown", self.voting.writer.pending)

    async def _after_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self._announce_unannounced()
        await self._recover_claimed()
        await self.reconcile_all("start")

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        """A fresh IDENTIFY of a shard that was ready before (the first start is handled by the
        start-up task): events for its guilds may have been lost."""
        if shard_id in self._ready_shards:
            self._spawn(self.reconcile_all("identified again", shard_id=shard_id), "polls:reconcile")
        self._ready_shards.add(shard_id)

    @commands.Cog.listener()
    async def on_shard_resumed(self, shard_id: int) -> None:
        self._spawn(self.reconcile_all("resumed", shard_id=shard_id), "polls:reconcile")

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def wait_idle(self) -> None:
        """Wait until background work is done and every vote is written (tests, benchmarks)."""
        while self._tasks or self.removals_in_flight:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
            if self.removals_in_flight:
                await asyncio.sleep(0.01)
        await self.voting.flush()
        await self.coalescer.wait_idle()

    def _new_coalescer(self, interval: timedelta) -> Coalescer[int]:
        # Real seconds, not the bot's clock: the interval paces REST calls to Discord.
        return Coalescer(self._refresh_poll_message, ElapsedClock(), interval, name="poll message edit")

    async def set_edit_interval(self, interval: timedelta) -> None:
        """Change the minimum time between two edits of one poll message (tests shorten it)."""
        await self.coalescer.aclose()
        self.coalescer = self._new_coalescer(interval)

    # -- where a poll lives ---------------------------------------------------------------

    def _cached_channel(
        self, poll: Poll
    ) -> tuple[discord.Guild | None, discord.abc.GuildChannel | discord.Thread | None]:
        """The poll's guild and channel (or thread) from the cache, either may be None."""
        guild = self.bot.get_guild(poll.guild_id)
        return guild, guild.get_channel_or_thread(poll.channel_id) if guild else None

    def _channel(self, poll: Poll) -> PollChannel:
        _guild, channel = self._cached_channel(poll)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            return channel
        return self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)

    def _poll_message(self, poll: Poll) -> discord.PartialMessage:
        assert poll.message_id is not None
        return self._channel(poll).get_partial_message(poll.message_id)

    def _bot_permissions(self, poll: Poll) -> discord.Permissions | None:
        """Lightstick's permissions in the poll's channel, if the channel is cached."""
        guild, channel = self._cached_channel(poll)
        if guild is None or channel is None:
            return None
        return channel.permissions_for(guild.me)

    def _can_remove_reactions(self, poll: Poll) -> bool:
        permissions = self._bot_permissions(poll)
        return permissions is None or permissions.manage_messages

    def _note_problem(self, poll: Poll, problem: Msg, error: Exception | None = None) -> None:
        self.problems[poll.poll_id] = problem
        log.warning("poll %d in guild %d: %s (%s)", poll.poll_id, poll.guild_id, render(problem, SOURCE_LOCALE), error)

    # -- the poll message -----------------------------------------------------------------

    def poll_embed(self, poll: Poll, results: PollResults | None) -> discord.Embed:
        """The public poll message: counts only when members may see them. Build it inside
        the server's language (:meth:`_speaking_for`)."""
        shown = results if can_see_counts(poll, has_manage_guild=False) else None
        return build_poll_embed(poll, shown, can_remove_reactions=self._can_remove_reactions(poll))

    def _counts_changed(self, poll: Poll) -> None:
        if not self._closing:
            self.coalescer.request(poll.poll_id)

    async def _refresh_poll_message(self, poll_id: int) -> None:
        """The coalesced edit: the poll message shows the ledger's live counts."""
        poll = self.voting.poll(poll_id)
        results = self.voting.live_results(poll_id)
        if poll is None or results is None:
            return  # closed meanwhile: the close shows the final counts
        with speaking(await public_locale(self.bot, poll.guild_id)):
            await self._edit_poll_message(poll, self.poll_embed(poll, results))

    async def _edit_poll_message(self, poll: Poll, embed: discord.Embed) -> bool:
        """Edit the poll message unless it already shows exactly this. Never raises for
        Discord's errors: a deleted message closes the poll (marked), others are noted."""
        payload: dict[str, Any] = dict(embed.to_dict())
        if poll.message_id is None or self._shown.get(poll.poll_id) == payload:
            return True
        try:
            await self._poll_message(poll).edit(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            if is_missing(error):
                log.info("poll %d: its message is gone; closing it as missing", poll.poll_id)
                self._spawn(self.finish_poll(poll.poll_id, missing=True), f"polls:missing:{poll.poll_id}")
            else:
                self._note_problem(poll, CANT_EDIT, error)
            return False
        self._shown[poll.poll_id] = payload
        if self.problems.get(poll.poll_id) == CANT_EDIT:
            del self.problems[poll.poll_id]
        return True

    async def _add_option_reactions(self, poll: Poll, options: Sequence[int] | None = None) -> None:
        """Add the option reactions in order (members tap them to vote)."""
        message = self._poll_message(poll)
        todo = list(options) if options is not None else list(range(len(poll.options)))
        for index, option in enumerate(todo):
            try:
                await message.add_reaction(poll.emojis[option])
            except discord.HTTPException as error:
                if is_reaction_limit(error):
                    self._unplaced[poll.poll_id] = todo[index:]
                    self._note_problem(poll, TOO_MANY_REACTIONS, error)
                elif not is_missing(error):
                    self._note_problem(poll, CANT_REACT, error)
                return
        self._unplaced.pop(poll.poll_id, None)
        if self.problems.get(poll.poll_id) == TOO_MANY_REACTIONS:
            del self.problems[poll.poll_id]

    async def _remove_reaction(
        self, poll: Poll, user_id: int, emoji: str | discord.PartialEmoji, option: int | None
    ) -> None:
        """Remove a member's reaction the rules don't count (on an anonymous poll: every
        member's reaction, once counted). Without Manage Messages (or if Discord refuses) the
        reaction stays; the ledger stops expecting its removal. Removals are paced."""
        if not self._can_remove_reactions(poll):
            if option is not None:
                self.voting.removal_failed(poll.poll_id, user_id, option)
            if poll.anonymous and self.problems.get(poll.poll_id) != CANT_HIDE:
                self._note_problem(poll, CANT_HIDE)
            return
        self.removals_in_flight += 1
        try:
            error = await self._remove_paced(poll, user_id, emoji)
        finally:
            self.removals_in_flight -= 1
        if error is None:
            return
        if option is not None:
            self.voting.removal_failed(poll.poll_id, user_id, option)
        if isinstance(error, discord.Forbidden):
            self._note_problem(poll, CANT_HIDE if poll.anonymous else CANT_REMOVE, error)
        else:
            log.info("poll %d: could not remove a reaction of %d: %s", poll.poll_id, user_id, error)

    async def _remove_paced(
        self, poll: Poll, user_id: int, emoji: str | discord.PartialEmoji
    ) -> discord.DiscordException | None:
        """One removal in its turn. discord.py waits out a 429 and tries again up to 5 times;
        if Discord still says 429, wait and go again (REMOVAL_ATTEMPTS in all). The error
        that stopped it, or None."""
        for attempt in range(1, REMOVAL_ATTEMPTS + 1):
            try:
                async with self._removal_slots:
                    await self.removal_pacer.wait()
                    await self._poll_message(poll).remove_reaction(emoji, discord.Object(user_id))
                return None
            except discord.RateLimited as error:  # a retry_after longer than discord.py waits for
                if attempt == REMOVAL_ATTEMPTS:
                    return error
                await asyncio.sleep(error.retry_after)
            except discord.HTTPException as error:
                if error.status != 429 or attempt == REMOVAL_ATTEMPTS:
                    return error
                await asyncio.sleep(attempt)
        return None

    # -- reaction events ------------------------------------------------------------------

    def _is_own(self, user_id: int) -> bool:
        return self.bot.user is not None and user_id == self.bot.user.id

    def _event_voter(self, payload: discord.RawReactionActionEvent) -> Voter:
        if payload.member is not None:
            voter = voter_from_member(payload.member)
            if payload.guild_id is not None:
                self.known_voters.remember(payload.guild_id, voter)
            return voter
        known = self.known_voters.get(payload.guild_id or 0, payload.user_id)
        return known or Voter(payload.user_id)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self._closing or payload.guild_id is None or self._is_own(payload.user_id) or payload.burst:
            return
        if self.voting.poll_for_message(payload.message_id) is None:
            return  # not an open poll: most reactions in a server are not votes
        outcome = self.voting.reaction_added(payload.message_id, str(payload.emoji), self._event_voter(payload))
        if outcome is None:
            return
        metrics.VOTES_INGESTED.inc()
        if outcome.remove_trigger:
            await self._remove_reaction(outcome.poll, payload.user_id, payload.emoji, outcome.option)
        for option in outcome.remove_options:
            await self._remove_reaction(outcome.poll, payload.user_id, outcome.poll.emojis[option], option)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self._closing or payload.guild_id is None or self._is_own(payload.user_id) or payload.burst:
            return
        if self.voting.reaction_removed(payload.message_id, payload.user_id, str(payload.emoji)) is not None:
            metrics.VOTES_INGESTED.inc()
        poll = self.voting.poll_for_message(payload.message_id)
        if poll is not None and poll.poll_id in self._unplaced:  # a place among the 20 emoji may be free
            unplaced = self._unplaced.pop(poll.poll_id)
            self._spawn(self._add_option_reactions(poll, unplaced), f"polls:react:{poll.poll_id}")

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        """A moderator removed every reaction: those votes are gone; put the options back."""
        poll = self.voting.poll_for_message(payload.message_id)
        if poll is None or self._closing:
            return
        self.voting.reactions_cleared(payload.message_id)
        await self._add_option_reactions(poll)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(self, payload: discord.RawReactionClearEmojiEvent) -> None:
        poll = self.voting.poll_for_message(payload.message_id)
        if poll is None or self._closing:
            return
        self.voting.reactions_cleared(payload.message_id, str(payload.emoji))
        option = option_for_emoji(poll, str(payload.emoji))
        if option is not None:
            await self._add_option_reactions(poll, [option])

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._close_missing_messages([payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self._close_missing_messages(payload.message_ids)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        for poll in self.voting.tracked:
            if poll.channel_id == channel.id:
                await self._finish_safely(poll.poll_id, missing=True)

    async def _close_missing_messages(self, message_ids: Sequence[int] | set[int]) -> None:
        for message_id in message_ids:
            poll = self.voting.poll_for_message(message_id)
            if poll is not None:
                log.info("poll %d: its message was deleted; closing it as missing", poll.poll_id)
                await self._finish_safely(poll.poll_id, missing=True)

    # -- reconciliation -------------------------------------------------------------------

    async def reconcile_all(self, reason: str, *, shard_id: int | None = None) -> None:
        """Make every owned open poll's votes match its reactions, or only those in shard
        `shard_id`'s guilds. Requests during a pass make one more pass after it (a reconnect
        mid-pass may have lost events the pass already read)."""
        if shard_id is None:
            self._reconcile_everything = reason
        else:
            self._reconcile_shards[shard_id] = reason
        if self._reconcile_lock.locked():
            return
        async with self._reconcile_lock:
            while self._reconcile_everything is not None or self._reconcile_shards:
                everything = self._reconcile_everything is not None
                covered = metrics.process_shards(self.bot) if everything else sorted(self._reconcile_shards)
                polls = self._polls_to_reconcile()
                for poll in polls:
                    await self.reconcile_poll(poll)
                self.reconcile_passes += 1
                metrics.count_reconciliation(covered)

    def _polls_to_reconcile(self) -> list[Poll]:
        """The open polls the pending requests cover (taking the requests), logged per shard."""
        everything, self._reconcile_everything = self._reconcile_everything, None
        shards, self._reconcile_shards = self._reconcile_shards, {}
        ownership = self.bot.ownership
        owned = [poll for poll in self.voting.tracked if ownership.owns(poll.guild_id)]
        if everything is not None:
            log.info("reconciling %d open polls (%s)", len(owned), everything)
            return owned
        chosen: list[Poll] = []
        for shard_id, reason in sorted(shards.items()):
            polls = [poll for poll in owned if shard_of(poll.guild_id, ownership.shard_count) == shard_id]
            log.info("shard %d: %s; reconciling %d open polls", shard_id, reason, len(polls))
            chosen.extend(polls)
        return chosen

    async def reconcile_poll(self, poll: Poll) -> None:
        """Read one poll's reactions (100 users a call) and fix the ledger; never raises."""
        fetched: list[discord.Message] = []

        async def read_reactions() -> dict[int, list[ReactionUser]]:
            assert poll.message_id is not None
            message = await self._channel(poll).fetch_message(poll.message_id)
            fetched.append(message)
            return await read_option_reactions(poll, message)

        lookup = self._member_lookup(poll) if poll.needs_member_lookup else None
        try:
            report = await self.voting.reconcile(poll.poll_id, read_reactions, lookup)
        except discord.HTTPException as error:
            if is_missing(error):
                log.info("poll %d: its message or channel is gone; closing it as missing", poll.poll_id)
                await self._finish_safely(poll.poll_id, missing=True)
            else:
                self._note_problem(poll, CANT_READ, error)
            return
        except Exception:
            log.exception("reconciling poll %d failed; the next reconnect tries again", poll.poll_id)
            return
        if report is None:
            return
        for user_id, option in report.remove_reactions:
            await self._remove_reaction(report.poll, user_id, report.poll.emojis[option], option)
        if fetched:
            mine = own_reaction_options(report.poll, fetched[0])
            missing = [option for option in range(len(report.poll.options)) if option not in mine]
            if missing:
                await self._add_option_reactions(report.poll, missing)

    def _member_lookup(self, poll: Poll) -> LookupMember:
        async def lookup(user_id: int) -> Voter | None:
            known = self.known_voters.get(poll.guild_id, user_id)
            if known is not None:
                return known
            guild = self.bot.get_guild(poll.guild_id)
            if guild is None:
                raise LookupError(f"server {poll.guild_id} is not available")
            member = guild.get_member(user_id)
            if member is None:
                self.member_lookups += 1
                try:
                    member = await guild.fetch_member(user_id)
                except discord.NotFound:
                    return None
            voter = voter_from_member(member)
            self.known_voters.remember(poll.guild_id, voter)
            return voter

        return lookup

    # -- scheduled polls (`start:`) ------------------------------------------------------

    async def _start_due(self, now: datetime) -> None:
        """The start dispatcher's work: post every scheduled poll past its start, once each
        (claimed in one transaction first, so another process or a restart never posts it too)."""
        await self.bot.wait_until_ready()
        failed = []
        for poll in await self.store.due_starts(now):
            if poll.poll_id in self._starting:
                continue
            self._starting.add(poll.poll_id)
            try:
                claimed = await self.store.claim_start(poll, now)
                if claimed is not None:
                    await self._post_scheduled(claimed)
            except Exception:
                log.exception("posting scheduled poll %d failed", poll.poll_id)
                failed.append(poll.poll_id)
            finally:
                self._starting.discard(poll.poll_id)
        if failed:  # the dispatcher logs it and backs off
            raise RuntimeError(f"posting scheduled polls {failed} failed")

    async def _post_scheduled(self, poll: Poll) -> None:
        """Post a claimed scheduled poll; if Discord refuses, it is closed as missing (noted)."""
        try:
            await self._publish(poll, self._channel(poll))
        except discord.HTTPException as error:
            self._note_problem(poll, CANT_POST_SCHEDULED, error)
            await self.store.close(poll.poll_id, self.bot.clock.now(), missing=True)
            return
        log.info("scheduled poll %d posted in guild %d", poll.poll_id, poll.guild_id)

    async def _recover_claimed(self) -> None:
        """Scheduled polls claimed just before a crash but never recorded as posted: record the
        message already posted, if any (the channel's recent messages), or post it now."""
        for stale, claimed_at in await self.store.claimed_unposted():
            if stale.poll_id in self._starting:
                continue
            self._starting.add(stale.poll_id)
            try:
                poll = await self.store.get(stale.poll_id)
                if poll is None or not poll.is_scheduled:
                    continue
                posted = await self._posted_poll_message(poll, claimed_at)
                if posted is None:
                    await self._post_scheduled(poll)
                    continue
                log.info("scheduled poll %d: found its message %d; not posting again", poll.poll_id, posted)
                attached = await self.voting.attach_message(poll, posted)
                self.dispatcher.wake()
                self._spawn(self._add_option_reactions(attached), f"polls:react:{attached.poll_id}")
            except Exception:
                log.exception("scheduled poll %d: recovery failed; the next start tries again", stale.poll_id)
            finally:
                self._starting.discard(stale.poll_id)

    async def _posted_poll_message(self, poll: Poll, claimed_at: datetime) -> int | None:
        """The id of a poll message Lightstick posted for this poll since it was claimed (in
        whichever language it was posted)."""

        def is_poll(embed: discord.Embed) -> bool:
            return is_poll_footer(embed.footer.text or "", poll.poll_id) and embed.title == poll.question

        return await self._own_message_since(poll, claimed_at, is_poll, "message")

    async def _own_message_since(
        self, poll: Poll, since: datetime, wanted: Callable[[discord.Embed], bool], what: str
    ) -> int | None:
        """The first message Lightstick posted in the poll's channel from a little before `since`
        whose embed is `wanted` (one REST call), or None; used after a crash, to post nothing twice."""
        if self.bot.user is None:
            return None
        after = discord.Object(discord.utils.time_snowflake(since - RESULTS_SEARCH_MARGIN))
        try:
            async for message in self._channel(poll).history(limit=RESULTS_SEARCH_LIMIT, after=after):
                if message.author.id == self.bot.user.id and message.embeds and wanted(message.embeds[0]):
                    return message.id
        except discord.HTTPException as error:
            log.info("poll %d: could not look for an earlier %s: %s", poll.poll_id, what, error)
        return None

    async def _server_zone(self, guild_id: int) -> tuple[tzinfo, str]:
        """The server's timezone (its storyline timezone), else UTC."""
        settings = await self.storyline.settings(guild_id)
        if settings is None:
            return UTC, "UTC"
        return settings.tz, settings.timezone

    async def _start_of(self, interaction: discord.Interaction, start: str | None) -> tuple[datetime, str] | None:
        """`start:` read in the server's timezone: (UTC start, zone name), or None if not given."""
        if start is None or not start.strip():
            return None
        tz, zone = await self._server_zone(self._guild_id(interaction))
        return parse_start(start, self.bot.clock.now(), tz), zone

    async def schedule_poll(
        self, target: discord.TextChannel | discord.Thread, spec: PollSpec, *, creator_id: int, starts_at: datetime
    ) -> Poll:
        """Store a poll to be posted at `starts_at` by the start dispatcher."""
        poll = await self.store.create(
            spec, guild_id=target.guild.id, channel_id=target.id, creator_id=creator_id,
            now=self.bot.clock.now(), starts_at=starts_at,
        )  # fmt: skip
        self.starter.wake()
        log.info("poll %d scheduled in guild %d for %s", poll.poll_id, poll.guild_id, starts_at.isoformat())
        return poll

    async def _post_or_schedule(
        self, interaction: discord.Interaction, target: discord.TextChannel | discord.Thread, spec: PollSpec,
        start: tuple[datetime, str] | None,
    ) -> None:  # fmt: skip
        await interaction.response.defer(ephemeral=True, thinking=True)
        if start is None:
            poll = await self.post_poll(target, spec, creator_id=interaction.user.id)
            await reply(interaction, created_message(poll))
            return
        starts_at, zone = start
        poll = await self.schedule_poll(target, spec, creator_id=interaction.user.id, starts_at=starts_at)
        tz, _zone = await self._server_zone(poll.guild_id)
        await reply(interaction, scheduled_message(poll, tz, zone))

    # -- closing --------------------------------------------------------------------------

    async def _close_due(self, now: datetime) -> None:
        """The dispatcher's work: close every poll past its deadline (exactly once each)."""
        await self.bot.wait_until_ready()
        due = await self.store.due_polls(now)
        failed = [poll.poll_id for poll in due if not await self._finish_safely(poll.poll_id)]
        if failed:  # the dispatcher logs it and backs off, so a persistent fault can't spin
            raise RuntimeError(f"closing polls {failed} failed")

    async def _finish_safely(self, poll_id: int, *, missing: bool = False) -> bool:
        """:meth:`finish_poll` for background work: one poll's fault is logged, never passed on
        to the loop that serves the other polls. False if it failed."""
        try:
            await self.finish_poll(poll_id, missing=missing)
        except Exception:
            log.exception("closing poll %d failed", poll_id)
            return False
        return True

    async def finish_poll(self, poll_id: int, *, missing: bool = False) -> bool:
        """Close a poll (True only for the one caller that closed it) and, unless its message
        or channel is gone, show the final counts and post the results once (a quiet poll:
        no results message, whichever path closes it)."""
        if poll_id in self._announcing:
            return False
        self._announcing.add(poll_id)
        try:
            if not await self.voting.close(poll_id, missing=missing):
                return False
            self.dispatcher.wake()
            await self.coalescer.cancel(poll_id)
            if not missing:
                await self._announce(poll_id)
            return True
        finally:
            self._announcing.discard(poll_id)
            self._shown.pop(poll_id, None)
            self._unplaced.pop(poll_id, None)
            self.problems.pop(poll_id, None)

    async def _announce_unannounced(self) -> None:
        """Polls closed just before a crash or shutdown whose results message was not recorded:
        record the one already posted, if the crash came between posting and recording, or
        post it now. Either way the results appear once."""
        for poll in await self.store.unannounced():
            if poll.poll_id in self._announcing:
                continue
            self._announcing.add(poll.poll_id)
            try:
                posted = None if poll.quiet else await self._posted_results(poll)
                if posted is not None:
                    await self.store.set_results_message(poll.poll_id, posted)
                    log.info("poll %d: found its results message %d; not posting again", poll.poll_id, posted)
                else:
                    await self._announce(poll.poll_id)
            except Exception:
                log.exception("poll %d: posting its results failed; the next start tries again", poll.poll_id)
            finally:
                self._announcing.discard(poll.poll_id)

    async def _posted_results(self, poll: Poll) -> int | None:
        """The id of a results message Lightstick posted for this poll since it closed, or None."""
        if poll.closed_at is None:
            return None

        def is_results(embed: discord.Embed) -> bool:
            return is_final_results_embed(embed.title or "", embed.footer.text or "", poll.poll_id)

        return await self._own_message_since(poll, poll.closed_at, is_results, "results message")

    async def _announce(self, poll_id: int) -> None:
        """The poll message shows the final counts; the results message follows, unless the
        poll is quiet (another feature reports its results): then the edit is all, recorded.
        Both in the server's language."""
        poll = await self.store.get(poll_id)
        if poll is None:
            return
        results = await self.store.tally(poll)
        with speaking(await public_locale(self.bot, poll.guild_id)):
            final = build_poll_embed(poll, results)
            shown = poll.message_id is not None and await self._edit_poll_message(poll, final)
            if not poll.quiet:
                await self._post_results(poll, results)
                return
        if shown and poll.message_id is not None:
            await self.store.set_results_message(poll.poll_id, poll.message_id)
            log.info("poll %d closed quietly (%d voters)", poll.poll_id, results.turnout)

    async def _post_results(self, poll: Poll, results: PollResults) -> None:
        """The results message with its chart; call it inside the server's language (the
        chart is drawn in a thread, which carries the language along)."""
        permissions = self._bot_permissions(poll)
        with_chart = permissions is None or permissions.attach_files
        files: list[discord.File] = []
        if with_chart:
            try:
                png = await asyncio.to_thread(render_chart, results)
                files.append(discord.File(io.BytesIO(png), filename=CHART_FILENAME))
            except Exception:
                log.exception("poll %d: the results chart could not be drawn", poll.poll_id)
                with_chart = False
        embed = build_results_embed(poll, results, with_chart=with_chart)
        extra: dict[str, Any] = {}
        if poll.message_id is not None:  # reply to the poll, without pinging anyone
            extra["reference"] = discord.MessageReference(
                message_id=poll.message_id, channel_id=poll.channel_id, guild_id=poll.guild_id,
                fail_if_not_exists=False,
            )  # fmt: skip
            extra["mention_author"] = False
        try:
            message = await self._channel(poll).send(embed=embed, files=files, allowed_mentions=NO_MENTIONS, **extra)
        except discord.HTTPException as error:
            self._note_problem(poll, CANT_POST_RESULTS, error)
            return
        await self.store.set_results_message(poll.poll_id, message.id)
        log.info("poll %d closed: results posted (%d voters)", poll.poll_id, results.turnout)

    # -- command helpers ------------------------------------------------------------------

    @staticmethod
    def _guild_id(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:
            raise UserError(_("Polls only work inside a server."))
        return interaction.guild_id

    @staticmethod
    def _is_moderator(interaction: discord.Interaction) -> bool:
        return interaction.permissions.manage_guild

    async def _resolve(self, interaction: discord.Interaction, ref: str) -> Poll:
        return await self.store.resolve(self._guild_id(interaction), ref)

    def _target_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None
    ) -> tuple[discord.TextChannel | discord.Thread, discord.Permissions]:
        """Where the poll goes and Lightstick's permissions there."""
        if channel is not None and channel.id != interaction.channel_id:
            return channel, channel.permissions_for(channel.guild.me)
        here = interaction.channel
        if not isinstance(here, discord.TextChannel | discord.Thread):
            raise UserError(_("Polls can be posted in text channels and threads; pick one with `channel`."))
        return here, interaction.app_permissions

    @staticmethod
    def _live_channel(option: app_commands.AppCommandChannel | None) -> discord.TextChannel | None:
        """The cached channel behind a `channel` option (None: no option given)."""
        if option is None:
            return None
        channel = option.resolve()
        if not isinstance(channel, discord.TextChannel):
            raise UserError(channel_gone_message(option.mention))
        return channel

    def preflight(
        self,
        interaction: discord.Interaction,
        option: app_commands.AppCommandChannel | None,
        *,
        anonymous: bool = False,
    ) -> discord.TextChannel | discord.Thread:
        target, permissions = self._target_channel(interaction, self._live_channel(option))
        self._check_permissions(target, permissions, anonymous=anonymous)
        return target

    @staticmethod
    def _check_permissions(
        target: discord.TextChannel | discord.Thread, permissions: discord.Permissions, *, anonymous: bool
    ) -> None:
        """Refuse a channel where Lightstick lacks what the poll needs, naming each permission
        (an anonymous poll also needs Manage Messages, to remove every reaction)."""
        missing = missing_permissions(permissions, required_permissions(target, anonymous=anonymous))
        if missing:
            raise UserError(missing_permissions_message(target.mention, missing, anonymous=anonymous))

    def _existing_channel(self, poll: Poll) -> discord.TextChannel | discord.Thread:
        """The channel of an existing poll, from the cache, or a UserError naming it."""
        _guild, channel = self._cached_channel(poll)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise UserError(channel_gone_message(f"<#{poll.channel_id}>"))
        return channel

    async def post_poll(self, target: discord.TextChannel | discord.Thread, spec: PollSpec, *, creator_id: int) -> Poll:
        """Store the poll, post its message, start counting, add the reactions (background).

        The one way a poll is posted: by `/poll` commands and by other features (brackets).
        The message speaks the server's language, whatever the caller's.
        """
        guild_id = target.guild.id
        poll = await self.store.create(
            spec, guild_id=guild_id, channel_id=target.id, creator_id=creator_id, now=self.bot.clock.now()
        )
        try:
            return await self._publish(poll, target)
        except discord.HTTPException as error:
            await self.store.discard_unposted(poll.poll_id)
            log.warning("poll %d could not be posted in %d: %s", poll.poll_id, target.id, error)
            if is_missing(error):
                raise UserError(channel_gone_message(target.mention)) from error
            raise UserError(
                _(
                    "Discord refused the poll message in {channel}; check my permissions there and try again.",
                    channel=target.mention,
                )
            ) from error

    async def _publish(self, poll: Poll, target: PollChannel) -> Poll:
        """Send a stored poll's message, start counting, add the reactions (background).
        Discord's errors are passed on."""
        guild_id = poll.guild_id
        with speaking(await public_locale(self.bot, guild_id)):
            embed = self.poll_embed(poll, compute_results(poll, [0] * len(poll.options), 0))
            message = await target.send(embed=embed, allowed_mentions=NO_MENTIONS)
        poll = await self.voting.attach_message(poll, message.id)
        self._shown[poll.poll_id] = dict(embed.to_dict())
        self.dispatcher.wake()
        self._spawn(self._add_option_reactions(poll), f"polls:react:{poll.poll_id}")
        log.info("poll %d created in guild %d (%d options)", poll.poll_id, guild_id, len(poll.options))
        return poll

    def _require_manager(self, interaction: discord.Interaction, poll: Poll, action: str) -> None:
        if not can_manage(poll, interaction.user.id, self._is_moderator(interaction)):
            raise UserError(ONLY_MANAGERS[action])

    # -- autocomplete ---------------------------------------------------------------------

    async def poll_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = await self.store.search(interaction.guild_id, current, limit=CHOICE_LIMIT)
        return [app_commands.Choice(name=poll_choice_name(summary), value=str(summary.poll_id)) for summary in found]

    async def artist_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        catalog = await self.bot.catalogs.get(interaction.guild_id)  # with this server's own entries
        ranked = catalog.artists_matching(current, CHOICE_LIMIT)
        return [choice(name, name) for name in ranked]

    async def theme_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        key = current.strip().casefold()
        themes = sorted(THEMES)
        names = {theme: str(theme_label(theme)) for theme in themes}  # in the member's language
        starts = [t for t in themes if t.startswith(key) or names[t].casefold().startswith(key)]
        ranked = starts + [t for t in themes if t not in starts and (key in t or key in names[t].casefold())]
        return [choice(names[t], t) for t in ranked[:CHOICE_LIMIT]]

    # -- commands -------------------------------------------------------------------------

    @poll.command(name="create", description="Post a poll members vote on by reacting with the option emoji.")
    @app_commands.describe(
        question="The question (up to 256 characters)",
        options="2 to 20 options separated by | (or ; or new lines), each up to 100 characters",
        duration=DURATION_HELP,
        choices="How many options each member may pick (default 1)",
        hide_results="Hide the counts until the poll closes (Manage Server still sees them)",
        channel="Where to post the poll (default: this channel)",
        start=START_HELP,
        **RULE_HELP,
    )
    async def create(
        self,
        interaction: discord.Interaction,
        question: str,
        options: str,
        duration: str | None = None,
        choices: Choices | None = None,
        hide_results: bool = False,
        role: discord.Role | None = None,
        min_account_age: AgeDays | None = None,
        min_member_age: AgeDays | None = None,
        channel: LiveTextChannel | None = None,
        anonymous: bool = False,
        weights: str | None = None,
        start: str | None = None,
    ) -> None:
        rules = voter_rules(interaction, role, min_account_age, min_member_age, anonymous, weights)
        spec = build_poll_spec(question, options, duration, choices, hide_results, rules=rules)
        target = self.preflight(interaction, channel, anonymous=spec.anonymous)
        await self._post_or_schedule(interaction, target, spec, await self._start_of(interaction, start))

    @poll.command(name="mv", description="Post a poll of music videos from the catalog (by year, artist or theme).")
    @app_commands.describe(
        **CATALOG_FILTER_HELP,
        question="The question (default: Which is the best K-pop music video of <year>?)",
        duration=DURATION_HELP,
        start=START_HELP,
    )
    async def mv(
        self,
        interaction: discord.Interaction,
        year: Year | None = None,
        artist: str | None = None,
        theme: str | None = None,
        question: str | None = None,
        duration: str | None = None,
        start: str | None = None,
    ) -> None:
        found = await catalog_matches(self.bot, interaction.guild_id, year, artist, theme, "poll")
        if len(found) < 2:
            raise UserError(
                _("Fewer than 2 MVs in the catalog match that; a poll needs at least 2. Try fewer filters.")
            )
        if len(found) > 20:
            raise UserError(
                _(
                    "{count} MVs match; a poll can have at most 20 options. "
                    "Narrow it with `year`, `artist` or `theme`.",
                    count=Number(len(found)),
                )
            )
        if not question:  # the default question is posted: in the server's language
            with speaking(await public_locale(self.bot, interaction.guild_id)):
                question = mv_poll_question(year=year, artist=artist, theme=theme)
        spec = build_poll_spec(question, [mv_option_label(mv) for mv in found], duration)
        target = self.preflight(interaction, None)
        await self._post_or_schedule(interaction, target, spec, await self._start_of(interaction, start))

    @poll.command(name="results", description="Show a poll's results (hidden ones only once it closes).")
    @app_commands.describe(poll=POLL_HELP)
    async def results(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        if not can_see_counts(found, self._is_moderator(interaction)):
            await reply(interaction, embed=build_hidden_results_embed(found))
            return
        results = await self.voting.results(found)
        await reply(interaction, embed=build_results_embed(found, results, with_chart=False))

    @poll.command(name="list", description="List this server's open and scheduled polls.")
    async def list_polls(self, interaction: discord.Interaction) -> None:
        polls = await self.store.list_open(self._guild_id(interaction))
        scheduled = await self.store.list_scheduled(self._guild_id(interaction))
        problems = self.problems if self._is_moderator(interaction) else {}
        await reply(interaction, embed=build_list_embed(polls, problems, scheduled))

    @poll.command(name="cancel", description="Cancel a scheduled poll before it is posted (creator or Manage Server).")
    @app_commands.describe(poll=POLL_HELP)
    async def cancel(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        self._require_manager(interaction, found, "cancel")
        if found.message_id is not None:
            raise UserError(_("Poll #{id} is already posted; use `/poll close` to end it.", id=found.poll_id))
        if found.cancelled_at is not None:
            raise UserError(_("Poll #{id} is already cancelled.", id=found.poll_id))
        if not found.is_scheduled:
            raise UserError(_("Poll #{id} is not a scheduled poll waiting to be posted.", id=found.poll_id))
        if found.poll_id in self._starting or not await self.store.cancel(found.poll_id, self.bot.clock.now()):
            raise UserError(_("Poll #{id} is being posted right now; use `/poll close` to end it.", id=found.poll_id))
        self.starter.wake()
        log.info("scheduled poll %d cancelled", found.poll_id)
        await reply(interaction, _("Scheduled poll #{id} is cancelled; it won't be posted.", id=found.poll_id))

    @poll.command(name="close", description="Close a poll now and post its results (creator or Manage Server).")
    @app_commands.describe(poll=POLL_HELP)
    async def close(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        self._require_manager(interaction, found, "close")
        if found.is_scheduled:
            raise UserError(
                _("Poll #{id} is scheduled and not posted yet; use `/poll cancel` to cancel it.", id=found.poll_id)
            )
        if not found.is_open:
            raise UserError(already_closed(found.poll_id))
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self.finish_poll(found.poll_id):
            raise UserError(already_closed(found.poll_id))
        await reply(interaction, closed_message(found))

    @poll.command(name="extend", description="Give a poll more time (creator or Manage Server).")
    @app_commands.describe(poll=POLL_HELP, duration="How much longer: 30m, 12h, 2d, 1w or 1d12h")
    async def extend(self, interaction: discord.Interaction, poll: str, duration: str) -> None:
        found = await self._resolve(interaction, poll)
        self._require_manager(interaction, found, "extend")
        extended = await self.voting.extend(found, parse_duration(duration))
        self.dispatcher.wake()
        await reply(interaction, extended_message(extended, extended.closes_at))

    @poll.command(name="reopen", description="Reopen a closed poll, its votes kept (creator or Manage Server).")
    @app_commands.describe(poll=POLL_HELP, duration="How long it stays open now: 30m, 12h, 2d, 1w or 1d12h")
    async def reopen(self, interaction: discord.Interaction, poll: str, duration: str) -> None:
        found = await self._resolve(interaction, poll)
        self._require_manager(interaction, found, "reopen")
        length = parse_duration(duration)
        if found.is_open:
            raise UserError(still_open(found.poll_id))
        if found.status is PollStatus.CLOSED_MISSING or found.message_id is None:
            raise UserError(message_deleted(found.poll_id))
        if found.poll_id in self._announcing:
            raise UserError(_("Poll #{id} is closing right now; try again in a moment.", id=found.poll_id))
        channel = self._existing_channel(found)
        self._check_permissions(channel, channel.permissions_for(channel.guild.me), anonymous=found.anonymous)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await channel.fetch_message(found.message_id)
        except discord.HTTPException as error:
            if is_missing(error):
                raise UserError(
                    _(
                        "Poll #{id} can't be reopened: its message was deleted. `/poll again` posts it anew.",
                        id=found.poll_id,
                    )
                ) from error
            raise UserError(
                _(
                    "Discord wouldn't show me the message of poll #{id} in {channel}; "
                    "check my permissions there and try again.",
                    id=found.poll_id,
                    channel=channel.mention,
                )
            ) from error
        reopened = await self.voting.reopen(found, length)
        self.dispatcher.wake()
        with speaking(await public_locale(self.bot, reopened.guild_id)):
            embed = self.poll_embed(reopened, self.voting.live_results(reopened.poll_id))
            await self._edit_poll_message(reopened, embed)
        # Reactions changed while it was closed: they are the ledger again from now on.
        self._spawn(self.reconcile_poll(reopened), f"polls:reopen:{reopened.poll_id}")
        log.info("poll %d reopened until %s", reopened.poll_id, reopened.closes_at.isoformat())
        await reply(interaction, reopened_message(reopened))

    @poll.command(
        name="again", description="Post a poll anew: same options and rules, no votes (creator or Manage Server)."
    )
    @app_commands.describe(poll=POLL_HELP)
    async def again(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        self._require_manager(interaction, found, "repost")
        spec = spec_again(found)
        channel = self._existing_channel(found)
        self._check_permissions(channel, channel.permissions_for(channel.guild.me), anonymous=spec.anonymous)
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await self.post_poll(channel, spec, creator_id=interaction.user.id)
        await reply(interaction, created_message(posted))

    @poll.command(name="export", description="Download a poll's results as CSV (per-voter rows for Manage Server).")
    @app_commands.describe(poll=POLL_HELP)
    async def export(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        moderator = self._is_moderator(interaction)
        if not can_see_counts(found, moderator):
            raise UserError(_("Poll #{id} hides its results until it closes.", id=found.poll_id))
        results = await self.voting.results(found)
        voters = await self.voting.voter_rows(found) if moderator and not found.anonymous else None
        data = export_csv(found, results, voters).encode("utf-8")
        file = discord.File(io.BytesIO(data), filename=export_filename(found))
        await reply(interaction, _("Poll #{id} as CSV.", id=found.poll_id), file=file)

    @poll.command(name="myvotes", description="See what is counted for you on a poll, and why a reaction was not.")
    @app_commands.describe(poll=POLL_HELP)
    async def myvotes(self, interaction: discord.Interaction, poll: str) -> None:
        found = await self._resolve(interaction, poll)
        mine = await self.voting.my_votes(found, interaction.user.id)
        await reply(interaction, embed=build_myvotes_embed(found, mine))

    @poll.command(name="audit", description="Moderators: votes from young accounts, late joiners, frequent switchers.")
    @app_commands.describe(poll=POLL_HELP)
    async def audit(self, interaction: discord.Interaction, poll: str) -> None:
        if not self._is_moderator(interaction):
            raise UserError(_("You need the **Manage Server** permission to audit a poll."))
        found = await self._resolve(interaction, poll)
        report = await self.voting.audit(found)
        await reply(interaction, embed=build_audit_embed(found, report))

    # Autocomplete wiring (after the commands exist).
    results.autocomplete("poll")(poll_autocomplete)
    close.autocomplete("poll")(poll_autocomplete)
    cancel.autocomplete("poll")(poll_autocomplete)
    extend.autocomplete("poll")(poll_autocomplete)
    reopen.autocomplete("poll")(poll_autocomplete)
    again.autocomplete("poll")(poll_autocomplete)
    export.autocomplete("poll")(poll_autocomplete)
    myvotes.autocomplete("poll")(poll_autocomplete)
    audit.autocomplete("poll")(poll_autocomplete)
    mv.autocomplete("artist")(artist_autocomplete)
    mv.autocomplete("theme")(theme_autocomplete)
