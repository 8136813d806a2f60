"""All storyline SQL: schedules, the daily claim, results, history.

The claim is the heart of "exactly once per guild per local day": inside ``BEGIN IMMEDIATE``
it inserts the day's row (primary key guild + local date), fixes the entry to post, and
advances the guild's ``next_run_at``. Whoever commits first owns the day; anyone else —
another coroutine, another process on the same file, the same bot after a restart — finds
the row and stands down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import from_unix, to_unix
from bot.db import Database, Queryable, Row, Transaction
from bot.errors import UserError
from bot.i18n import Day, Text, _
from bot.sharding import EVERYTHING, GuildOwnership
from bot.storyline.models import (
    SETTLED_STATES,
    Claim,
    ClaimStatus,
    PostPlan,
    PostRecord,
    PostState,
    PreviousPost,
    SendResult,
    StorylineConfig,
    StorylineSettings,
    plan_for_pick,
)
from bot.storyline.reasons import NO_ENTRIES, english
from bot.storyline.rotation import RotationPick, choose_next
from bot.storyline.schedule import (
    ONE_DAY,
    ScheduledRun,
    latest_run,
    local_date_for,
    next_run,
    scheduled_run,
)

log = logging.getLogger(__name__)

#: A post this long after its scheduled time is marked late.
LATE_AFTER = timedelta(minutes=10)
#: Downtime longer than this leaves at most this many "missed" rows (history shows 14).
MAX_MISSED_ROWS = 14

NOT_SET_UP = _("Storyline of the day is not set up in this server. An admin can run /storyline setup.")
DISABLED = _("Storyline of the day is disabled here. Run /storyline setup to turn it on again.")

#: Rows a new claim may overwrite: the scheduler retries failed and missed days (a setup
#: moved later the same day); `/storyline post` may also override a skip.
_SCHEDULED_REPLACEABLE = "('failed', 'missed')"
_MANUAL_REPLACEABLE = "('failed', 'missed', 'skipped')"

#: Picks the eligible entry ids for a guild (the caller knows the catalog and the channel).
EligibleFor = Callable[[StorylineSettings], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Skipped:
    skipped: ScheduledRun
    next_run: ScheduledRun


@dataclass(frozen=True, slots=True)
class CycleState:
    cycle: int
    posted: frozenset[str]
    last_posted: str | None


class StorylineStore:
    """`owner` limits the dispatcher's queries to the guilds this process owns."""

    def __init__(self, db: Database, owner: GuildOwnership = EVERYTHING) -> None:
        self.db = db
        self.owner = owner

    # -- setup and admin actions ----------------------------------------------------------

    async def save_setup(self, config: StorylineConfig, now: datetime) -> StorylineSettings:
        """Create or replace a guild's schedule; it is un-paused and enabled again."""
        tz = config.tz
        async with self.db.transaction() as conn:
            run = await _next_free_run(conn, config.guild_id, config.local_time, tz, now)
            await conn.execute(
                """
                INSERT INTO storyline_guilds (
                    guild_id, channel_id, local_time, timezone, ping_role_id, thread,
                    include_mature, catch_up_hours, paused, paused_reason, disabled,
                    next_run_at, next_local_date, created_at, updated_at, server_entries)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    channel_id = excluded.channel_id, local_time = excluded.local_time,
                    timezone = excluded.timezone, ping_role_id = excluded.ping_role_id,
                    thread = excluded.thread, include_mature = excluded.include_mature,
                    catch_up_hours = excluded.catch_up_hours, paused = 0,
                    paused_reason = NULL, disabled = 0, next_run_at = excluded.next_run_at,
                    next_local_date = excluded.next_local_date, updated_at = excluded.updated_at,
                    server_entries = excluded.server_entries
                """,
                (
                    config.guild_id,
                    config.channel_id,
                    config.local_time.strftime("%H:%M"),
                    config.timezone,
                    config.ping_role_id,
                    int(config.thread),
                    int(config.include_mature),
                    config.catch_up_hours,
                    to_unix(run.run_at),
                    run.local_date.isoformat(),
                    to_unix(now),
                    to_unix(now),
                    int(config.server_entries),
                ),
            )
            settings = await _settings_in(conn, config.guild_id)
        assert settings is not None
        return settings

    async def settings(self, guild_id: int) -> StorylineSettings | None:
        return await _settings_in(self.db, guild_id)

    async def require_settings(self, guild_id: int) -> StorylineSettings:
        return await _require_settings_in(self.db, guild_id)

    async def skip_next(self, guild_id: int, now: datetime) -> Skipped:
        """Mark the next scheduled run skipped and move on to the one after it."""
        async with self.db.transaction() as conn:
            settings = _require_active_to_skip(await _settings_in(conn, guild_id))
            skipped = scheduled_run(settings.next_run.local_date, settings.local_time, settings.tz)
            await _insert_day(conn, settings, skipped, PostState.SKIPPED, now)
            following = await _next_free_run(
                conn, guild_id, settings.local_time, settings.tz, now, after_date=skipped.local_date
            )
            await _set_next_run(conn, guild_id, following, now)
            await _set_last_result(conn, guild_id, PostState.SKIPPED, None, now)
        return Skipped(skipped, following)

    async def pause(self, guild_id: int, now: datetime, reason: str | None = None) -> StorylineSettings:
        """Pause; a manual pause (no reason) keeps the reason of an earlier automatic one."""
        async with self.db.transaction() as conn:
            settings = await _require_settings_in(conn, guild_id)
            if settings.disabled:
                raise UserError(_("Storyline of the day is disabled here; there is nothing to pause."))
            await conn.execute(
                "UPDATE storyline_guilds SET paused = 1, paused_reason = COALESCE(?, paused_reason), updated_at = ? "
                "WHERE guild_id = ?",
                (reason, to_unix(now), guild_id),
            )
            return await _require_settings_in(conn, guild_id)

    async def resume(self, guild_id: int, now: datetime) -> StorylineSettings:
        """Un-pause; the next run is the next one from now (paused days are not caught up)."""
        async with self.db.transaction() as conn:
            settings = await _require_enabled_in(conn, guild_id)
            run = await _next_free_run(conn, guild_id, settings.local_time, settings.tz, now)
            await conn.execute(
                "UPDATE storyline_guilds SET paused = 0, paused_reason = NULL, updated_at = ? WHERE guild_id = ?",
                (to_unix(now), guild_id),
            )
            await _set_next_run(conn, guild_id, run, now)
            return await _require_settings_in(conn, guild_id)

    async def disable(self, guild_id: int, now: datetime) -> StorylineSettings:
        """Stop posting; settings and history stay, and setup turns it back on."""
        async with self.db.transaction() as conn:
            await _require_settings_in(conn, guild_id)
            await conn.execute(
                "UPDATE storyline_guilds SET disabled = 1, updated_at = ? WHERE guild_id = ?",
                (to_unix(now), guild_id),
            )
            return await _require_settings_in(conn, guild_id)

    async def forget_guild(self, guild_id: int) -> None:
        """Delete a guild's schedule and history (e.g. when Lightstick leaves it)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM storyline_posts WHERE guild_id = ?", (guild_id,))
            await conn.execute("DELETE FROM storyline_guilds WHERE guild_id = ?", (guild_id,))

    async def defer(self, guild_id: int, until: datetime, now: datetime) -> None:
        """Try this guild again at `until` (after an unexpected error), same local date."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE storyline_guilds SET next_run_at = ?, updated_at = ? WHERE guild_id = ?",
                (to_unix(until), to_unix(now), guild_id),
            )

    # -- reads -----------------------------------------------------------------------------

    async def history(self, guild_id: int, limit: int = 14) -> list[PostRecord]:
        """The guild's latest days, newest first (every state, so gaps are visible)."""
        rows = await self.db.fetchall(
            "SELECT * FROM storyline_posts WHERE guild_id = ? ORDER BY local_date DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_record_from_row(row) for row in rows]

    async def post_for(self, guild_id: int, local_date: date) -> PostRecord | None:
        return await _record_in(self.db, guild_id, local_date)

    async def last_post(self, guild_id: int) -> PostRecord | None:
        records = await self.history(guild_id, limit=1)
        return records[0] if records else None

    async def cycle_state(self, settings: StorylineSettings) -> CycleState:
        return await _cycle_state_in(self.db, settings.guild_id, settings.cycle)

    async def earliest_due(self) -> datetime | None:
        """The earliest moment anything needs the dispatcher: a run, or an expired claim.

        Two index lookups (the first entry of each partial index) in one round trip.
        """
        owned, params = self.owner.sql_filter("guild_id")
        row = await self.db.fetchone(
            "SELECT (SELECT next_run_at FROM storyline_guilds WHERE paused = 0 AND disabled = 0 "
            f"        AND {owned} ORDER BY next_run_at LIMIT 1), "
            "       (SELECT claim_expires_at FROM storyline_posts WHERE state = 'claimed' "
            f"        AND {owned} ORDER BY claim_expires_at LIMIT 1)",
            (*params, *params),
        )
        moments = [m for m in (row or ()) if m is not None]
        return from_unix(min(moments)) if moments else None

    async def due_guilds(self, now: datetime, limit: int = 500) -> list[int]:
        """Ids of active guilds whose next run is due, earliest first.

        A range scan of the partial index in ``next_run_at`` order; only ids are returned
        because each claim re-reads its guild inside its own transaction anyway.
        """
        owned, params = self.owner.sql_filter("guild_id")
        rows = await self.db.fetchall(
            "SELECT guild_id FROM storyline_guilds WHERE paused = 0 AND disabled = 0 "
            f"AND next_run_at <= ? AND {owned} ORDER BY next_run_at LIMIT ?",
            (to_unix(now), *params, limit),
        )
        return [row[0] for row in rows]

    async def expired_claims(self, now: datetime, limit: int = 500) -> list[PostRecord]:
        """Claims whose sender did not report back in time (crashed, killed, timed out)."""
        owned, params = self.owner.sql_filter("guild_id")
        rows = await self.db.fetchall(
            f"SELECT * FROM storyline_posts WHERE state = 'claimed' AND claim_expires_at <= ? AND {owned} "
            "ORDER BY claim_expires_at LIMIT ?",
            (to_unix(now), *params, limit),
        )
        return [_record_from_row(row) for row in rows]

    async def preview_pick(self, settings: StorylineSettings, eligible: Sequence[str]) -> RotationPick | None:
        """The entry the next post would use, without claiming anything."""
        state = await _cycle_state_in(self.db, settings.guild_id, settings.cycle)
        return choose_next(settings.guild_id, state.cycle, eligible, state.posted, state.last_posted)

    async def previous_post(self, guild_id: int, before: date) -> PreviousPost | None:
        return await _previous_post_in(self.db, guild_id, before)

    # -- the claim -------------------------------------------------------------------------

    async def claim_scheduled(
        self,
        guild_id: int,
        now: datetime,
        eligible_for: EligibleFor,
        *,
        owner: str,
        lease: timedelta,
    ) -> Claim:
        """Claim the guild's due day, or record it missed when the catch-up window has passed.

        Days skipped over by downtime are recorded as missed (at most the last 14).
        """
        async with self.db.transaction() as conn:
            settings = await _settings_in(conn, guild_id)
            if settings is None or not settings.active or settings.next_run.run_at > now:
                return Claim(ClaimStatus.NOT_DUE)
            tz, local_time = settings.tz, settings.local_time
            due_date = settings.next_run.local_date
            target = latest_run(local_time, tz, now)
            if target.local_date < due_date:
                # The stored instant was early (a deferral overshoot): wait for the real one.
                await _set_next_run(conn, guild_id, scheduled_run(due_date, local_time, tz), now)
                return Claim(ClaimStatus.NOT_DUE)
            settled = await _settled_dates(conn, guild_id, due_date)
            window = max(LATE_AFTER, settings.catch_up)
            in_window = now - target.run_at <= window and target.local_date not in settled
            last_missed = target.local_date if not in_window else target.local_date - ONE_DAY
            await _record_missed_days(conn, settings, due_date, last_missed, settled, now)
            following = await _next_free_run(
                conn, guild_id, local_time, tz, now, after_date=target.local_date, settled=settled
            )
            await _set_next_run(conn, guild_id, following, now)
            if target.local_date in settled:
                return Claim(ClaimStatus.ALREADY_CLAIMED, target.local_date)
            if not in_window:
                return Claim(ClaimStatus.MISSED, target.local_date)
            late = now - target.run_at > LATE_AFTER
            return await _claim_day(
                conn,
                settings,
                target,
                eligible_for(settings),
                now,
                owner=owner,
                lease=lease,
                late=late,
                manual=False,
            )

    async def claim_today(
        self,
        guild_id: int,
        now: datetime,
        eligible_for: EligibleFor,
        *,
        owner: str,
        lease: timedelta,
    ) -> Claim:
        """`/storyline post`: claim today's local date now; the scheduled run moves to tomorrow."""
        async with self.db.transaction() as conn:
            settings = await _require_enabled_in(conn, guild_id)
            today = local_date_for(now, settings.tz)
            existing = await _record_in(conn, guild_id, today)
            if existing is not None and existing.state in (PostState.POSTED, PostState.CLAIMED):
                raise UserError(_already_today_message(existing))
            eligible = eligible_for(settings)
            if not eligible:
                raise UserError(NO_ENTRIES)
            claim = await _claim_day(
                conn,
                settings,
                ScheduledRun(today, now),
                eligible,
                now,
                owner=owner,
                lease=lease,
                late=False,
                manual=True,
                replaceable=_MANUAL_REPLACEABLE,
            )
            if settings.next_run.local_date <= today:
                following = await _next_free_run(
                    conn, guild_id, settings.local_time, settings.tz, now, after_date=today
                )
                await _set_next_run(conn, guild_id, following, now)
            return claim

    async def retake_claim(
        self, guild_id: int, local_date: date, now: datetime, *, owner: str, lease: timedelta
    ) -> tuple[PostPlan, PostRecord] | None:
        """Take over an expired claim (its sender crashed); None if someone else has it."""
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE storyline_posts SET claim_owner = ?, claim_expires_at = ?, "
                "attempts = attempts + 1, updated_at = ? "
                "WHERE guild_id = ? AND local_date = ? AND state = 'claimed' "
                "AND claim_expires_at <= ?",
                (
                    owner,
                    to_unix(now + lease),
                    to_unix(now),
                    guild_id,
                    local_date.isoformat(),
                    to_unix(now),
                ),
            )
            if changed != 1:
                return None
            record = await _record_in(conn, guild_id, local_date)
            settings = await _settings_in(conn, guild_id)
            assert record is not None and settings is not None
            previous = await _previous_post_in(conn, guild_id, local_date)
            return _plan_from_record(record, settings, previous), record

    async def extend_claim(self, guild_id: int, local_date: date, until: datetime, now: datetime) -> None:
        """Keep a claim that is still in progress here from being taken over."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE storyline_posts SET claim_expires_at = ?, updated_at = ? "
                "WHERE guild_id = ? AND local_date = ? AND state = 'claimed'",
                (to_unix(until), to_unix(now), guild_id, local_date.isoformat()),
            )

    # -- results ---------------------------------------------------------------------------

    async def record_post(
        self,
        guild_id: int,
        local_date: date,
        result: SendResult,
        now: datetime,
        *,
        recovered: bool = False,
    ) -> bool:
        """claimed -> posted, with the message (and thread) ids. False if not claimed."""
        async with self.db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE storyline_posts SET state = 'posted', message_id = ?, thread_id = ?, "
                "recovered = ?, error = NULL, claim_owner = NULL, claim_expires_at = NULL, "
                "updated_at = ? WHERE guild_id = ? AND local_date = ? AND state = 'claimed'",
                (
                    result.message_id,
                    result.thread_id,
                    int(recovered),
                    to_unix(now),
                    guild_id,
                    local_date.isoformat(),
                ),
            )
            if changed != 1:
                return False
            await _set_last_result(conn, guild_id, PostState.POSTED, None, now)
            return True

    async def record_failure(
        self, guild_id: int, local_date: date, reason: str, now: datetime, *, pause: bool = False
    ) -> bool:
        """claimed -> failed (nothing was posted); `pause` stops the guild until an admin acts."""
        async with self.db.transaction() as conn:
            changed = await _close_claim(conn, guild_id, local_date, PostState.FAILED, reason, now)
            if changed:
                await _set_last_result(conn, guild_id, PostState.FAILED, reason, now)
                if pause:
                    await conn.execute(
                        "UPDATE storyline_guilds SET paused = 1, paused_reason = ?, updated_at = ? WHERE guild_id = ?",
                        (reason, to_unix(now), guild_id),
                    )
            return changed

    async def record_missed(self, guild_id: int, local_date: date, now: datetime, reason: str | None = None) -> bool:
        """claimed -> missed (the catch-up window closed before it could be sent)."""
        async with self.db.transaction() as conn:
            changed = await _close_claim(conn, guild_id, local_date, PostState.MISSED, reason, now)
            if changed:
                await _set_last_result(conn, guild_id, PostState.MISSED, reason, now)
            return changed

    async def note_attempt_error(
        self, guild_id: int, local_date: date, reason: str, now: datetime, *, retry_at: datetime
    ) -> None:
        """The outcome of a send is unknown: keep the claim, check the channel at `retry_at`."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE storyline_posts SET error = ?, claim_expires_at = ?, updated_at = ? "
                "WHERE guild_id = ? AND local_date = ? AND state = 'claimed'",
                (reason, to_unix(retry_at), to_unix(now), guild_id, local_date.isoformat()),
            )
            await conn.execute(
                "UPDATE storyline_guilds SET last_error = ?, updated_at = ? WHERE guild_id = ?",
                (reason, to_unix(now), guild_id),
            )


