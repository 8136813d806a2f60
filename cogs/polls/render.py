"""Pure embed builders for `/poll`: the poll message, results, myvotes, audit and list.

Text comes from :mod:`bot.polls.render` (no Discord there); this module only puts it into
embeds and keeps every embed inside Discord's limits. Nothing here sends anything, and no
builder puts user text where it could ping: mentions in embeds never notify, and every
message is sent with ``allowed_mentions`` none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

import discord

from bot.catalog import MV
from bot.polls import Poll, PollResults, PollStatus
from bot.polls.render import (
    audit_text,
    escape_markdown,
    footer_text,
    my_votes_text,
    option_lines,
    plural,
    results_summary,
    rules_line,
    timestamp,
)
from bot.polls.rules import MAX_OPTION_LENGTH, MAX_QUESTION_LENGTH
from bot.polls.schedule import describe_local
from bot.polls.store import AuditReport, MyVotes
from bot.ui import DESCRIPTION_LIMIT, FOOTER_LIMIT, TITLE_LIMIT, message_link, permission_list, truncate

#: Polls shown by `/poll list`; the rest are counted, not listed.
LIST_LIMIT = 20

OPEN_COLOUR = discord.Colour.from_rgb(88, 101, 242)
CLOSED_COLOUR = discord.Colour.from_rgb(101, 109, 118)
RESULTS_COLOUR = discord.Colour.from_rgb(235, 69, 158)

CHART_FILENAME = "results.png"
HIDDEN_NOTE = "Results are hidden until the poll closes."
CLOSED_NOTE = "**This poll is closed.** Final counts:"
MISSING_NOTE = "**This poll is closed:** its message or channel was deleted. Its votes are kept."


def poll_url(poll: Poll) -> str | None:
    """A jump link to the poll message (None before it is posted)."""
    if poll.message_id is None:
        return None
    return message_link(poll.guild_id, poll.channel_id, poll.message_id)


def _embed(title: str, description: str, colour: discord.Colour, url: str | None = None) -> discord.Embed:
    return discord.Embed(
        title=truncate(title, TITLE_LIMIT),
        description=truncate(description, DESCRIPTION_LIMIT),
        colour=colour,
        url=url,
    )


def turnout_line(results: PollResults) -> str:
    line = f"**{plural(results.turnout, 'voter')}**"
    if results.weighted:
        line += f" · weighing {results.turnout_weight:,} in all"
    return line


def build_poll_embed(poll: Poll, results: PollResults | None, *, can_remove_reactions: bool = True) -> discord.Embed:
    """The poll message: question, options with emoji (counts and bars when `results` is
    given), the rules in one line, and the poll id in the footer.

    Pass `results=None` while the counts are hidden; a closed poll always shows them.
    """
    lines: list[str] = []
    if poll.status is PollStatus.CLOSED_MISSING:
        lines += [MISSING_NOTE, ""]
    elif not poll.is_open:
        lines += [CLOSED_NOTE, ""]
    lines.append("\n".join(option_lines(poll, results)))
    lines.append("")
    if results is not None:
        lines.append(turnout_line(results))
    elif poll.hide_results:
        lines.append(HIDDEN_NOTE)
    lines.append(rules_line(poll))
    colour = OPEN_COLOUR if poll.is_open else CLOSED_COLOUR
    embed = _embed(poll.question, "\n".join(lines), colour)
    embed.set_footer(text=truncate(footer_text(poll, can_remove_reactions=can_remove_reactions), FOOTER_LIMIT))
    return embed


def build_results_embed(poll: Poll, results: PollResults, *, with_chart: bool) -> discord.Embed:
    """The results message: ranked options with votes and %, turnout, winner or tie, chart."""
    heading = "Final results" if results.final else "Results so far"
    embed = _embed(f"{heading}: {poll.question}", results_summary(results), RESULTS_COLOUR, poll_url(poll))
    if with_chart:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    footer = f"Poll #{poll.poll_id}"
    if not results.final and poll.hide_results:
        footer += " · hidden from members until it closes"
    embed.set_footer(text=footer)
    return embed


def build_hidden_results_embed(poll: Poll) -> discord.Embed:
    """What a member sees of a poll whose results are hidden until it closes."""
    description = f"{HIDDEN_NOTE} It closes {timestamp(poll.closes_at)}."
    embed = _embed(poll.question, description, OPEN_COLOUR, poll_url(poll))
    embed.set_footer(text=f"Poll #{poll.poll_id}")
    return embed


def build_myvotes_embed(poll: Poll, mine: MyVotes) -> discord.Embed:
    embed = _embed(f"Your votes: {poll.question}", my_votes_text(poll, mine), OPEN_COLOUR, poll_url(poll))
    embed.set_footer(text=f"Poll #{poll.poll_id}")
    return embed


def build_audit_embed(poll: Poll, report: AuditReport) -> discord.Embed:
    embed = _embed(f"Audit: {poll.question}", audit_text(report), CLOSED_COLOUR, poll_url(poll))
    embed.set_footer(text=f"Poll #{poll.poll_id} · only you can see this")
    return embed


def list_line(poll: Poll, problem: str | None = None) -> str:
    question = escape_markdown(truncate(poll.question, 80))
    url = poll_url(poll)
    title = f"[{question}]({url})" if url else question
    line = f"**#{poll.poll_id}** {title} · <#{poll.channel_id}> · closes {timestamp(poll.closes_at)}"
    if problem:
        line += f"\n⚠️ {problem}"
    return line


def scheduled_line(poll: Poll) -> str:
    question = escape_markdown(truncate(poll.question, 80))
    assert poll.starts_at is not None
    return (
        f"**#{poll.poll_id}** {question} · <#{poll.channel_id}> · starts {timestamp(poll.starts_at, 'F')} "
        f"({timestamp(poll.starts_at)})"
    )


def build_list_embed(
    polls: Sequence[Poll], problems: Mapping[int, str] | None = None, scheduled: Sequence[Poll] = ()
) -> discord.Embed:
    """`/poll list`: this server's open polls, soonest to close first, then its scheduled
    polls, soonest to start first."""
    problems = problems or {}
    if not polls and not scheduled:
        return _embed("Open polls", "No polls are open in this server. Start one with `/poll create`.", OPEN_COLOUR)
    lines = [list_line(poll, problems.get(poll.poll_id)) for poll in polls[:LIST_LIMIT]]
    if len(polls) > LIST_LIMIT:
        lines.append(f"…and {len(polls) - LIST_LIMIT} more.")
    if not polls:
        lines.append("No polls are open in this server.")
    if scheduled:
        lines.append(f"\n**Scheduled ({len(scheduled)})**")
        lines.extend(scheduled_line(poll) for poll in scheduled[:LIST_LIMIT])
        if len(scheduled) > LIST_LIMIT:
            lines.append(f"…and {len(scheduled) - LIST_LIMIT} more.")
    text = truncate("\n".join(lines), DESCRIPTION_LIMIT)
    embed = _embed(f"Open polls ({len(polls)})", text, OPEN_COLOUR)
    return embed


# -- plain replies ------------------------------------------------------------------------


def missing_permissions_message(channel_mention: str, missing: Sequence[str], *, anonymous: bool = False) -> str:
    """Why a poll can't be posted in a channel, naming each missing permission."""
    kind = "an anonymous poll" if anonymous else "a poll"
    text = (
        f"I can't run {kind} in {channel_mention}: I'm missing {permission_list(missing)} there. "
        "Ask a server admin to give my role those permissions in that channel, or pick another channel."
    )
    if anonymous and "manage_messages" in missing:
        text += " An anonymous poll needs **Manage Messages** so I can remove each reaction once it is counted."
    return text


