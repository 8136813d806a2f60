"""Pure builders for storyline of the day: the daily post, status, today, preview and history.

They take plain domain values (plans, records, settings) and catalog entries and return
embeds or text, touching no network and no state, so every catalog entry can be rendered in
a test and checked against Discord's limits. The MV card's promises hold here too: the twist
only ever appears between ``||`` spoiler bars and content warnings stay in plain sight (the
spoiler and warning helpers are the MV card's own, imported from :mod:`cogs.mv.render`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.catalog import MV
from bot.storyline import (
    LOW_REMAINING,
    CycleProgress,
    PostOutcome,
    PostPlan,
    PostRecord,
    PostState,
    PreviousPost,
    RunResult,
    ScheduledRun,
    Skipped,
    StorylineSettings,
    StorylineStatus,
    StorylineToday,
)
from bot.ui import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_LIMIT,
    TITLE_LIMIT,
    channel_link,
    message_link,
    permission_list,
    truncate,
)
from cogs.mv.render import (
    MATURE_MARK,
    SHORT_FIELD_LIMIT,
    card_title,
    defuse,
    defuse_bars,
    head_then_story,
    join_lines,
    spoiler,
    warning_line,
)

log = logging.getLogger(__name__)

POST_TITLE_PREFIX = "Storyline of the day — "
THREAD_NAME_LIMIT = 100
THREAD_SUFFIX = " — discussion"
HISTORY_LIMIT = 14

POST_COLOUR = discord.Colour.from_rgb(147, 112, 219)
STATUS_COLOUR = discord.Colour.from_rgb(255, 105, 180)
PROBLEM_COLOUR = discord.Colour.from_rgb(220, 120, 0)

#: Looks an MV up by id; the cog passes ``catalog.get``.
FindMV = Callable[[str], MV | None]

_STATE_MARKS = {
    PostState.POSTED: "✅",
    PostState.CLAIMED: "⏳",
    PostState.FAILED: "❌",
    PostState.MISSED: "💤",
    PostState.SKIPPED: "⏭️",
}


# --------------------------------------------------------------------------- small pieces


def format_day(day: date) -> str:
    """``Sunday, 1 March 2026`` — the same words in the title, status and history."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


def post_title(day: date) -> str:
    """The daily post's embed title; recovery after a crash looks for exactly this text."""
    return POST_TITLE_PREFIX + format_day(day)


def thread_name(mv: MV) -> str:
    """``<title> — discussion``; Discord caps thread names at 100, so the title gives way."""
    room = THREAD_NAME_LIMIT - len(THREAD_SUFFIX)
    return truncate(mv.title, room) + THREAD_SUFFIX


def role_mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def post_link(guild_id: int, channel_id: int, message_id: int | None, thread_id: int | None) -> str | None:
    """The discussion thread when there is one (that is where people talk), else the post."""
    if thread_id is not None:
        return channel_link(guild_id, thread_id)
    if message_id is not None:
        return message_link(guild_id, channel_id, message_id)
    return None


