"""Pure builders for storyline of the day: the daily post, status, today, preview and history.

Everything is rendered in the current language when it is built: the cog builds the daily
post and its thread name inside ``speaking(<the server's language>)``, and the replies to a
member in that member's language (set for every interaction).

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
from bot.i18n import Day, Duration, Msg, Number, Text, _, _n, current_locale, in_every_locale
from bot.i18n.formatting import day as babel_day
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
from bot.storyline.reasons import shown
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

THREAD_NAME_LIMIT = 100
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

# TRANSLATORS: what happened to a day's storyline, in /storyline history.
_STATE_LABELS: dict[PostState, Msg] = {
    # TRANSLATORS: a day's storyline state (history).
    PostState.POSTED: _("posted"),
    # TRANSLATORS: a day's storyline state (history): it is being sent right now.
    PostState.CLAIMED: _("being posted"),
    # TRANSLATORS: a day's storyline state (history).
    PostState.FAILED: _("failed"),
    # TRANSLATORS: a day's storyline state (history): Lightstick was offline.
    PostState.MISSED: _("missed"),
    # TRANSLATORS: a day's storyline state (history): an admin skipped it.
    PostState.SKIPPED: _("skipped"),
}


def _line(text: Text | None) -> str | None:
    """A line that may be a message (or missing), as text in the current language."""
    return None if text is None else str(text)


# --------------------------------------------------------------------------- small pieces


def format_day(day: date) -> str:
    """A date in the reader's language (``March 1, 2026``): the same in titles, status and history."""
    return babel_day(day, current_locale())


def _post_title(day: date) -> Msg:
    return _("Storyline of the day — {day}", day=Day(day))


def post_title(day: date) -> str:
    """The daily post's embed title, in the current language."""
    return str(_post_title(day))


def post_titles(day: date) -> frozenset[str]:
    """The daily post's title in every language: recovery after a crash looks for any of these
    (the server's language may have changed since the post went out)."""
    return in_every_locale(lambda: _post_title(day))


def thread_name(mv: MV) -> str:
    """``<title> — discussion``; Discord caps thread names at 100, so the title gives way."""
    name = str(_("{title} — discussion", title=mv.title))
    over = len(name) - THREAD_NAME_LIMIT
    if over <= 0:
        return name
    title = truncate(mv.title, max(len(mv.title) - over, 1))
    return str(_("{title} — discussion", title=title))[:THREAD_NAME_LIMIT]


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
    """``March 2, 2026 at 21:00 (Asia/Seoul)`` — the server's own clock."""
    local = moment.astimezone(ZoneInfo(timezone))
    clock = local.strftime("%H:%M")
    # TRANSLATORS: a moment in the server's own clock: "March 2, 2026 at 21:00 (Asia/Seoul)".
    return str(_("{day} at {time} ({timezone})", day=Day(local.date()), time=clock, timezone=timezone))


def run_text(run: ScheduledRun, timezone: str) -> str:
    """A run in the server's local time and as a Discord timestamp (each reader's own clock)."""
    stamp = discord.utils.format_dt(run.run_at, "F")
    relative = discord.utils.format_dt(run.run_at, "R")
    return f"{local_moment(run.run_at, timezone)}\n{stamp} · {relative}"


def mv_name(mv_id: str | None, find: FindMV) -> str:
    if mv_id is None:
        return "—"
    mv = find(mv_id)
    return defuse(mv.display_name) if mv else str(_("`{id}` (no longer in the catalog)", id=mv_id))


def sentence(text: str) -> str:
    """`text` without its closing full stop, for messages that add their own."""
    return text.rstrip().removesuffix(".").removesuffix("。")


def reason_text(stored: str) -> str:
    """A stored English reason in the reader's language (see :mod:`bot.storyline.reasons`)."""
    return str(shown(stored))