# -- helpers that run inside a transaction --------------------------------------------------


async def _settings_in(conn: Queryable, guild_id: int) -> StorylineSettings | None:
    """The guild's settings; inside a transaction its row stays locked until commit, so two
    processes deciding about the same guild take turns."""
    row = await conn.fetchone(f"SELECT * FROM storyline_guilds WHERE guild_id = ?{conn.row_lock}", (guild_id,))
    return None if row is None else _settings_from_row(row)


async def _require_settings_in(conn: Queryable, guild_id: int) -> StorylineSettings:
    settings = await _settings_in(conn, guild_id)
    if settings is None:
        raise UserError(NOT_SET_UP)
    return settings


async def _require_enabled_in(conn: Queryable, guild_id: int) -> StorylineSettings:
    settings = await _require_settings_in(conn, guild_id)
    if settings.disabled:
        raise UserError(DISABLED)
    return settings


def _require_active_to_skip(settings: StorylineSettings | None) -> StorylineSettings:
    if settings is None:
        raise UserError(NOT_SET_UP)
    if settings.disabled:
        raise UserError(_("Storyline of the day is disabled here; there is nothing to skip."))
    if settings.paused:
        raise UserError(_("Storyline of the day is paused; nothing is scheduled to skip."))
    return settings


async def _record_in(conn: Queryable, guild_id: int, local_date: date) -> PostRecord | None:
    row = await conn.fetchone(
        "SELECT * FROM storyline_posts WHERE guild_id = ? AND local_date = ?",
        (guild_id, local_date.isoformat()),
    )
    return None if row is None else _record_from_row(row)


