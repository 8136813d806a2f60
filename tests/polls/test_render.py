"""Pure text for poll messages: within Discord's limits, no surprises for members."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.polls.render import (
    audit_text,
    count_bar,
    escape_markdown,
    export_csv,
    footer_text,
    my_votes_text,
    option_lines,
    poll_choice_name,
    results_summary,
    rules_line,
    truncate,
)
from bot.polls.rules import PollStatus, compute_results
from bot.polls.store import AuditReport, MyVotes, PollSummary, Switcher, VoteEvent, VoterRow
from tests.polls.factories import NOW, make_poll, user


def test_rules_line_names_every_rule_and_the_deadline() -> None:
    poll = make_poll(choices=2, role_id=77, min_account_age_days=30, min_member_age_days=1, hide_results=True)
    line = rules_line(poll)
    closes = int((NOW + timedelta(days=1)).timestamp())
    assert line == (
        "Pick up to 2 · <@&77> only · accounts ≥ 30 days old · members for ≥ 1 day · "
        f"results hidden until it closes · closes <t:{closes}:R>"
    )
    assert rules_line(make_poll()).startswith("Pick 1 · closes <t:")
    assert "closed <t:" in rules_line(make_poll(status=PollStatus.CLOSED))


def test_option_lines_show_counts_only_when_given() -> None:
    poll = make_poll(3, options=("Spell", "*WHIPLASH*", "Who"))
    hidden = option_lines(poll, None)
    assert hidden == ["1\ufe0f\u20e3 Spell", "2\ufe0f\u20e3 \\*WHIPLASH\\*", "3\ufe0f\u20e3 Who"]
    shown = option_lines(poll, compute_results(poll, [2, 1, 0], 3))
    assert shown[0].endswith("`██████████` 2 (67%)")
    assert shown[2].endswith("`░░░░░░░░░░` 0 (0%)")
    assert count_bar(0, 0) == "░" * 10


def test_results_summary_ranks_and_names_a_tie() -> None:
    poll = make_poll(3, status=PollStatus.CLOSED)
    text = results_summary(compute_results(poll, [4, 4, 1], 9))
    assert text.splitlines()[0].startswith("**1.** 1\ufe0f\u20e3 Option 1 — 4 votes (44.4%)")
    assert "Turnout: 9 voters" in text
    assert "Tie between 1\ufe0f\u20e3 Option 1, 2\ufe0f\u20e3 Option 2 with 4 votes each." in text
    winner = results_summary(compute_results(poll, [1, 0, 0], 1))
    assert "Winner: 1\ufe0f\u20e3 **Option 1** (1) with 1 vote." in winner
    long_poll = make_poll(20, options=tuple(f"{i:02d} " + "x" * 97 for i in range(20)))
    assert len(results_summary(compute_results(long_poll, list(range(20)), 50), limit=1024)) <= 1024


def test_footer_says_when_reactions_cannot_be_removed() -> None:
    poll = make_poll()
    assert footer_text(poll) == "Poll #1"
    assert "needs Manage Messages" in footer_text(poll, can_remove_reactions=False)
    missing = make_poll(status=PollStatus.CLOSED_MISSING)
    assert "message or channel was deleted" in footer_text(missing)


def test_my_votes_text_explains_a_rejection() -> None:
    poll = make_poll()
    rejected = VoteEvent("rejected", 2, None, "bots don't vote", "member", NOW)
    text = my_votes_text(poll, MyVotes((0,), (rejected,)))
    assert text.startswith("Counted for you: 1\ufe0f\u20e3 Option 1.")
    assert "your 3\ufe0f\u20e3 reaction, because bots don't vote." in text
    assert my_votes_text(poll, MyVotes((), ())) == "Nothing is counted for you on this poll."


def test_audit_text_and_autocomplete_names() -> None:
    report = AuditReport(30, 3, (), 0, (), 0, (Switcher(user(1), 4),), 1)
    text = audit_text(report)
    assert f"<@{user(1)}> (4×)" in text and "Accounts younger than 30 days" in text
    name = poll_choice_name(PollSummary(12, "q" * 300, PollStatus.OPEN, NOW))
    assert len(name) <= 100 and name.startswith("#12 · q") and name.endswith("… (open)")


def test_export_csv_round_trips_and_defuses_formulas() -> None:
    poll = make_poll(2, options=("=HYPERLINK(1)", "Spell"))
    results = compute_results(poll, [1, 2], 3)
    voters = [VoterRow(user(1), 0, NOW), VoterRow(user(2), 1, NOW)]
    rows = list(csv.reader(io.StringIO(export_csv(poll, results, voters))))
    assert rows[3] == ["rank", "option", "label", "votes", "percent"]
    assert rows[4] == ["1", "2", "Spell", "2", "66.67"]
    assert rows[5][2] == "'=HYPERLINK(1)"
    assert rows[8] == [str(user(1)), "1", "'=HYPERLINK(1)", NOW.isoformat()]
    totals_only = list(csv.reader(io.StringIO(export_csv(poll, results))))
    assert len(totals_only) == 6


def test_truncate_and_escape() -> None:
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"
    assert escape_markdown("a_b*c") == "a\\_b\\*c"