def cycle_line(remaining: int) -> str:
    """``N more before the cycle repeats``, with a warning when three or fewer are left."""
    if remaining <= 0:
        return "⚠️ " + str(_("This is the last storyline of the cycle; the next one starts again in a new order."))
    if remaining <= LOW_REMAINING:
        return "⚠️ " + str(
            _n(
                "Only {count} more storyline before the cycle repeats.",
                "Only {count} more storylines before the cycle repeats.",
                remaining,
            )
        )
    return str(
        _n(
            "{count} more storyline before the cycle repeats.",
            "{count} more storylines before the cycle repeats.",
            remaining,
        )
    )


def progress_text(progress: CycleProgress) -> str:
    line = _(
        "Cycle {cycle}: {posted} of {total} posted.",
        cycle=progress.cycle + 1,
        posted=Number(progress.posted),
        total=Number(progress.total),
    )
    return f"{line} {cycle_line(progress.remaining)}"


# --------------------------------------------------------------------------- the daily post


def previous_text(guild_id: int, plan: PostPlan, previous: PreviousPost) -> tuple[str, str]:
    """The field linking to the last post (its thread when it had one)."""
    yesterday = previous.local_date == plan.local_date - timedelta(days=1)
    older = _("Previous storyline ({day})", day=Day(previous.local_date))
    name = _("Yesterday's storyline") if yesterday else older
    link = post_link(guild_id, previous.channel_id, previous.message_id, previous.thread_id)
    what = _("Discussion thread") if previous.thread_id is not None else _("The post")
    return str(name), f"[{what}]({link})"


def build_post_embed(mv: MV, plan: PostPlan, *, local_time: str | None = None) -> discord.Embed:
    """The daily post: MV, artist, year, warnings, the storyline, the twist behind spoilers."""
    title = post_title(plan.local_date)
    fields: list[tuple[str, str, bool]] = [
        # TRANSLATORS: field heading of the daily storyline post: the music video's title.
        (str(_("MV")), card_title(mv), True),
        (str(_("Artist")), truncate(defuse(mv.credit), SHORT_FIELD_LIMIT), True),
        # TRANSLATORS: field heading: the year the MV came out.
        (str(_("Year")), str(mv.year), True),
    ]
    if mv.twist:
        fields.append((str(_("Twist (spoiler)")), spoiler(mv.twist, FIELD_VALUE_LIMIT), False))
    label = _("Watch on YouTube") if mv.youtube_url else _("Find it on YouTube")
    # TRANSLATORS: field heading above the link to the video (a noun-like heading, "where to watch").
    fields.append((str(_("Watch")), f"[{label}]({mv.youtube_link})", False))
    if plan.previous is not None:
        name, value = previous_text(plan.guild_id, plan, plan.previous)
        fields.append((name, value, False))
    footer = truncate(cycle_line(plan.remaining_in_cycle), FOOTER_LIMIT)
    used = len(title) + len(footer) + sum(len(name) + len(value) for name, value, _inline in fields)
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
        if local_time:
            note = _("Posted late: Lightstick was offline at the scheduled time ({time}).", time=local_time)
        else:
            note = _("Posted late: Lightstick was offline at the scheduled time.")
        late = f"🕒 {note}"
    mature = _line(MATURE_MARK) if mv.mature else None
    return head_then_story([late, _line(warning_line(mv)), mature], mv.storyline, budget)


def ping_content(role_id: int | None) -> str | None:
    """The message text: the configured role's mention, or nothing."""
    return role_mention(role_id) if role_id is not None else None


# --------------------------------------------------------------------------- setup


def missing_permissions_message(channel_mention: str, missing: Sequence[str]) -> Msg:
    return _(
        "I can't post the storyline in {channel}: I'm missing {permissions} there. "
        "Give my role those permissions in that channel (or change the options) and run "
        "`/storyline setup` again. Nothing was saved.",
        channel=channel_mention,
        permissions=permission_list(missing),
    )


def unmentionable_role_message(role_mention_text: str) -> Msg:
    # TRANSLATORS: ping_role is the /storyline setup option (use its name in your language).
    return _(
        "I can't ping {role}: the role is not mentionable and I don't have "
        "{permission} in that channel. Make the role mentionable, give me "
        "that permission, or leave out ping_role. Nothing was saved.",
        role=role_mention_text,
        permission=permission_list(["mention_everyone"]),
    )