async def _settled_dates(conn: Queryable, guild_id: int, since: date) -> set[date]:
    """Dates from `since` on that are taken (claimed, posted or skipped)."""
    rows = await conn.fetchall(
        "SELECT local_date, state FROM storyline_posts WHERE guild_id = ? AND local_date >= ?",
        (guild_id, since.isoformat()),
    )
    return {date.fromisoformat(row["local_date"]) for row in rows if row["state"] in SETTLED_STATES}


async def _next_free_run(
    conn: Queryable,
    guild_id: int,
    local_time: time,
    tz: ZoneInfo,
    after: datetime,
    *,
    after_date: date | None = None,
    settled: set[date] | None = None,
) -> ScheduledRun:
    """The next run after `after` whose date is later than `after_date` and not yet taken.

    `settled` may be passed when the caller already read the taken dates (up to today).
    """
    run = next_run(local_time, tz, after)
    if settled is None:
        settled = await _settled_dates(conn, guild_id, run.local_date)
    while run.local_date in settled or (after_date is not None and run.local_date <= after_date):
        run = scheduled_run(run.local_date + ONE_DAY, local_time, tz)
    return run


async def _set_next_run(conn: Transaction, guild_id: int, run: ScheduledRun, now: datetime) -> None:
    await conn.execute(
        "UPDATE storyline_guilds SET next_run_at = ?, next_local_date = ?, updated_at = ? WHERE guild_id = ?",
        (to_unix(run.run_at), run.local_date.isoformat(), to_unix(now), guild_id),
    )


