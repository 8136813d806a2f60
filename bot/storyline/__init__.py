"""Storyline of the day: schedule math, rotation, store and the posting service (no Discord).

The cog (`cogs/storyline.py`) builds a :class:`StorylineService` with its Discord callbacks
and calls one method per command; it holds no SQL and no scheduling logic.
"""

from bot.storyline.inputs import (
    COMMON_TIMEZONES,
    closest_timezones,
    format_local_time,
    parse_local_time,
    parse_setup,
    resolve_timezone,
    timezone_choices,
)
from bot.storyline.models import (
    DEFAULT_CATCH_UP_HOURS,
    Claim,
    ClaimStatus,
    PostFailed,
    PostOutcome,
    PostPlan,
    PostRecord,
    PostState,
    PreviousPost,
    RunResult,
    SendResult,
    StorylineConfig,
    StorylineSettings,
    StorylineStatus,
    StorylineToday,
)
from bot.storyline.rotation import (
    LOW_REMAINING,
    CycleProgress,
    RotationEntry,
    RotationPick,
    choose_next,
    cycle_order,
    cycle_progress,
    eligible_ids,
    rotation_entries,
)
from bot.storyline.schedule import (
    ScheduledRun,
    latest_run,
    local_date_for,
    next_run,
    next_run_utc,
    run_for_date,
)
from bot.storyline.service import StorylineService, StorylineStalled
from bot.storyline.store import Skipped, StorylineStore

__all__ = [
    "COMMON_TIMEZONES",
    "DEFAULT_CATCH_UP_HOURS",
    "LOW_REMAINING",
    "Claim",
    "ClaimStatus",
    "CycleProgress",
    "PostFailed",
    "PostOutcome",
    "PostPlan",
    "PostRecord",
    "PostState",
    "PreviousPost",
    "RotationEntry",
    "RotationPick",
    "RunResult",
    "ScheduledRun",
    "SendResult",
    "Skipped",
    "StorylineConfig",
    "StorylineService",
    "StorylineSettings",
    "StorylineStalled",
    "StorylineStatus",
    "StorylineStore",
    "StorylineToday",
    "choose_next",
    "closest_timezones",
    "cycle_order",
    "cycle_progress",
    "eligible_ids",
    "format_local_time",
    "latest_run",
    "local_date_for",
    "next_run",
    "next_run_utc",
    "parse_local_time",
    "parse_setup",
    "resolve_timezone",
    "rotation_entries",
    "run_for_date",
    "timezone_choices",
]