def wrong_channel_message(channel_mention: str, kind: Text) -> Msg:
    """`kind` says what the channel is instead: ``a voice channel``, ``a thread channel``…"""
    # TRANSLATORS: {kind} is e.g. "a voice channel", "a forum channel".
    return _(
        "{channel} is {kind}; the storyline needs a text or announcement channel. "
        "Pick one of those and run `/storyline setup` again. Nothing was saved.",
        channel=channel_mention,
        kind=kind,
    )


def setup_notes(settings: StorylineSettings, *, age_restricted: bool) -> list[str]:
    """What an admin should know right after setup (e.g. why mature entries won't appear)."""
    notes = [str(_("Storyline of the day is set up."))]
    if settings.include_mature and not age_restricted:
        # TRANSLATORS: include_mature is the /storyline setup option (use its name in your language).
        notes.append(str(_("Mature MVs stay out until the channel is age-restricted (include_mature needs both).")))
    return notes


# --------------------------------------------------------------------------- status


def build_status_embed(status: StorylineStatus, find: FindMV, *, notes: Sequence[str] = ()) -> discord.Embed:
    """`/storyline status`: where and when, the next post, the last result, cycle progress."""
    settings = status.settings
    problem = settings.paused or settings.disabled or settings.last_result == PostState.FAILED.value
    embed = discord.Embed(
        title=str(_("Storyline of the day — status")),
        description=truncate("\n".join(notes), DESCRIPTION_LIMIT) if notes else None,
        colour=PROBLEM_COLOUR if problem else STATUS_COLOUR,
    )
    embed.add_field(name=str(_("Channel")), value=f"<#{settings.channel_id}>", inline=True)
    # TRANSLATORS: field heading: the daily posting time.
    embed.add_field(name=str(_("Time")), value=f"{settings.local_time:%H:%M} {settings.timezone}", inline=True)
    embed.add_field(name=str(_("Options")), value=_options_text(settings), inline=True)
    next_post = truncate(_next_post_text(status), FIELD_VALUE_LIMIT)
    embed.add_field(name=str(_("Next post")), value=next_post, inline=False)
    last_post = truncate(_last_post_text(status, find), FIELD_VALUE_LIMIT)
    embed.add_field(name=str(_("Last post")), value=last_post, inline=False)
    rotation = truncate(progress_text(status.progress), FIELD_VALUE_LIMIT)
    embed.add_field(name=str(_("Rotation")), value=rotation, inline=False)
    return embed


def _options_text(settings: StorylineSettings) -> str:
    ping = role_mention(settings.ping_role_id) if settings.ping_role_id else _("no ping")
    thread = _("thread on") if settings.thread else _("no thread")
    mature = _("mature on") if settings.include_mature else _("mature off")
    own = _("server entries on") if settings.server_entries else _("server entries off")
    # TRANSLATORS: how late a post may still go out after downtime, e.g. "catch-up 6 hours".
    catch_up = _("catch-up {duration}", duration=Duration(settings.catch_up))
    return " · ".join(str(part) for part in (ping, thread, mature, own, catch_up))


def _next_post_text(status: StorylineStatus) -> str:
    settings = status.settings
    if settings.disabled:
        return str(_("Disabled. Run `/storyline setup` to turn it on again."))
    if settings.paused:
        stored = settings.paused_reason
        if stored and "/storyline" in stored:  # an automatic pause already says what to do
            return "⏸️ " + str(_("Paused: {reason}", reason=defuse_bars(reason_text(stored))))
        if stored:
            reason = defuse_bars(reason_text(stored))
            return "⏸️ " + str(_("Paused ({reason}). Run `/storyline resume` to continue.", reason=reason))
        return "⏸️ " + str(_("Paused. Run `/storyline resume` to continue."))
    assert status.next_run is not None
    return run_text(status.next_run, settings.timezone)