async def _set_last_result(
    conn: Transaction, guild_id: int, state: PostState, error: str | None, now: datetime
) -> None:
    await conn.execute(
        "UPDATE storyline_guilds SET last_result = ?, last_error = ?, last_result_at = ?, "
        "updated_at = ? WHERE guild_id = ?",
        (state.value, error, to_unix(now), to_unix(now), guild_id),
    )


async def _insert_day(
    conn: Transaction,
    settings: StorylineSettings,
    run: ScheduledRun,
    state: PostState,
    now: datetime,
    error: str | None = None,
) -> None:
    """A row without an entry (missed, skipped); an existing row for the date is kept."""
    await conn.execute(
        "INSERT INTO storyline_posts (guild_id, local_date, state, scheduled_at, channel_id, "
        "error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            settings.guild_id,
            run.local_date.isoformat(),
            state.value,
            to_unix(run.run_at),
            settings.channel_id,
            error,
            to_unix(now),
        ),
    )


async def _record_missed_days(
    conn: Transaction,
    settings: StorylineSettings,
    first: date,
    last: date,
    settled: set[date],
    now: datetime,
) -> None:
    """Record each day from `first` to `last` that downtime swallowed (the latest 14 at most)."""
    if last < first:
        return
    day = max(first, last - (MAX_MISSED_ROWS - 1) * ONE_DAY)
    while day <= last:
        if day not in settled:
            run = scheduled_run(day, settings.local_time, settings.tz)
            await _insert_day(conn, settings, run, PostState.MISSED, now)
            await _set_last_result(conn, settings.guild_id, PostState.MISSED, None, now)
        day += ONE_DAY


