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

from bot.catalog import MV, theme_label
from bot.i18n import Msg, Number, _
from bot.polls import Poll, PollResults, PollStatus
from bot.polls.render import (
    SEPARATOR,
    audit_text,
    escape_markdown,
    footer_text,
    my_votes_text,
    option_lines,
    poll_label,
    results_summary,
    rules_line,
    timestamp,
    voters_msg,
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
HIDDEN_NOTE = _("Results are hidden until the poll closes.")
CLOSED_NOTE = _("**This poll is closed.** Final counts:")
MISSING_NOTE = _("**This poll is closed:** its message or channel was deleted. Its votes are kept.")


#: The heading of the results message a closing poll posts (its title: `Final results: question`).
FINAL_RESULTS = _("Final results")
RESULTS_SO_FAR = _("Results so far")


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
    line = f"**{voters_msg(results.turnout)}**"
    if results.weighted:
        line += SEPARATOR + str(_("weighing {weight} in all", weight=Number(results.turnout_weight)))
    return line


def build_poll_embed(poll: Poll, results: PollResults | None, *, can_remove_reactions: bool = True) -> discord.Embed:
    """The poll message: question, options with emoji (counts and bars when `results` is
    given), the rules in one line, and the poll id in the footer. Rendered in the current
    locale: build it inside the server's language.

    Pass `results=None` while the counts are hidden; a closed poll always shows them.
    """
    lines: list[str] = []
    if poll.status is PollStatus.CLOSED_MISSING:
        lines += [str(MISSING_NOTE), ""]
    elif not poll.is_open:
        lines += [str(CLOSED_NOTE), ""]
    lines.append("\n".join(option_lines(poll, results)))
    lines.append("")
    if results is not None:
        lines.append(turnout_line(results))
    elif poll.hide_results:
        lines.append(str(HIDDEN_NOTE))
    lines.append(rules_line(poll))
    colour = OPEN_COLOUR if poll.is_open else CLOSED_COLOUR
    embed = _embed(poll.question, "\n".join(lines), colour)
    embed.set_footer(text=truncate(footer_text(poll, can_remove_reactions=can_remove_reactions), FOOTER_LIMIT))
    return embed


def build_results_embed(poll: Poll, results: PollResults, *, with_chart: bool) -> discord.Embed:
    """The results message: ranked options with votes and %, turnout, winner or tie, chart."""
    heading = FINAL_RESULTS if results.final else RESULTS_SO_FAR
    embed = _embed(f"{heading}: {poll.question}", results_summary(results), RESULTS_COLOUR, poll_url(poll))
    if with_chart:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    footer = str(poll_label(poll.poll_id))
    if not results.final and poll.hide_results:
        footer += SEPARATOR + str(_("hidden from members until it closes"))
    embed.set_footer(text=footer)
    return embed


def build_hidden_results_embed(poll: Poll) -> discord.Embed:
    """What a member sees of a poll whose results are hidden until it closes."""
    description = _("{note} It closes {when}.", note=HIDDEN_NOTE, when=timestamp(poll.closes_at))
    embed = _embed(poll.question, str(description), OPEN_COLOUR, poll_url(poll))
    embed.set_footer(text=str(poll_label(poll.poll_id)))
    return embed


def build_myvotes_embed(poll: Poll, mine: MyVotes) -> discord.Embed:
    title = _("Your votes: {question}", question=poll.question)
    embed = _embed(str(title), my_votes_text(poll, mine), OPEN_COLOUR, poll_url(poll))
    embed.set_footer(text=str(poll_label(poll.poll_id)))
    return embed


def build_audit_embed(poll: Poll, report: AuditReport) -> discord.Embed:
    title = _("Audit: {question}", question=poll.question)
    embed = _embed(str(title), audit_text(report), CLOSED_COLOUR, poll_url(poll))
    only_you = _("only you can see this")
    embed.set_footer(text=f"{poll_label(poll.poll_id)}{SEPARATOR}{only_you}")
    return embed


def list_line(poll: Poll, problem: object | None = None) -> str:
    question = escape_markdown(truncate(poll.question, 80))
    url = poll_url(poll)
    title = f"[{question}]({url})" if url else question
    closes = _("closes {when}", when=timestamp(poll.closes_at))
    line = f"**#{poll.poll_id}** {title} · <#{poll.channel_id}> · {closes}"
    if problem:
        line += f"\n⚠️ {problem}"
    return line


def scheduled_line(poll: Poll) -> str:
    question = escape_markdown(truncate(poll.question, 80))
    assert poll.starts_at is not None
    starts = _("starts {when} ({relative})", when=timestamp(poll.starts_at, "F"), relative=timestamp(poll.starts_at))
    return f"**#{poll.poll_id}** {question} · <#{poll.channel_id}> · {starts}"


def _more(count: int) -> str:
    return str(_("…and {count} more.", count=Number(count)))


def build_list_embed(
    polls: Sequence[Poll], problems: Mapping[int, object] | None = None, scheduled: Sequence[Poll] = ()
) -> discord.Embed:
    """`/poll list`: this server's open polls, soonest to close first, then its scheduled
    polls, soonest to start first."""
    problems = problems or {}
    if not polls and not scheduled:
        return _embed(
            str(_("Open polls")),
            str(_("No polls are open in this server. Start one with `/poll create`.")),
            OPEN_COLOUR,
        )
    lines = [list_line(poll, problems.get(poll.poll_id)) for poll in polls[:LIST_LIMIT]]
    if len(polls) > LIST_LIMIT:
        lines.append(_more(len(polls) - LIST_LIMIT))
    if not polls:
        lines.append(str(_("No polls are open in this server.")))
    if scheduled:
        lines.append("\n**" + str(_("Scheduled ({count})", count=Number(len(scheduled)))) + "**")
        lines.extend(scheduled_line(poll) for poll in scheduled[:LIST_LIMIT])
        if len(scheduled) > LIST_LIMIT:
            lines.append(_more(len(scheduled) - LIST_LIMIT))
    text = truncate("\n".join(lines), DESCRIPTION_LIMIT)
    embed = _embed(str(_("Open polls ({count})", count=Number(len(polls)))), text, OPEN_COLOUR)
    return embed


# -- plain replies ------------------------------------------------------------------------


def missing_permissions_message(channel_mention: str, missing: Sequence[str], *, anonymous: bool = False) -> Msg:
    """Why a poll can't be posted in a channel, naming each missing permission."""
    permissions = permission_list(missing)
    if anonymous and "manage_messages" in missing:
        return _(
            "I can't run an anonymous poll in {channel}: I'm missing {permissions} there. "
            "Ask a server admin to give my role those permissions in that channel, or pick another channel. "
            "An anonymous poll needs **Manage Messages** so I can remove each reaction once it is counted.",
            channel=channel_mention,
            permissions=permissions,
        )
    if anonymous:
        return _(
            "I can't run an anonymous poll in {channel}: I'm missing {permissions} there. "
            "Ask a server admin to give my role those permissions in that channel, or pick another channel.",
            channel=channel_mention,
            permissions=permissions,
        )
    return _(
        "I can't run a poll in {channel}: I'm missing {permissions} there. "
        "Ask a server admin to give my role those permissions in that channel, or pick another channel.",
        channel=channel_mention,
        permissions=permissions,
    )


def channel_gone_message(channel_mention: str) -> Msg:
    return _("{channel} no longer exists (was it deleted?). Pick another channel.", channel=channel_mention)


def created_message(poll: Poll) -> Msg:
    url = poll_url(poll)
    where = f"<#{poll.channel_id}>"
    when = timestamp(poll.closes_at)
    if url:
        return _(
            "Poll #{id} is up in {channel} ({link}). It closes {when}.",
            id=poll.poll_id,
            channel=where,
            link=url,
            when=when,
        )
    return _("Poll #{id} is up in {channel}. It closes {when}.", id=poll.poll_id, channel=where, when=when)


def scheduled_message(poll: Poll, tz: tzinfo, zone: str) -> Msg:
    """The reply to a scheduled `/poll create`: the start in the server's timezone, stated,
    and as a Discord timestamp (each reader's own time)."""
    assert poll.starts_at is not None
    channel = f"<#{poll.channel_id}>"
    return _(
        "Poll #{id} is scheduled: it will be posted in {channel} on {local}, {when} in your time, "
        "and close {closes}. `/poll cancel poll:{id}` cancels it.",
        id=poll.poll_id,
        channel=channel,
        local=describe_local(poll.starts_at, tz, zone),
        when=timestamp(poll.starts_at, "F"),
        closes=timestamp(poll.closes_at, "F"),
    )


def closed_message(poll: Poll) -> Msg:
    channel = f"<#{poll.channel_id}>"
    if poll.quiet:  # a bracket match: the round summary reports it
        return _(
            "Poll #{id} is closed; its message in {channel} shows the final counts.", id=poll.poll_id, channel=channel
        )
    return _("Poll #{id} is closed; the results are posted in {channel}.", id=poll.poll_id, channel=channel)


def extended_message(poll: Poll, closes_at: datetime) -> Msg:
    return _(
        "Poll #{id} now closes {when} ({date}).",
        id=poll.poll_id,
        when=timestamp(closes_at),
        date=timestamp(closes_at, "f"),
    )


def reopened_message(poll: Poll) -> Msg:
    return _(
        "Poll #{id} is open again, its votes kept; it closes {when} ({date}).",
        id=poll.poll_id,
        when=timestamp(poll.closes_at),
        date=timestamp(poll.closes_at, "f"),
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
    """The default question, in the current locale (the server's: it is posted):
    `Which is the best K-pop music video of 2024?` and variants."""
    theme_name = theme_label(theme.strip().casefold()) if theme else None
    if artist and theme_name:
        subject = _("{artist} music video about {theme}", artist=artist, theme=theme_name)
    elif artist:
        subject = _("{artist} music video", artist=artist)
    elif theme_name:
        subject = _("{theme} K-pop music video", theme=theme_name)
    else:
        subject = _("K-pop music video")
    if year is not None:
        question = _("Which is the best {subject} of {year}?", subject=subject, year=year)
    else:
        question = _("Which is the best {subject}?", subject=subject)
    return truncate(str(question), MAX_QUESTION_LENGTH)
