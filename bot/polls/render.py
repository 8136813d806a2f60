"""Pure text for the poll's Discord messages: option lines, rules line, results summary,
/poll myvotes, /poll audit, autocomplete names and the CSV export. No Discord import: the
cog puts these strings into embeds (and keeps ``allowed_mentions`` at none).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_unix
from bot.polls.rules import Poll, PollResults, PollStatus, option_marker
from bot.polls.store import AuditReport, MyVotes, PollSummary, VoterRow
from bot.text import truncate

BAR_WIDTH = 10
_MARKDOWN = re.compile(r"([\\*_~`|>])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def timestamp(when: datetime, style: str = "R") -> str:
    """Discord renders `<t:unix:style>` in each reader's own time zone."""
    return f"<t:{to_unix(when)}:{style}>"


def count_bar(votes: int, most: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * votes / most) if most else 0
    return "█" * filled + "░" * (width - filled)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def rules_line(poll: Poll) -> str:
    """The rules in one line: choices, role, ages, when it closes."""
    parts = ["Pick 1" if poll.choices == 1 else f"Pick up to {poll.choices}"]
    if poll.role_id is not None:
        parts.append(f"<@&{poll.role_id}> only")
    if poll.min_account_age_days:
        parts.append(f"accounts ≥ {plural(poll.min_account_age_days, 'day')} old")
    if poll.min_member_age_days:
        parts.append(f"members for ≥ {plural(poll.min_member_age_days, 'day')}")
    if poll.hide_results and poll.is_open:
        parts.append("results hidden until it closes")
    if poll.is_open:
        parts.append(f"closes {timestamp(poll.closes_at)}")
    else:
        closed = poll.closed_at or poll.closes_at
        parts.append(f"closed {timestamp(closed)}")
    return " · ".join(parts)


def option_lines(poll: Poll, results: PollResults | None) -> list[str]:
    """One line per option in poll order; counts and bars only when `results` is given
    (pass None while results are hidden from the reader)."""
    lines = []
    most = max((result.votes for result in results.ranked), default=0) if results else 0
    for option, (emoji, label) in enumerate(zip(poll.emojis, poll.options, strict=True)):
        line = f"{emoji} {escape_markdown(label)}"
        if results is not None:
            result = results.for_option(option)
            line += f"\n`{count_bar(result.votes, most)}` {result.votes:,} ({result.percent:.0f}%)"
        lines.append(line)
    return lines


def footer_text(poll: Poll, *, can_remove_reactions: bool = True) -> str:
    text = f"Poll #{poll.poll_id}"
    if poll.status is PollStatus.CLOSED_MISSING:
        text += " · closed: its message or channel was deleted"
    elif not poll.is_open:
        text += " · closed"
    if not can_remove_reactions and poll.is_open:
        text += " · votes follow the rules, but Lightstick can't remove reactions here (it needs Manage Messages)"
    return text


def winner_line(results: PollResults) -> str:
    if not results.winners:
        return "No votes were cast." if results.final else "No votes yet."
    n_options = len(results.ranked)
    top = results.for_option(results.winners[0])
    if results.is_tie:
        tied = ", ".join(
            f"{results.for_option(o).emoji} {escape_markdown(results.for_option(o).label)}" for o in results.winners
        )
        return f"Tie between {tied} with {plural(top.votes, 'vote')} each."
    lead = "Winner" if results.final else "Leading"
    marker = option_marker(n_options, top.option)
    label = escape_markdown(top.label)
    return f"{lead}: {top.emoji} **{label}** ({marker}) with {plural(top.votes, 'vote')}."


def results_summary(results: PollResults, limit: int = 4096) -> str:
    """Ranked options with votes and %, turnout, and the winner or tie (an embed description)."""
    lines = [
        f"**{result.rank}.** {result.emoji} {escape_markdown(result.label)} — "
        f"{plural(result.votes, 'vote')} ({result.percent:.1f}%)"
        for result in results.ranked
    ]
    lines.append("")
    lines.append(f"Turnout: {plural(results.turnout, 'voter')}")
    lines.append(winner_line(results))
    return truncate("\n".join(lines), limit)


def my_votes_text(poll: Poll, mine: MyVotes) -> str:
    """For /poll myvotes: what is counted for the member and, if a reaction wasn't, why."""
    if mine.counted:
        counted = ", ".join(f"{poll.emojis[o]} {escape_markdown(poll.options[o])}" for o in mine.counted)
        lines = [f"Counted for you: {counted}."]
    else:
        lines = ["Nothing is counted for you on this poll."]
    rejection = mine.last_rejection
    if rejection is not None:
        what = f"your {poll.emojis[rejection.option]} reaction" if rejection.option is not None else "a reaction"
        lines.append(f"Not counted {timestamp(rejection.at)}: {what}, because {rejection.reason}.")
    return "\n".join(lines)


def audit_text(report: AuditReport, limit: int = 4096) -> str:
    """For /poll audit (moderators): who to look at, with totals."""
    young = ", ".join(f"<@{e.user_id}> ({timestamp(e.account_created_at, 'd')})" for e in report.young_accounts)
    late = ", ".join(f"<@{e.user_id}> ({timestamp(e.joined_at, 'd')})" for e in report.late_joiners)
    switchers = ", ".join(f"<@{e.user_id}> ({e.switches}×)" for e in report.switchers)
    sections = [
        f"**Accounts younger than {plural(report.young_account_days, 'day')} when they voted** "
        f"({report.young_accounts_total:,}): {young or 'none'}",
        f"**Joined after the poll started** ({report.late_joiners_total:,}): {late or 'none'}",
        f"**Switched or withdrew ≥ {report.min_switches} times** ({report.switchers_total:,}): {switchers or 'none'}",
    ]
    return truncate("\n\n".join(sections), limit)


def poll_choice_name(summary: PollSummary) -> str:
    """An autocomplete entry (≤ 100 characters): `#12 · question (open)`."""
    state = "open" if summary.status is PollStatus.OPEN else "closed"
    suffix = f" ({state})"
    return truncate(f"#{summary.poll_id} · {summary.question}", 100 - len(suffix)) + suffix


def _cell(text: str) -> str:
    """Text a spreadsheet must not take for a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(poll: Poll, results: PollResults, voters: Sequence[VoterRow] | None = None) -> str:
    """Totals (rank, option, votes, percent), then per-voter rows if given (moderators)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["poll", poll.poll_id, _cell(poll.question)])
    writer.writerow(["turnout", results.turnout])
    writer.writerow([])
    writer.writerow(["rank", "option", "label", "votes", "percent"])
    n_options = len(poll.options)
    for result in results.ranked:
        writer.writerow(
            [
                result.rank,
                option_marker(n_options, result.option),
                _cell(result.label),
                result.votes,
                f"{result.percent:.2f}",
            ]
        )
    if voters is not None:
        writer.writerow([])
        writer.writerow(["user_id", "option", "label", "voted_at_utc"])
        for row in voters:
            writer.writerow(
                [
                    str(row.user_id),
                    option_marker(n_options, row.option),
                    _cell(poll.options[row.option]),
                    row.voted_at.isoformat(),
                ]
            )
    return buffer.getvalue()