async def _cycle_state_in(conn: Queryable, guild_id: int, cycle: int) -> CycleState:
    rows = await conn.fetchall(
        "SELECT mv_id FROM storyline_posts WHERE guild_id = ? AND cycle = ? "
        "AND state IN ('claimed', 'posted') AND mv_id IS NOT NULL",
        (guild_id, cycle),
    )
    last = await conn.fetchone(
        "SELECT mv_id FROM storyline_posts WHERE guild_id = ? AND state IN ('claimed', 'posted') "
        "AND mv_id IS NOT NULL ORDER BY local_date DESC LIMIT 1",
        (guild_id,),
    )
    return CycleState(cycle, frozenset(row["mv_id"] for row in rows), None if last is None else last["mv_id"])


async def _previous_post_in(conn: Queryable, guild_id: int, before: date) -> PreviousPost | None:
    row = await conn.fetchone(
        "SELECT local_date, channel_id, message_id, thread_id FROM storyline_posts "
        "WHERE guild_id = ? AND local_date < ? AND state = 'posted' AND message_id IS NOT NULL "
        "ORDER BY local_date DESC LIMIT 1",
        (guild_id, before.isoformat()),
    )
    if row is None:
        return None
    return PreviousPost(
        date.fromisoformat(row["local_date"]),
        row["channel_id"],
        row["message_id"],
        row["thread_id"],
    )