def _last_post_text(status: StorylineStatus, find: FindMV) -> str:
    settings, record = status.settings, status.last_post
    lines = []
    if record is not None:
        lines.append(history_line(record, find))
    else:
        lines.append(str(_("Nothing posted yet.")))
    if settings.last_result == PostState.FAILED.value and settings.last_error:
        error = defuse_bars(reason_text(settings.last_error))
        lines.append("❌ " + str(_("Last attempt failed: {error}", error=error)))
    elif settings.last_error and record is not None and record.state is PostState.CLAIMED:
        error = defuse_bars(reason_text(settings.last_error))
        lines.append("⚠️ " + str(_("Still checking: {error}", error=error)))
    return "\n".join(lines)


# --------------------------------------------------------------------------- today, history


def today_message(today: StorylineToday, settings: StorylineSettings, find: FindMV) -> str:
    """`/storyline today`: the link to today's post, or when it will come (or why it won't)."""
    record, day = today.post, Day(today.local_date)
    if record is not None and record.state is PostState.POSTED:
        link = post_link(settings.guild_id, record.channel_id, record.message_id, record.thread_id)
        name = mv_name(record.mv_id, find)
        if record.late:
            posted = _("Today's storyline ({day}): **{mv}** (posted late)", day=day, mv=name)
        else:
            posted = _("Today's storyline ({day}): **{mv}**", day=day, mv=name)
        return f"{posted}\n{link}"
    if record is not None and record.state is PostState.CLAIMED:
        return str(_("Today's storyline ({day}) is being posted right now.", day=day))
    if today.disabled:
        return str(_("Storyline of the day is disabled here. An admin can turn it on with `/storyline setup`."))
    if today.paused:
        return str(_("Storyline of the day is paused here. An admin can continue it with `/storyline resume`."))
    reason = _no_post_today(record)
    next_run = today.next_run
    if next_run is None:
        return str(reason or _("No storyline is scheduled for today ({day}).", day=day))
    when = run_text(next_run, settings.timezone).replace("\n", " — ")
    if next_run.local_date == today.local_date:
        return str(_("Today's storyline comes {when}.", when=when))
    prefix = reason or _("No storyline today ({day}).", day=day)
    coming = _("The next one comes {when}.", when=when)
    return f"{prefix} {coming}"


def _no_post_today(record: PostRecord | None) -> Msg | None:
    if record is None:
        return None
    day = Day(record.local_date)
    if record.state is PostState.SKIPPED:
        return _("Today's storyline ({day}) was skipped.", day=day)
    if record.state is PostState.MISSED:
        return _("Today's storyline ({day}) was missed: Lightstick was offline past the catch-up window.", day=day)
    if record.error:
        error = defuse_bars(sentence(reason_text(record.error)))
        return _("Today's storyline ({day}) could not be posted: {error}.", day=day, error=error)
    return _("Today's storyline ({day}) could not be posted.", day=day)


def history_line(record: PostRecord, find: FindMV) -> str:
    """``✅ March 1, 2026 — [Title — Artist (year)](link) · late``."""
    mark = _STATE_MARKS[record.state]
    day = format_day(record.local_date)
    link = post_link(record.guild_id, record.channel_id, record.message_id, record.thread_id)
    what: Text
    if record.state is PostState.POSTED:
        name = mv_name(record.mv_id, find)
        what = f"[{name}]({link})" if link else name
    elif record.state is PostState.CLAIMED:
        what = _("{mv} (being posted)", mv=mv_name(record.mv_id, find))
    elif record.state is PostState.FAILED and record.error:
        what = _("not posted: {error}", error=defuse_bars(truncate(reason_text(record.error), 200)))
    elif record.state is PostState.FAILED:
        what = _("not posted")
    else:
        what = _STATE_LABELS[record.state]
    # TRANSLATORS: history tags: the post went out late / an admin posted it with /storyline post.
    tags = ((_("late"), record.late), (_("by /storyline post"), record.manual))
    extras = [str(word) for word, on in tags if on]
    return f"{mark} {day} — {what}" + (" · " + ", ".join(extras) if extras else "")