def local_moment(moment: datetime, timezone: str) -> str:
    """``Monday, 2 March 2026 at 21:00 (Asia/Seoul)`` — the server's own clock."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local.date())} at {local:%H:%M} ({timezone})"


def run_text(run: ScheduledRun, timezone: str) -> str:
    """A run in the server's local time and as a Discord timestamp (each reader's own clock)."""
    stamp = discord.utils.format_dt(run.run_at, "F")
    relative = discord.utils.format_dt(run.run_at, "R")
    return f"{local_moment(run.run_at, timezone)}\n{stamp} · {relative}"


def mv_name(mv_id: str | None, find: FindMV) -> str:
    if mv_id is None:
        return "—"
    mv = find(mv_id)
    return defuse(mv.display_name) if mv else f"`{mv_id}` (no longer in the catalog)"


def sentence(text: str) -> str:
    """`text` without its closing full stop, for messages that add their own."""
    return text.rstrip().removesuffix(".")


def cycle_line(remaining: int) -> str:
    """``N more before the cycle repeats``, with a warning when three or fewer are left."""
    if remaining <= 0:
        return "⚠️ This is the last storyline of the cycle; the next one starts again in a new order."
    noun = "storyline" if remaining == 1 else "storylines"
    if remaining <= LOW_REMAINING:
        return f"⚠️ Only {remaining} more {noun} before the cycle repeats."
    return f"{remaining} more {noun} before the cycle repeats."


def progress_text(progress: CycleProgress) -> str:
    line = f"Cycle {progress.cycle + 1}: {progress.posted} of {progress.total} posted. "
    return line + cycle_line(progress.remaining)


# --------------------------------------------------------------------------- the daily post


def previous_text(guild_id: int, plan: PostPlan, previous: PreviousPost) -> tuple[str, str]:
    """The field linking to the last post (its thread when it had one)."""
    yesterday = previous.local_date == plan.local_date - timedelta(days=1)
    name = "Yesterday's storyline" if yesterday else f"Previous storyline ({format_day(previous.local_date)})"
    link = post_link(guild_id, previous.channel_id, previous.message_id, previous.thread_id)
    what = "Discussion thread" if previous.thread_id is not None else "The post"
    return name, f"[{what}]({link})"


def build_post_embed(mv: MV, plan: PostPlan, *, local_time: str | None = None) -> discord.Embed:
    """The daily post: MV, artist, year, warnings, the storyline, the twist behind spoilers."""
    title = post_title(plan.local_date)
    fields: list[tuple[str, str, bool]] = [
        ("MV", card_title(mv), True),
        ("Artist", truncate(defuse(mv.credit), SHORT_FIELD_LIMIT), True),
        ("Year", str(mv.year), True),
    ]
    if mv.twist:
        fields.append(("Twist (spoiler)", spoiler(mv.twist, FIELD_VALUE_LIMIT), False))
    label = "Watch on YouTube" if mv.youtube_url else "Find it on YouTube"
    fields.append(("Watch", f"[{label}]({mv.youtube_link})", False))
    if plan.previous is not None:
        name, value = previous_text(plan.guild_id, plan, plan.previous)
        fields.append((name, value, False))
    footer = truncate(cycle_line(plan.remaining_in_cycle), FOOTER_LIMIT)
    used = len(title) + len(footer) + sum(len(name) + len(value) for name, value, _ in fields)
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - used)
    embed = discord.Embed(
        title=title,
        url=mv.youtube_link,
        description=_post_description(mv, plan, budget, local_time),
        colour=POST_COLOUR,
    )
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    embed.set_footer(text=footer)
    return embed


def _post_description(mv: MV, plan: PostPlan, budget: int, local_time: str | None) -> str:
    """Late note, warnings and the mature mark first (always visible), then the storyline."""
    late = None
    if plan.late:
        when = f" ({local_time})" if local_time else ""
        late = f"🕒 Posted late: Lightstick was offline at the scheduled time{when}."
    return head_then_story([late, warning_line(mv), MATURE_MARK if mv.mature else None], mv.storyline, budget)


def ping_content(role_id: int | None) -> str | None:
    """The message text: the configured role's mention, or nothing."""
    return role_mention(role_id) if role_id is not None else None


# --------------------------------------------------------------------------- setup


def missing_permissions_message(channel_mention: str, missing: Sequence[str]) -> str:
    return (
        f"I can't post the storyline in {channel_mention}: I'm missing {permission_list(missing)} there. "
        "Give my role those permissions in that channel (or change the options) and run "
        "`/storyline setup` again. Nothing was saved."
    )


def unmentionable_role_message(role_mention_text: str) -> str:
    return (
        f"I can't ping {role_mention_text}: the role is not mentionable and I don't have "
        f"{permission_list(['mention_everyone'])} in that channel. Make the role mentionable, give me "
        "that permission, or leave out ping_role. Nothing was saved."
    )


def wrong_channel_message(channel_mention: str, kind: str) -> str:
    return (
        f"{channel_mention} is a {kind} channel; the storyline needs a text or announcement channel. "
        "Pick one of those and run `/storyline setup` again. Nothing was saved."
    )


def setup_notes(settings: StorylineSettings, *, age_restricted: bool) -> list[str]:
    """What an admin should know right after setup (e.g. why mature entries won't appear)."""
    notes = ["Storyline of the day is set up."]
    if settings.include_mature and not age_restricted:
        notes.append("Mature MVs stay out until the channel is age-restricted (include_mature needs both).")
    return notes