async def _claim_day(
    conn: Transaction,
    settings: StorylineSettings,
    run: ScheduledRun,
    eligible: Sequence[str],
    now: datetime,
    *,
    owner: str,
    lease: timedelta,
    late: bool,
    manual: bool,
    replaceable: str = _SCHEDULED_REPLACEABLE,
) -> Claim:
    """Write the claim for `run.local_date`, over a row in a `replaceable` state if any."""
    guild_id = settings.guild_id
    state = await _cycle_state_in(conn, guild_id, settings.cycle)
    pick = choose_next(guild_id, state.cycle, eligible, state.posted, state.last_posted)
    if pick is None:
        reason = english(NO_ENTRIES)
        await _insert_or_replace_unsettled(conn, settings, run, now, state=PostState.FAILED, error=reason)
        await _set_last_result(conn, guild_id, PostState.FAILED, reason, now)
        return Claim(ClaimStatus.NO_ENTRIES, run.local_date)
    written = await _insert_or_replace_unsettled(
        conn,
        settings,
        run,
        now,
        state=PostState.CLAIMED,
        pick=pick,
        late=late,
        manual=manual,
        owner=owner,
        expires_at=now + lease,
        replaceable=replaceable,
    )
    if not written:
        return Claim(ClaimStatus.ALREADY_CLAIMED, run.local_date)
    if pick.cycle != settings.cycle:
        await conn.execute("UPDATE storyline_guilds SET cycle = ? WHERE guild_id = ?", (pick.cycle, guild_id))
    previous = await _previous_post_in(conn, guild_id, run.local_date)
    plan = plan_for_pick(settings, run, pick, late=late, manual=manual, previous=previous)
    return Claim(ClaimStatus.CLAIMED, run.local_date, plan)


