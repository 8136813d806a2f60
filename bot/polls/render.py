"""Pure text for the poll's Discord messages: option lines, rules line, results summary,
/poll myvotes, /poll audit, autocomplete names and the CSV export. No Discord import: the
cog puts these strings into embeds (and keeps ``allowed_mentions`` at none).

Every function renders in the current locale (:func:`bot.i18n.speaking`): the cog calls them
inside the server's language for public messages and in the member's for replies. The CSV
export's column names stay English (spreadsheets and scripts depend on them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_unix
from bot.i18n import Msg, Number, Percent, _, _n
from bot.polls.reasons import days, shown
from bot.polls.rules import Poll, PollResults, PollStatus, option_marker
from bot.polls.store import AuditReport, MyVotes, PollSummary, VoterRow
from bot.text import truncate

BAR_WIDTH = 10
_MARKDOWN = re.compile(r"([\\*_~`|>])")
#: Between the parts of a line (rules, footer): language-neutral.
SEPARATOR = " · "


def escape_markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def timestamp(when: datetime, style: str = "R") -> str:
    """Discord renders `<t:unix:style>` in each reader's own time zone."""
    return f"<t:{to_unix(when)}:{style}>"


def count_bar(votes: int, most: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * votes / most) if most else 0
    return "█" * filled + "░" * (width - filled)


def votes_msg(count: int, *, weighted: bool = False) -> Msg:
    """`4 votes` / `4 weighted votes`, in the reader's language."""
    if weighted:
        return _n("{count} weighted vote", "{count} weighted votes", count)
    return _n("{count} vote", "{count} votes", count)


def voters_msg(count: int) -> Msg:
    """`9 voters`."""
    return _n("{count} voter", "{count} voters", count)


def poll_label(poll_id: int | str) -> Msg:
    """`Poll #12`: how every poll embed's footer starts."""
    return _("Poll #{id}", id=poll_id)


def weights_text(poll: Poll) -> str:
    """`<@&1> ×3, <@&2> ×2, others ×1` (role mentions in embeds never ping)."""
    ranked = sorted(poll.weights, key=lambda pair: -pair[1])
    weights = ", ".join(f"<@&{role_id}> ×{weight}" for role_id, weight in ranked)
    return str(_("{weights}, others ×1", weights=weights))


def rules_line(poll: Poll) -> str:
    """The rules in one line: choices, anonymity, weights, role, ages, when it closes."""
    parts: list[Msg] = [_("Pick 1") if poll.choices == 1 else _("Pick up to {count}", count=Number(poll.choices))]
    if poll.anonymous:
        # TRANSLATORS: a rule of the poll, in its rules line: nobody sees who voted for what.
        parts.append(_("anonymous"))
    if poll.weights:
        parts.append(_("weighted: {weights}", weights=weights_text(poll)))
    if poll.role_id is not None:
        role = f"<@&{poll.role_id}>"
        parts.append(_("{role} only", role=role))
    if poll.min_account_age_days:
        parts.append(_("accounts ≥ {days} old", days=days(poll.min_account_age_days)))
    if poll.min_member_age_days:
        parts.append(_("members for ≥ {days}", days=days(poll.min_member_age_days)))
    if poll.hide_results and poll.is_open:
        parts.append(_("results hidden until it closes"))
    if poll.is_open:
        parts.append(_("closes {when}", when=timestamp(poll.closes_at)))
    else:
        closed = poll.closed_at or poll.closes_at
        parts.append(_("closed {when}", when=timestamp(closed)))
    return SEPARATOR.join(str(part) for part in parts)


def option_lines(poll: Poll, results: PollResults | None) -> list[str]:
    """One line per option in poll order; counts and bars only when `results` is given
    (pass None while results are hidden from the reader)."""
    lines = []
    most = max((result.votes for result in results.ranked), default=0) if results else 0
    for option, (emoji, label) in enumerate(zip(poll.emojis, poll.options, strict=True)):
        line = f"{emoji} {escape_markdown(label)}"
        if results is not None:
            result = results.for_option(option)
            figure = _("{votes} ({share})", votes=Number(result.votes), share=Percent(result.percent / 100, digits=0))
            line += f"\n`{count_bar(result.votes, most)}` {figure}"
            if results.weighted:
                line += f"{SEPARATOR}{voters_msg(result.voters)}"
        lines.append(line)
    return lines


ANONYMOUS_NOTE = _(
    "anonymous: Lightstick removes your reaction once it is counted; react on an option you "
    "picked again to take that vote back; /poll myvotes shows yours"
)


def footer_text(poll: Poll, *, can_remove_reactions: bool = True) -> str:
    parts: list[Msg] = [poll_label(poll.poll_id)]
    if poll.anonymous and poll.is_open:
        parts.append(ANONYMOUS_NOTE)
    if poll.status is PollStatus.CLOSED_MISSING:
        parts.append(_("closed: its message or channel was deleted"))
    elif not poll.is_open:
        # TRANSLATORS: in a poll's footer: the poll is closed.
        parts.append(_("closed"))
    if not can_remove_reactions and poll.is_open:
        parts.append(_("votes follow the rules, but Lightstick can't remove reactions here (it needs Manage Messages)"))
    return SEPARATOR.join(str(part) for part in parts)