def build_history_embed(records: Sequence[PostRecord], find: FindMV) -> discord.Embed:
    """`/storyline history`: the last days, newest first, with links to each post."""
    if records:
        description = join_lines([history_line(record, find) for record in records], DESCRIPTION_LIMIT)
    else:
        description = str(_("Nothing posted yet."))
    title = _n(
        "Storyline of the day — the last {count} day",
        "Storyline of the day — the last {count} days",
        HISTORY_LIMIT,
    )
    embed = discord.Embed(title=truncate(str(title), TITLE_LIMIT), description=description, colour=STATUS_COLOUR)
    # TRANSLATORS: "offline" explains "missed" in the history legend: Lightstick was offline.
    missed = _("{missed} (offline)", missed=_STATE_LABELS[PostState.MISSED])
    legend = [
        f"{_STATE_MARKS[PostState.POSTED]} {_STATE_LABELS[PostState.POSTED]}",
        f"{_STATE_MARKS[PostState.FAILED]} {_STATE_LABELS[PostState.FAILED]}",
        f"{_STATE_MARKS[PostState.MISSED]} {missed}",
        f"{_STATE_MARKS[PostState.SKIPPED]} {_STATE_LABELS[PostState.SKIPPED]}",
        f"{_STATE_MARKS[PostState.CLAIMED]} {_STATE_LABELS[PostState.CLAIMED]}",
    ]
    embed.set_footer(text=" · ".join(legend))
    return embed


# --------------------------------------------------------------------------- admin replies


def preview_content(plan: PostPlan, timezone: str) -> str:
    when = local_moment(plan.scheduled_at, timezone)
    parts: list[Text] = [_("Preview — only you see this. The next post goes out {when}.", when=when)]
    if plan.ping_role_id:
        parts.append(_("It will ping {role}.", role=role_mention(plan.ping_role_id)))
    if plan.thread:
        parts.append(_("A discussion thread opens on it."))
    return truncate(" ".join(str(part) for part in parts), MESSAGE_LIMIT)


def post_now_message(outcome: PostOutcome, guild_id: int, channel_id: int, find: FindMV) -> str:
    name = mv_name(outcome.mv_id, find)
    if outcome.result in (RunResult.POSTED, RunResult.RECOVERED):
        link = post_link(guild_id, channel_id, outcome.message_id, outcome.thread_id)
        posted = _("Posted today's storyline: **{mv}**", mv=name)
        once = _("The scheduled post today will not repeat it.")
        return f"{posted}\n{link}\n{once}"
    if outcome.result is RunResult.FAILED:
        stored = outcome.error
        reason = defuse_bars(sentence(reason_text(stored) if stored else str(_("Discord refused it"))))
        if stored and "/storyline" in stored:  # the reason already says what to do
            return str(_("I couldn't post it: {reason}.", reason=reason))
        return str(
            _(
                "I couldn't post it: {reason}. Fix that and try again; `/storyline status` shows the details.",
                reason=reason,
            )
        )
    if outcome.result is RunResult.IN_DOUBT:
        return str(
            _(
                "Discord didn't confirm the post. I'll check the channel shortly and post it only if it "
                "is not there, so it won't appear twice."
            )
        )
    return str(_("Nothing was posted ({result}).", result=outcome.result.value))


def skipped_message(skipped: Skipped, timezone: str) -> str:
    when = run_text(skipped.next_run, timezone).replace("\n", " — ")
    return str(
        _(
            "Skipped the storyline for {day}. The next one comes {when}.",
            day=Day(skipped.skipped.local_date),
            when=when,
        )
    )


def paused_message() -> str:
    return str(_("Paused. No storyline is posted until `/storyline resume`; settings and history stay."))


def resumed_message(settings: StorylineSettings) -> str:
    when = run_text(settings.next_run, settings.timezone).replace("\n", " — ")
    return str(_("Resumed. The next storyline comes {when}.", when=when))


def disabled_message() -> str:
    return str(_("Disabled. Settings and history are kept; `/storyline setup` turns it on again."))