async def _insert_or_replace_unsettled(
    conn: Transaction,
    settings: StorylineSettings,
    run: ScheduledRun,
    now: datetime,
    *,
    state: PostState,
    pick: RotationPick | None = None,
    late: bool = False,
    manual: bool = False,
    owner: str | None = None,
    expires_at: datetime | None = None,
    error: str | None = None,
    replaceable: str = _SCHEDULED_REPLACEABLE,
) -> bool:
    """Insert the day's row; replace an existing one only in a `replaceable` state.

    True if written. The primary key is what makes a second claim of the day fail.
    """
    written = await conn.execute(
        f"""
        INSERT INTO storyline_posts (
            guild_id, local_date, state, scheduled_at, channel_id, mv_id, cycle,
            remaining_in_cycle, late, manual, recovered, attempts, claim_owner,
            claim_expires_at, message_id, thread_id, error, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, NULL, NULL, ?, ?)
        ON CONFLICT (guild_id, local_date) DO UPDATE SET
            state = excluded.state, scheduled_at = excluded.scheduled_at,
            channel_id = excluded.channel_id, mv_id = excluded.mv_id, cycle = excluded.cycle,
            remaining_in_cycle = excluded.remaining_in_cycle, late = excluded.late,
            manual = excluded.manual, recovered = 0, attempts = 1,
            claim_owner = excluded.claim_owner, claim_expires_at = excluded.claim_expires_at,
            message_id = NULL, thread_id = NULL, error = excluded.error,
            updated_at = excluded.updated_at
        WHERE storyline_posts.state IN {replaceable}
        """,
        (
            settings.guild_id,
            run.local_date.isoformat(),
            state.value,
            to_unix(run.run_at),
            settings.channel_id,
            pick.mv_id if pick else None,
            pick.cycle if pick else None,
            pick.remaining if pick else None,
            int(late),
            int(manual),
            owner,
            to_unix(expires_at) if expires_at else None,
            error,
            to_unix(now),
        ),
    )
    return written == 1