def channel_gone_message(channel_mention: str) -> str:
    return f"{channel_mention} no longer exists (was it deleted?). Pick another channel."


def created_message(poll: Poll) -> str:
    url = poll_url(poll)
    where = f"<#{poll.channel_id}>"
    link = f" ({url})" if url else ""
    return f"Poll #{poll.poll_id} is up in {where}{link}. It closes {timestamp(poll.closes_at)}."


def scheduled_message(poll: Poll, tz: tzinfo, zone: str) -> str:
    """The reply to a scheduled `/poll create`: the start in the server's timezone, stated,
    and as a Discord timestamp (each reader's own time)."""
    assert poll.starts_at is not None
    return (
        f"Poll #{poll.poll_id} is scheduled: it will be posted in <#{poll.channel_id}> on "
        f"{describe_local(poll.starts_at, tz, zone)}, {timestamp(poll.starts_at, 'F')} in your time, "
        f"and close {timestamp(poll.closes_at, 'F')}. `/poll cancel poll:{poll.poll_id}` cancels it."
    )


def closed_message(poll: Poll) -> str:
    if poll.quiet:  # a bracket match: the round summary reports it
        return f"Poll #{poll.poll_id} is closed; its message in <#{poll.channel_id}> shows the final counts."
    return f"Poll #{poll.poll_id} is closed; the results are posted in <#{poll.channel_id}>."


def extended_message(poll: Poll, closes_at: datetime) -> str:
    return f"Poll #{poll.poll_id} now closes {timestamp(closes_at)} ({timestamp(closes_at, 'f')})."


def reopened_message(poll: Poll) -> str:
    return (
        f"Poll #{poll.poll_id} is open again, its votes kept; it closes {timestamp(poll.closes_at)} "
        f"({timestamp(poll.closes_at, 'f')})."
    )


def export_filename(poll: Poll) -> str:
    return f"poll-{poll.poll_id}.csv"


# -- /poll mv -------------------------------------------------------------------------------


def mv_option_label(mv: MV) -> str:
    """`Spell - SEVENTEEN`, `toxic till the end - ROSÉ (BLACKPINK)`; ≤ 100 characters."""
    suffix = f" - {mv.credit}"
    room = MAX_OPTION_LENGTH - len(suffix)
    if room >= 20:
        return truncate(mv.title, room) + suffix
    return truncate(mv.title + suffix, MAX_OPTION_LENGTH)


def mv_poll_question(*, year: int | None = None, artist: str | None = None, theme: str | None = None) -> str:
    """The default question: `Which is the best K-pop music video of 2024?` and variants."""
    subject = f"{artist} music video" if artist else "K-pop music video"
    if theme:
        subject = f"{theme.strip().casefold()} {subject}" if artist is None else f"{subject} about {theme.strip()}"
    question = f"Which is the best {subject}"
    if year is not None:
        question += f" of {year}"
    return truncate(question, MAX_QUESTION_LENGTH - 1) + "?"
