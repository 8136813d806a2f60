"""The storyline service: what the cog calls, and the loop that posts every guild's day.

The cog injects the Discord side as plain async callables — ``send(plan)``,
``find_existing(plan)`` — plus the catalog's eligible entries and whether a channel is
age-restricted. Everything else lives here: claiming the day before sending, bounded
concurrency, catch-up after downtime, and recovery after a crash between claim and record
(the channel is checked for that day's post before anything is sent again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot import metrics
from bot.clock import Clock
from bot.db import Database
from bot.errors import UserError
from bot.i18n import Text
from bot.scheduler import Dispatcher
from bot.sharding import EVERYTHING, GuildOwnership
from bot.storyline.models import (
    ClaimStatus,
    PostFailed,
    PostOutcome,
    PostPlan,
    PostRecord,
    RunResult,
    SendResult,
    StorylineConfig,
    StorylineSettings,
    StorylineStatus,
    StorylineToday,
    plan_for_pick,
)
from bot.storyline.reasons import (
    CATCH_UP_CLOSED,
    CHECK_FAILED,
    GAVE_UP,
    NO_ANSWER,
    NO_ANSWER_IN_TIME,
    NO_ENTRIES,
    english,
    fill,
)
from bot.storyline.rotation import RotationEntry, cycle_progress, eligible_ids
from bot.storyline.schedule import local_date_for
from bot.storyline.store import LATE_AFTER, Skipped, StorylineStore

log = logging.getLogger(__name__)

SendFn = Callable[[PostPlan], Awaitable[SendResult]]
FindExistingFn = Callable[[PostPlan], Awaitable[SendResult | None]]
EntriesFn = Callable[[], Sequence[RotationEntry]]
#: guild_id -> that server's own catalog entries that have a storyline (read lazily, e.g.
#: ``GuildCatalogs.storyline_entries``); they join the rotation where settings.server_entries.
ServerEntriesFn = Callable[[int], Awaitable[Sequence[RotationEntry]]]
#: (guild_id, channel_id) -> is the channel age-restricted? Unknown channels: False.
AgeRestrictedFn = Callable[[int, int], bool]

#: Guilds posted at once. Discord allows 50 requests/s in all; a post is 2–3 requests.
DEFAULT_CONCURRENCY = 12
#: A send that takes longer is abandoned as "in doubt" (the channel is checked later).
SEND_TIMEOUT = timedelta(seconds=60)
#: How long a claim is protected from takeover; longer than SEND_TIMEOUT so a live sender
#: is never second-guessed.
CLAIM_LEASE = timedelta(minutes=2)
#: After an unexpected error a guild is tried again this much later.
RETRY_AFTER_ERROR = timedelta(minutes=1)
#: Sends of one day at most; after that, once the channel shows no post, the day is failed.
MAX_ATTEMPTS = 3
#: Guilds handled per dispatcher pass; more due ones are taken in the next pass at once.
BATCH_SIZE = 500

_CLAIM_RESULTS = {
    ClaimStatus.ALREADY_CLAIMED: RunResult.ALREADY_CLAIMED,
    ClaimStatus.MISSED: RunResult.MISSED,
    ClaimStatus.NOT_DUE: RunResult.NOT_DUE,
    ClaimStatus.NO_ENTRIES: RunResult.NO_ENTRIES,
}


class StorylineStalled(Exception):
    """Every guild of a pass failed unexpectedly: let the scheduler back off before retrying."""


class StorylineService:
    """One per bot. ``start()`` in ``cog_load``, ``await stop()`` in ``cog_unload``."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        entries: EntriesFn,
        send: SendFn,
        find_existing: FindExistingFn,
        age_restricted: AgeRestrictedFn,
        concurrency: int = DEFAULT_CONCURRENCY,
        send_timeout: timedelta = SEND_TIMEOUT,
        claim_lease: timedelta = CLAIM_LEASE,
        batch_size: int = BATCH_SIZE,
        guilds: GuildOwnership = EVERYTHING,
        server_entries: ServerEntriesFn | None = None,
    ) -> None:
        self.store = StorylineStore(db, owner=guilds)
        self.clock = clock
        self._entries = entries
        self._server_entries = server_entries
        self._send = send
        self._find_existing = find_existing
        self._age_restricted = age_restricted
        self._slots = asyncio.Semaphore(concurrency)
        self._send_timeout = send_timeout.total_seconds()
        self._lease = claim_lease
        self._batch_size = batch_size
        #: Identifies this process's claims in the database (for diagnosis).
        self.owner = uuid.uuid4().hex
        self._in_flight: set[tuple[int, date]] = set()
        self.dispatcher = Dispatcher("storyline", clock, self.earliest_due, self.run_due)
        self.active_posts = 0
        self.peak_concurrency = 0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the loop. Catch-up and crash recovery happen in its first pass."""
        self.dispatcher.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()

    def wake(self) -> None:
        self.dispatcher.wake()

    # -- the loop ---------------------------------------------------------------------------

    async def earliest_due(self) -> datetime | None:
        return await self.store.earliest_due()

    async def run_due(self, now: datetime) -> None:
        """One scheduler pass (the ``run_due`` of :class:`bot.scheduler.Dispatcher`)."""
        outcomes = await self.process_due(now)
        if outcomes and all(outcome.result is RunResult.ERROR for outcome in outcomes):
            raise StorylineStalled(f"all {len(outcomes)} storyline guilds in this pass failed")

    async def process_due(self, now: datetime) -> list[PostOutcome]:
        """Recover expired claims, then post every due guild; returns what happened to each."""
        outcomes = await self.recover(now)
        due = await self.store.due_guilds(now, self._batch_size)
        outcomes += await asyncio.gather(*(self._run_scheduled(guild_id) for guild_id in due))
        return outcomes

    async def recover(self, now: datetime) -> list[PostOutcome]:
        """Claims left open by a crash: find the post in the channel, else send it if in time."""
        expired = await self.store.expired_claims(now, self._batch_size)
        return list(await asyncio.gather(*(self._recover_claim(record) for record in expired)))

    # -- commands ----------------------------------------------------------------------------

    async def setup(self, config: StorylineConfig) -> StorylineStatus:
        """Save a validated setup (the cog has already run its permission preflight)."""
        await self.store.save_setup(config, self.clock.now())
        self.wake()
        return await self.status(config.guild_id)

    async def status(self, guild_id: int) -> StorylineStatus:
        settings = await self.store.require_settings(guild_id)
        state = await self.store.cycle_state(settings)
        own = await self.own_entries(guild_id)
        progress = cycle_progress(state.cycle, self.eligible_for(settings, own), state.posted)
        return StorylineStatus(
            settings=settings,
            next_run=settings.next_run if settings.active else None,
            last_post=await self.store.last_post(guild_id),
            progress=progress,
        )

    async def today(self, guild_id: int) -> StorylineToday:
        settings = await self.store.require_settings(guild_id)
        today = local_date_for(self.clock.now(), settings.tz)
        return StorylineToday(
            local_date=today,
            post=await self.store.post_for(guild_id, today),
            next_run=settings.next_run if settings.active else None,
            paused=settings.paused,
            disabled=settings.disabled,
        )

    async def preview(self, guild_id: int) -> PostPlan:
        """The next scheduled post as it would be sent (nothing is claimed)."""
        settings = await self.store.require_settings(guild_id)
        own = await self.own_entries(guild_id)
        pick = await self.store.preview_pick(settings, self.eligible_for(settings, own))
        if pick is None:
            raise UserError(NO_ENTRIES)
        run = settings.next_run
        previous = await self.store.previous_post(guild_id, run.local_date)
        return plan_for_pick(settings, run, pick, late=False, manual=False, previous=previous)

    async def post_now(self, guild_id: int) -> PostOutcome:
        """`/storyline post`: today's post, now; the scheduled time today will not post again."""
        async with self._slot():
            own = await self.own_entries(guild_id)
            now = self.clock.now()
            claim = await self.store.claim_today(
                guild_id, now, self._eligible_with(own), owner=self.owner, lease=self._lease
            )
            if claim.plan is None:
                raise UserError(NO_ENTRIES)
            with self._working(guild_id, claim.plan.local_date):
                outcome = await self._deliver(claim.plan)
        self.wake()
        return outcome

    async def skip(self, guild_id: int) -> Skipped:
        skipped = await self.store.skip_next(guild_id, self.clock.now())
        self.wake()
        return skipped

    async def pause(self, guild_id: int, reason: Text | None = None) -> StorylineSettings:
        """Pause; `reason` (an automatic pause's) is stored in English and shown translated."""
        return await self.store.pause(guild_id, self.clock.now(), None if reason is None else english(reason))

    async def resume(self, guild_id: int) -> StorylineSettings:
        settings = await self.store.resume(guild_id, self.clock.now())
        self.wake()
        return settings

    async def disable(self, guild_id: int) -> StorylineSettings:
        return await self.store.disable(guild_id, self.clock.now())

    async def history(self, guild_id: int, limit: int = 14) -> list[PostRecord]:
        return await self.store.history(guild_id, limit)

    def eligible_for(self, settings: StorylineSettings, own: Sequence[RotationEntry] = ()) -> list[str]:
        """Entry ids this guild may get now (asks about the channel only when it matters):
        the built-in entries, and the server's own (`own`) unless its settings leave them out."""
        age_restricted = settings.include_mature and self._age_restricted(settings.guild_id, settings.channel_id)
        entries = self._entries()
        if own and settings.server_entries:
            entries = [*entries, *own]
        return eligible_ids(
            entries,
            include_mature=settings.include_mature,
            channel_age_restricted=age_restricted,
        )

    async def own_entries(self, guild_id: int) -> Sequence[RotationEntry]:
        """The server's own entries with a storyline (none without a ``server_entries`` source)."""
        return () if self._server_entries is None else await self._server_entries(guild_id)

    def _eligible_with(self, own: Sequence[RotationEntry]) -> Callable[[StorylineSettings], list[str]]:
        return lambda settings: self.eligible_for(settings, own)

    # -- one guild ----------------------------------------------------------------------------

    async def _run_scheduled(self, guild_id: int) -> PostOutcome:
        async with self._slot():
            now = self.clock.now()
            try:
                own = await self.own_entries(guild_id)
                claim = await self.store.claim_scheduled(
                    guild_id, now, self._eligible_with(own), owner=self.owner, lease=self._lease
                )
                if claim.plan is None:
                    return PostOutcome(guild_id, claim.local_date, _CLAIM_RESULTS[claim.status])
                with self._working(guild_id, claim.plan.local_date):
                    return await self._deliver(claim.plan)
            except Exception as exc:
                log.exception("storyline: guild %s failed unexpectedly; retrying shortly", guild_id)
                await self._defer(guild_id, now)
                return PostOutcome(guild_id, None, RunResult.ERROR, error=_describe(exc))

    async def _recover_claim(self, record: PostRecord) -> PostOutcome:
        guild_id, local_date = record.guild_id, record.local_date
        async with self._slot():
            now = self.clock.now()
            try:
                if (guild_id, local_date) in self._in_flight:
                    await self.store.extend_claim(guild_id, local_date, now + self._lease, now)
                    return PostOutcome(guild_id, local_date, RunResult.NOT_DUE)
                taken = await self.store.retake_claim(guild_id, local_date, now, owner=self.owner, lease=self._lease)
                if taken is None:
                    return PostOutcome(guild_id, local_date, RunResult.ALREADY_CLAIMED)
                plan, claimed = taken
                with self._working(guild_id, local_date):
                    return await self._finish_recovery(plan, claimed, now)
            except Exception as exc:
                log.exception("storyline: recovering guild %s (%s) failed", guild_id, local_date)
                return PostOutcome(guild_id, local_date, RunResult.ERROR, error=_describe(exc))

    async def _finish_recovery(self, plan: PostPlan, claimed: PostRecord, now: datetime) -> PostOutcome:
        """Look for the day's post before sending anything; send only if it is truly absent."""
        guild_id, local_date = plan.guild_id, plan.local_date
        try:
            existing = await asyncio.wait_for(self._find_existing(plan), self._send_timeout)
        except PostFailed as exc:
            await self.store.record_failure(guild_id, local_date, exc.reason, now, pause=exc.pause)
            return PostOutcome(guild_id, local_date, RunResult.FAILED, plan.mv_id, error=exc.reason)
        except Exception as exc:
            reason = english(fill(CHECK_FAILED, error=_describe(exc)))
            log.warning("storyline: guild %s: %s", guild_id, reason)
            if claimed.attempts > MAX_ATTEMPTS:
                return await self._give_up(plan, reason, now)
            return await self._in_doubt(plan, reason, now)
        if existing is not None:
            log.info("storyline: guild %s %s was already posted; recorded it", guild_id, local_date)
            await self.store.record_post(guild_id, local_date, existing, now, recovered=True)
            return PostOutcome(
                guild_id,
                local_date,
                RunResult.RECOVERED,
                plan.mv_id,
                existing.message_id,
                existing.thread_id,
                plan.late,
            )
        settings = await self.store.settings(guild_id)
        if settings is None or not settings.active or now - plan.scheduled_at > _window(settings):
            await self.store.record_missed(guild_id, local_date, now, english(CATCH_UP_CLOSED))
            return PostOutcome(guild_id, local_date, RunResult.MISSED, plan.mv_id)
        if claimed.attempts > MAX_ATTEMPTS:
            return await self._give_up(plan, claimed.error or english(NO_ANSWER), now)
        late = plan.late or now - plan.scheduled_at > LATE_AFTER
        return await self._deliver(replace(plan, late=late))

    async def _give_up(self, plan: PostPlan, reason: str, now: datetime) -> PostOutcome:
        reason = english(fill(GAVE_UP, attempts=MAX_ATTEMPTS, reason=reason))
        await self.store.record_failure(plan.guild_id, plan.local_date, reason, now)
        return PostOutcome(plan.guild_id, plan.local_date, RunResult.FAILED, plan.mv_id, error=reason)

    async def _deliver(self, plan: PostPlan) -> PostOutcome:
        """Send a claimed plan and record what happened."""
        guild_id, local_date = plan.guild_id, plan.local_date
        try:
            result = await asyncio.wait_for(self._send(plan), self._send_timeout)
        except PostFailed as exc:
            now = self.clock.now()
            log.info("storyline: guild %s not posted: %s", guild_id, exc.reason)
            await self.store.record_failure(guild_id, local_date, exc.reason, now, pause=exc.pause)
            return PostOutcome(guild_id, local_date, RunResult.FAILED, plan.mv_id, late=plan.late, error=exc.reason)
        except Exception as exc:
            log.warning("storyline: guild %s send ended in doubt", guild_id, exc_info=True)
            return await self._in_doubt(plan, _describe(exc), self.clock.now())
        await self.store.record_post(guild_id, local_date, result, self.clock.now())
        metrics.POSTS.inc()
        return PostOutcome(
            guild_id,
            local_date,
            RunResult.POSTED,
            plan.mv_id,
            result.message_id,
            result.thread_id,
            plan.late,
        )

    async def _in_doubt(self, plan: PostPlan, reason: str, now: datetime) -> PostOutcome:
        """The post may or may not exist: keep the claim and look again when its lease ends."""
        guild_id, local_date = plan.guild_id, plan.local_date
        await self.store.note_attempt_error(guild_id, local_date, reason, now, retry_at=now + self._lease)
        return PostOutcome(guild_id, local_date, RunResult.IN_DOUBT, plan.mv_id, late=plan.late, error=reason)

    async def _defer(self, guild_id: int, now: datetime) -> None:
        with contextlib.suppress(Exception):
            await self.store.defer(guild_id, now + RETRY_AFTER_ERROR, now)

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        async with self._slots:
            self.active_posts += 1
            self.peak_concurrency = max(self.peak_concurrency, self.active_posts)
            try:
                yield
            finally:
                self.active_posts -= 1

    @contextlib.contextmanager
    def _working(self, guild_id: int, local_date: date) -> Iterator[None]:
        self._in_flight.add((guild_id, local_date))
        try:
            yield
        finally:
            self._in_flight.discard((guild_id, local_date))


def _window(settings: StorylineSettings) -> timedelta:
    return max(LATE_AFTER, settings.catch_up)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return english(NO_ANSWER_IN_TIME)
    text = str(exc)
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