async def _close_claim(
    conn: Transaction,
    guild_id: int,
    local_date: date,
    state: PostState,
    error: str | None,
    now: datetime,
) -> bool:
    changed = await conn.execute(
        "UPDATE storyline_posts SET state = ?, error = ?, claim_owner = NULL, "
        "claim_expires_at = NULL, updated_at = ? "
        "WHERE guild_id = ? AND local_date = ? AND state = 'claimed'",
        (state.value, error, to_unix(now), guild_id, local_date.isoformat()),
    )
    return changed == 1


def _already_today_message(existing: PostRecord) -> Text:
    if existing.state is PostState.CLAIMED:
        return _("Today's storyline is being posted right now.")
    return _(
        "Today's storyline ({day}) is already posted; "
        "it is one post per day. The next one comes at the scheduled time tomorrow.",
        day=Day(existing.local_date),
    )


def _plan_from_record(record: PostRecord, settings: StorylineSettings, previous: PreviousPost | None) -> PostPlan:
    assert record.mv_id is not None and record.cycle is not None
    return PostPlan(
        guild_id=record.guild_id,
        channel_id=record.channel_id,
        local_date=record.local_date,
        scheduled_at=record.scheduled_at,
        mv_id=record.mv_id,
        cycle=record.cycle,
        remaining_in_cycle=record.remaining_in_cycle or 0,
        ping_role_id=settings.ping_role_id,
        thread=settings.thread,
        late=record.late,
        manual=record.manual,
        previous=previous,
    )


# -- row mapping -----------------------------------------------------------------------------


def _settings_from_row(row: Row) -> StorylineSettings:
    hour, minute = (int(part) for part in row["local_time"].split(":"))
    return StorylineSettings(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        local_time=time(hour, minute),
        timezone=row["timezone"],
        ping_role_id=row["ping_role_id"],
        thread=bool(row["thread"]),
        include_mature=bool(row["include_mature"]),
        catch_up_hours=row["catch_up_hours"],
        paused=bool(row["paused"]),
        paused_reason=row["paused_reason"],
        disabled=bool(row["disabled"]),
        next_run=ScheduledRun(date.fromisoformat(row["next_local_date"]), from_unix(row["next_run_at"])),
        cycle=row["cycle"],
        last_result=row["last_result"],
        last_error=row["last_error"],
        last_result_at=None if row["last_result_at"] is None else from_unix(row["last_result_at"]),
        server_entries=bool(row["server_entries"]),
    )


def _record_from_row(row: Row) -> PostRecord:
    return PostRecord(
        guild_id=row["guild_id"],
        local_date=date.fromisoformat(row["local_date"]),
        state=PostState(row["state"]),
        scheduled_at=from_unix(row["scheduled_at"]),
        channel_id=row["channel_id"],
        mv_id=row["mv_id"],
        cycle=row["cycle"],
        remaining_in_cycle=row["remaining_in_cycle"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        late=bool(row["late"]),
        manual=bool(row["manual"]),
        recovered=bool(row["recovered"]),
        attempts=row["attempts"],
        error=row["error"],
        updated_at=from_unix(row["updated_at"]),
    )
