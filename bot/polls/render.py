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


def weights_text(poll: Poll) -> str:
    """`<@&1> ×3, <@&2> ×2, others ×1` (role mentions in embeds never ping)."""
    ranked = sorted(poll.weights, key=lambda pair: -pair[1])
    return ", ".join(f"<@&{role_id}> ×{weight}" for role_id, weight in ranked) + ", others ×1"


def rules_line(poll: Poll) -> str:
    """The rules in one line: choices, anonymity, weights, role, ages, when it closes."""
    parts = ["Pick 1" if poll.choices == 1 else f"Pick up to {poll.choices}"]
    if poll.anonymous:
        parts.append("anonymous")
    if poll.weights:
        parts.append(f"weighted: {weights_text(poll)}")
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
            if results.weighted:
                line += f" · {plural(result.voters, 'voter')}"
        lines.append(line)
    return lines


ANONYMOUS_NOTE = (
    "anonymous: Lightstick removes your reaction once it is counted; react on an option you "
    "picked again to take that vote back; /poll myvotes shows yours"
)


def footer_text(poll: Poll, *, can_remove_reactions: bool = True) -> str:
    text = f"Poll #{poll.poll_id}"
    if poll.anonymous and poll.is_open:
        text += f" · {ANONYMOUS_NOTE}"
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
        noun = "weighted vote" if results.weighted else "vote"
        return f"Tie between {tied} with {plural(top.votes, noun)} each."
    lead = "Winner" if results.final else "Leading"
    marker = option_marker(n_options, top.option)
    label = escape_markdown(top.label)
    noun = "weighted vote" if results.weighted else "vote"
    return f"{lead}: {top.emoji} **{label}** ({marker}) with {plural(top.votes, noun)}."


def results_summary(results: PollResults, limit: int = 4096) -> str:
    """Ranked options with votes and %, turnout, and the winner or tie (an embed description)."""
    if results.weighted:
        lines = [
            f"**{result.rank}.** {result.emoji} {escape_markdown(result.label)} — "
            f"{plural(result.votes, 'weighted vote')} from {plural(result.voters, 'voter')} ({result.percent:.1f}%)"
            for result in results.ranked
        ]
    else:
        lines = [
            f"**{result.rank}.** {result.emoji} {escape_markdown(result.label)} — "
            f"{plural(result.votes, 'vote')} ({result.percent:.1f}%)"
            for result in results.ranked
        ]
    lines.append("")
    turnout = f"Turnout: {plural(results.turnout, 'voter')}"
    if results.weighted:
        turnout += f" (weighing {results.turnout_weight:,} in all)"
    lines.append(turnout)
    lines.append(winner_line(results))
    return truncate("\n".join(lines), limit)


def my_votes_text(poll: Poll, mine: MyVotes) -> str:
    """For /poll myvotes: what is counted for the member and, if a reaction wasn't, why."""
    if mine.counted:
        counted = ", ".join(f"{poll.emojis[o]} {escape_markdown(poll.options[o])}" for o in mine.counted)
        lines = [f"Counted for you: {counted}."]
        if poll.weights and mine.weights:
            lines.append(f"Your vote weighs {max(mine.weights)} (your highest weighted role when it was counted).")
    else:
        lines = ["Nothing is counted for you on this poll."]
    if poll.anonymous:
        lines.append(
            "This poll is anonymous: Lightstick removes your reaction once it is counted, and only you "
            "see this. React on an option you picked again to take that vote back."
        )
    rejection = mine.last_rejection
    if rejection is not None:
        what = f"your {poll.emojis[rejection.option]} reaction" if rejection.option is not None else "a reaction"
        lines.append(f"Not counted {timestamp(rejection.at)}: {what}, because {rejection.reason}.")
    return "\n".join(lines)


def audit_text(report: AuditReport, limit: int = 4096) -> str:
    """For /poll audit (moderators): who to look at, with totals (an anonymous poll: the
    totals only, no names)."""
    if report.anonymous:
        return truncate(
            "\n".join(
                [
                    f"**Accounts younger than {plural(report.young_account_days, 'day')} when they voted**: "
                    f"{report.young_accounts_total:,}",
                    f"**Joined after the poll started**: {report.late_joiners_total:,}",
                    f"**Switched or withdrew ≥ {report.min_switches} times**: {report.switchers_total:,}",
                    "",
                    "This poll is anonymous: the audit gives counts, never names.",
                ]
            ),
            limit,
        )
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
    """Totals (rank, option, votes, percent), then per-voter rows if given (moderators; never
    for an anonymous poll). A weighted poll has weighted votes and voters per option, the
    voters' total weight, and each voter row's weight."""
    if poll.anonymous:
        voters = None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["poll", poll.poll_id, _cell(poll.question)])
    writer.writerow(["turnout", results.turnout])
    if results.weighted:
        writer.writerow(["turnout_weight", results.turnout_weight])
    writer.writerow([])
    if results.weighted:
        writer.writerow(["rank", "option", "label", "weighted_votes", "voters", "percent"])
    else:
        writer.writerow(["rank", "option", "label", "votes", "percent"])
    n_options = len(poll.options)
    for result in results.ranked:
        counts = [result.votes, result.voters] if results.weighted else [result.votes]
        writer.writerow(
            [
                result.rank,
                option_marker(n_options, result.option),
                _cell(result.label),
                *counts,
                f"{result.percent:.2f}",
            ]
        )
    if voters is not None:
        writer.writerow([])
        header = ["user_id", "option", "label", "voted_at_utc"]
        writer.writerow([*header, "weight"] if results.weighted else header)
        for row in voters:
            cells = [
                str(row.user_id),
                option_marker(n_options, row.option),
                _cell(poll.options[row.option]),
                row.voted_at.isoformat(),
            ]
            writer.writerow([*cells, row.weight] if results.weighted else cells)
    return buffer.getvalue()