def _option_text(results: PollResults, option: int) -> str:
    result = results.for_option(option)
    return f"{result.emoji} {escape_markdown(result.label)}"


def winner_line(results: PollResults) -> str:
    if not results.winners:
        return str(_("No votes were cast.") if results.final else _("No votes yet."))
    n_options = len(results.ranked)
    top = results.for_option(results.winners[0])
    votes = votes_msg(top.votes, weighted=results.weighted)
    if results.is_tie:
        tied = ", ".join(_option_text(results, option) for option in results.winners)
        return str(_("Tie between {tied} with {votes} each.", tied=tied, votes=votes))
    option = f"{top.emoji} **{escape_markdown(top.label)}** ({option_marker(n_options, top.option)})"
    if results.final:
        return str(_("Winner: {option} with {votes}.", option=option, votes=votes))
    return str(_("Leading: {option} with {votes}.", option=option, votes=votes))


def results_summary(results: PollResults, limit: int = 4096) -> str:
    """Ranked options with votes and %, turnout, and the winner or tie (an embed description)."""
    lines = []
    for result in results.ranked:
        share = Percent(result.percent / 100, digits=1)
        if results.weighted:
            figures = _(
                "{votes} from {voters} ({share})",
                votes=votes_msg(result.votes, weighted=True),
                voters=voters_msg(result.voters),
                share=share,
            )
        else:
            figures = _("{votes} ({share})", votes=votes_msg(result.votes), share=share)
        lines.append(f"**{result.rank}.** {result.emoji} {escape_markdown(result.label)} — {figures}")
    lines.append("")
    if results.weighted:
        turnout = _(
            "Turnout: {voters} (weighing {weight} in all)",
            voters=voters_msg(results.turnout),
            weight=Number(results.turnout_weight),
        )
    else:
        turnout = _("Turnout: {voters}", voters=voters_msg(results.turnout))
    lines.append(str(turnout))
    lines.append(winner_line(results))
    return truncate("\n".join(lines), limit)


def my_votes_text(poll: Poll, mine: MyVotes) -> str:
    """For /poll myvotes: what is counted for the member and, if a reaction wasn't, why."""
    lines: list[Msg] = []
    if mine.counted:
        counted = ", ".join(f"{poll.emojis[o]} {escape_markdown(poll.options[o])}" for o in mine.counted)
        lines.append(_("Counted for you: {options}.", options=counted))
        if poll.weights and mine.weights:
            lines.append(
                _(
                    "Your vote weighs {weight} (your highest weighted role when it was counted).",
                    weight=Number(max(mine.weights)),
                )
            )
    else:
        lines.append(_("Nothing is counted for you on this poll."))
    if poll.anonymous:
        lines.append(
            _(
                "This poll is anonymous: Lightstick removes your reaction once it is counted, and only you "
                "see this. React on an option you picked again to take that vote back."
            )
        )
    rejection = mine.last_rejection
    if rejection is not None:
        what = (
            _("your {emoji} reaction", emoji=poll.emojis[rejection.option])
            if rejection.option is not None
            else _("a reaction")
        )
        lines.append(
            _(
                "Not counted {when}: {what}, because {reason}.",
                when=timestamp(rejection.at),
                what=what,
                reason=shown(rejection.reason or ""),
            )
        )
    return "\n".join(str(line) for line in lines)


def audit_text(report: AuditReport, limit: int = 4096) -> str:
    """For /poll audit (moderators): who to look at, with totals (an anonymous poll: the
    totals only, no names)."""
    young_heading = _("**Accounts younger than {days} when they voted**", days=days(report.young_account_days))
    late_heading = _("**Joined after the poll started**")
    switch_heading = _("**Switched or withdrew ≥ {times} times**", times=Number(report.min_switches))
    if report.anonymous:
        return truncate(
            "\n".join(
                [
                    str(_("{heading}: {total}", heading=young_heading, total=Number(report.young_accounts_total))),
                    str(_("{heading}: {total}", heading=late_heading, total=Number(report.late_joiners_total))),
                    str(_("{heading}: {total}", heading=switch_heading, total=Number(report.switchers_total))),
                    "",
                    str(_("This poll is anonymous: the audit gives counts, never names.")),
                ]
            ),
            limit,
        )
    none = _("none")
    young = ", ".join(f"<@{e.user_id}> ({timestamp(e.account_created_at, 'd')})" for e in report.young_accounts)
    late = ", ".join(f"<@{e.user_id}> ({timestamp(e.joined_at, 'd')})" for e in report.late_joiners)
    switchers = ", ".join(f"<@{e.user_id}> ({e.switches}×)" for e in report.switchers)
    sections = [
        _(
            "{heading} ({total}): {members}",
            heading=heading,
            total=Number(total),
            members=members or none,
        )
        for heading, total, members in (
            (young_heading, report.young_accounts_total, young),
            (late_heading, report.late_joiners_total, late),
            (switch_heading, report.switchers_total, switchers),
        )
    ]
    return truncate("\n\n".join(str(section) for section in sections), limit)


def poll_choice_name(summary: PollSummary) -> str:
    """An autocomplete entry (≤ 100 characters): `#12 · question (open)`."""
    # TRANSLATORS: a poll's state, in the list of polls to pick from.
    state = _("open") if summary.status is PollStatus.OPEN else _("closed")
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
