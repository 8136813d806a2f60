"""Plain values the storyline domain takes and returns (no Discord types, ids are ints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.i18n import SOURCE_LOCALE, Text, render
from bot.storyline.rotation import CycleProgress, RotationPick
from bot.storyline.schedule import ScheduledRun

DEFAULT_CATCH_UP_HOURS = 6
MAX_CATCH_UP_HOURS = 23


@dataclass(frozen=True, slots=True)
class StorylineConfig:
    """A validated `/storyline setup` (see :func:`bot.storyline.parse_setup`)."""

    guild_id: int
    channel_id: int
    local_time: time
    timezone: str
    ping_role_id: int | None = None
    thread: bool = True
    include_mature: bool = False
    catch_up_hours: int = DEFAULT_CATCH_UP_HOURS
    #: The server's own catalog entries that have a storyline join the rotation.
    server_entries: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class StorylineSettings:
    """A guild's stored schedule and its standing."""

    guild_id: int
    channel_id: int
    local_time: time
    timezone: str
    ping_role_id: int | None
    thread: bool
    include_mature: bool
    catch_up_hours: int
    paused: bool
    paused_reason: str | None
    disabled: bool
    next_run: ScheduledRun
    cycle: int
    last_result: str | None
    last_error: str | None
    last_result_at: datetime | None
    server_entries: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def active(self) -> bool:
        return not (self.paused or self.disabled)

    @property
    def catch_up(self) -> timedelta:
        return timedelta(hours=self.catch_up_hours)


class PostState(StrEnum):
    """A day's row: claimed -> posted, or failed / missed / skipped."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"
    MISSED = "missed"
    SKIPPED = "skipped"


#: States that settle a day: the scheduler never claims that date again.
SETTLED_STATES = frozenset({PostState.CLAIMED, PostState.POSTED, PostState.SKIPPED})


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One guild-day in the posts table (history, status, today)."""

    guild_id: int
    local_date: date
    state: PostState
    scheduled_at: datetime
    channel_id: int
    mv_id: str | None
    cycle: int | None
    remaining_in_cycle: int | None
    message_id: int | None
    thread_id: int | None
    late: bool
    manual: bool
    recovered: bool
    attempts: int
    error: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PreviousPost:
    """The guild's most recent earlier post, for the "yesterday's storyline" link."""

    local_date: date
    channel_id: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class PostPlan:
    """Everything the cog needs to send one day's post; the entry is fixed at claim time."""

    guild_id: int
    channel_id: int
    local_date: date
    scheduled_at: datetime
    mv_id: str
    cycle: int
    remaining_in_cycle: int
    ping_role_id: int | None
    thread: bool
    late: bool
    manual: bool
    previous: PreviousPost | None


def plan_for_pick(
    settings: StorylineSettings,
    run: ScheduledRun,
    pick: RotationPick,
    *,
    late: bool,
    manual: bool,
    previous: PreviousPost | None,
) -> PostPlan:
    """The post `pick` makes on `run`: one builder, so a preview shows what a claim will send."""
    return PostPlan(
        guild_id=settings.guild_id,
        channel_id=settings.channel_id,
        local_date=run.local_date,
        scheduled_at=run.run_at,
        mv_id=pick.mv_id,
        cycle=pick.cycle,
        remaining_in_cycle=pick.remaining,
        ping_role_id=settings.ping_role_id,
        thread=settings.thread,
        late=late,
        manual=manual,
        previous=previous,
    )


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the cog reports after posting: the message, and the thread if one was opened."""

    message_id: int
    thread_id: int | None = None


class PostFailed(Exception):
    """Raised by the cog's send: the post definitely did not go out.

    `pause` is for failures that will not fix themselves (the channel is gone): the guild
    is paused until an admin acts. Otherwise the guild is retried at its next run.
    """

    def __init__(self, reason: Text, *, pause: bool = False) -> None:
        #: Stored and logged in English; status and history show it in the reader's language.
        self.reason = render(reason, SOURCE_LOCALE)
        super().__init__(self.reason)
        self.pause = pause


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    MISSED = "missed"
    NOT_DUE = "not_due"
    NO_ENTRIES = "no_entries"


@dataclass(frozen=True, slots=True)
class Claim:
    status: ClaimStatus
    local_date: date | None = None
    plan: PostPlan | None = None


class RunResult(StrEnum):
    """What happened to one guild in one dispatcher pass."""

    POSTED = "posted"
    RECOVERED = "recovered"  # found in the channel after a crash; not sent again
    FAILED = "failed"
    MISSED = "missed"
    NO_ENTRIES = "no_entries"
    ALREADY_CLAIMED = "already_claimed"
    NOT_DUE = "not_due"
    IN_DOUBT = "in_doubt"  # outcome unknown; left claimed, the channel is checked before a retry
    ERROR = "error"  # unexpected; logged, the guild is retried shortly


@dataclass(frozen=True, slots=True)
class PostOutcome:
    guild_id: int
    local_date: date | None
    result: RunResult
    mv_id: str | None = None
    message_id: int | None = None
    thread_id: int | None = None
    late: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class StorylineStatus:
    """`/storyline status`: settings, the next run, the last result and cycle progress."""

    settings: StorylineSettings
    next_run: ScheduledRun | None  # None while paused or disabled
    last_post: PostRecord | None
    progress: CycleProgress


@dataclass(frozen=True, slots=True)
class StorylineToday:
    """`/storyline today`: today's row if there is one, else when the next post comes."""

    local_date: date
    post: PostRecord | None
    next_run: ScheduledRun | None
    paused: bool
    disabled: bool