# --------------------------------------------------------------------------- status


def build_status_embed(status: StorylineStatus, find: FindMV, *, notes: Sequence[str] = ()) -> discord.Embed:
    """`/storyline status`: where and when, the next post, the last result, cycle progress."""
    settings = status.settings
    problem = settings.paused or settings.disabled or settings.last_result == PostState.FAILED.value
    embed = discord.Embed(
        title="Storyline of the day — status",
        description=truncate("\n".join(notes), DESCRIPTION_LIMIT) if notes else None,
        colour=PROBLEM_COLOUR if problem else STATUS_COLOUR,
    )
    embed.add_field(name="Channel", value=f"<#{settings.channel_id}>", inline=True)
    embed.add_field(name="Time", value=f"{settings.local_time:%H:%M} {settings.timezone}", inline=True)
    embed.add_field(name="Options", value=_options_text(settings), inline=True)
    embed.add_field(name="Next post", value=truncate(_next_post_text(status), FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Last post", value=truncate(_last_post_text(status, find), FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Rotation", value=truncate(progress_text(status.progress), FIELD_VALUE_LIMIT), inline=False)
    return embed


def _options_text(settings: StorylineSettings) -> str:
    ping = role_mention(settings.ping_role_id) if settings.ping_role_id else "no ping"
    thread = "thread on" if settings.thread else "no thread"
    mature = "mature on" if settings.include_mature else "mature off"
    own = "server entries on" if settings.server_entries else "server entries off"
    return f"{ping} · {thread} · {mature} · {own} · catch-up {settings.catch_up_hours} h"


def _next_post_text(status: StorylineStatus) -> str:
    settings = status.settings
    if settings.disabled:
        return "Disabled. Run `/storyline setup` to turn it on again."
    if settings.paused:
        reason = settings.paused_reason
        if reason and "/storyline" in reason:  # an automatic pause already says what to do
            return f"⏸️ Paused: {defuse_bars(reason)}"
        said = f" ({defuse_bars(reason)})" if reason else ""
        return f"⏸️ Paused{said}. Run `/storyline resume` to continue."
    assert status.next_run is not None
    return run_text(status.next_run, settings.timezone)


def _last_post_text(status: StorylineStatus, find: FindMV) -> str:
    settings, record = status.settings, status.last_post
    lines = []
    if record is not None:
        lines.append(history_line(record, find))
    else:
        lines.append("Nothing posted yet.")
    if settings.last_result == PostState.FAILED.value and settings.last_error:
        lines.append(f"❌ Last attempt failed: {defuse_bars(settings.last_error)}")
    elif settings.last_error and record is not None and record.state is PostState.CLAIMED:
        lines.append(f"⚠️ Still checking: {defuse_bars(settings.last_error)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- today, history


def today_message(today: StorylineToday, settings: StorylineSettings, find: FindMV) -> str:
    """`/storyline today`: the link to today's post, or when it will come (or why it won't)."""
    record, day = today.post, format_day(today.local_date)
    if record is not None and record.state is PostState.POSTED:
        link = post_link(settings.guild_id, record.channel_id, record.message_id, record.thread_id)
        late = " (posted late)" if record.late else ""
        return f"Today's storyline ({day}): **{mv_name(record.mv_id, find)}**{late}\n{link}"
    if record is not None and record.state is PostState.CLAIMED:
        return f"Today's storyline ({day}) is being posted right now."
    if today.disabled:
        return "Storyline of the day is disabled here. An admin can turn it on with `/storyline setup`."
    if today.paused:
        return "Storyline of the day is paused here. An admin can continue it with `/storyline resume`."
    reason = _no_post_today(record)
    next_run = today.next_run
    if next_run is None:
        return reason or f"No storyline is scheduled for today ({day})."
    when = run_text(next_run, settings.timezone).replace("\n", " — ")
    if next_run.local_date == today.local_date:
        return f"Today's storyline comes {when}."
    prefix = reason or f"No storyline today ({day})."
    return f"{prefix} The next one comes {when}."


def _no_post_today(record: PostRecord | None) -> str | None:
    if record is None:
        return None
    day = format_day(record.local_date)
    if record.state is PostState.SKIPPED:
        return f"Today's storyline ({day}) was skipped."
    if record.state is PostState.MISSED:
        return f"Today's storyline ({day}) was missed: Lightstick was offline past the catch-up window."
    error = f": {defuse_bars(sentence(record.error))}" if record.error else ""
    return f"Today's storyline ({day}) could not be posted{error}."


def history_line(record: PostRecord, find: FindMV) -> str:
    """``✅ Sun 1 Mar 2026 — [Title — Artist (year)](link) · late``."""
    mark = _STATE_MARKS[record.state]
    day = f"{record.local_date:%a} {record.local_date.day} {record.local_date:%b %Y}"
    link = post_link(record.guild_id, record.channel_id, record.message_id, record.thread_id)
    if record.state is PostState.POSTED:
        name = mv_name(record.mv_id, find)
        what = f"[{name}]({link})" if link else name
    elif record.state is PostState.CLAIMED:
        what = f"{mv_name(record.mv_id, find)} (being posted)"
    elif record.state is PostState.FAILED:
        what = "not posted" + (f": {defuse_bars(truncate(record.error, 200))}" if record.error else "")
    else:
        what = record.state.value
    extras = [word for word, on in (("late", record.late), ("by /storyline post", record.manual)) if on]
    return f"{mark} {day} — {what}" + (" · " + ", ".join(extras) if extras else "")


def build_history_embed(records: Sequence[PostRecord], find: FindMV) -> discord.Embed:
    """`/storyline history`: the last days, newest first, with links to each post."""
    if records:
        description = join_lines([history_line(record, find) for record in records], DESCRIPTION_LIMIT)
    else:
        description = "Nothing posted yet."
    embed = discord.Embed(
        title=truncate(f"Storyline of the day — the last {HISTORY_LIMIT} days", TITLE_LIMIT),
        description=description,
        colour=STATUS_COLOUR,
    )
    embed.set_footer(text="✅ posted · ❌ failed · 💤 missed (offline) · ⏭️ skipped · ⏳ being posted")
    return embed


# --------------------------------------------------------------------------- admin replies


def preview_content(plan: PostPlan, timezone: str) -> str:
    when = local_moment(plan.scheduled_at, timezone)
    ping = f" It will ping {role_mention(plan.ping_role_id)}." if plan.ping_role_id else ""
    thread = " A discussion thread opens on it." if plan.thread else ""
    return truncate(f"Preview — only you see this. The next post goes out {when}.{ping}{thread}", MESSAGE_LIMIT)


def post_now_message(outcome: PostOutcome, guild_id: int, channel_id: int, find: FindMV) -> str:
    name = mv_name(outcome.mv_id, find)
    if outcome.result in (RunResult.POSTED, RunResult.RECOVERED):
        link = post_link(guild_id, channel_id, outcome.message_id, outcome.thread_id)
        return f"Posted today's storyline: **{name}**\n{link}\nThe scheduled post today will not repeat it."
    if outcome.result is RunResult.FAILED:
        reason = defuse_bars(sentence(outcome.error or "Discord refused it"))
        if "/storyline" in reason:  # the reason already says what to do
            return f"I couldn't post it: {reason}."
        return f"I couldn't post it: {reason}. Fix that and try again; `/storyline status` shows the details."
    if outcome.result is RunResult.IN_DOUBT:
        return (
            "Discord didn't confirm the post. I'll check the channel shortly and post it only if it "
            "is not there, so it won't appear twice."
        )
    return f"Nothing was posted ({outcome.result.value})."


def skipped_message(skipped: Skipped, timezone: str) -> str:
    when = run_text(skipped.next_run, timezone).replace("\n", " — ")
    return f"Skipped the storyline for {format_day(skipped.skipped.local_date)}. The next one comes {when}."


def paused_message() -> str:
    return "Paused. No storyline is posted until `/storyline resume`; settings and history stay."


def resumed_message(settings: StorylineSettings) -> str:
    when = run_text(settings.next_run, settings.timezone).replace("\n", " — ")
    return f"Resumed. The next storyline comes {when}."


def disabled_message() -> str:
    return "Disabled. Settings and history are kept; `/storyline setup` turns it on again."
