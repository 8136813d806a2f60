"""The pure `/poll` embed builders: what members see, inside Discord's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import load_catalog
from bot.polls import Poll, PollStatus, compute_results, option_emoji
from bot.polls.store import AuditReport, MyVotes, Switcher, VoteEvent
from cogs.polls.render import (
    CLOSED_NOTE,
    HIDDEN_NOTE,
    LIST_LIMIT,
    MISSING_NOTE,
    build_audit_embed,
    build_hidden_results_embed,
    build_list_embed,
    build_myvotes_embed,
    build_poll_embed,
    build_results_embed,
    closed_message,
    created_message,
    missing_permissions_message,
    mv_option_label,
    mv_poll_question,
    poll_url,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def make_poll(n_options: int = 3, **changes: object) -> Poll:
    poll = Poll(
        poll_id=7,
        guild_id=1,
        channel_id=2,
        message_id=3,
        creator_id=4,
        question="Which is the best K-pop music video of 2024?",
        options=tuple(f"Option {i + 1}" for i in range(n_options)),
        choices=1,
        hide_results=False,
        role_id=None,
        min_account_age_days=0,
        min_member_age_days=0,
        created_at=NOW,
        closes_at=NOW + timedelta(days=1),
    )
    return replace(poll, **changes)  # type: ignore[arg-type]


def within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(data.get("fields", [])) <= 25
    assert len(embed) <= 6000


def test_poll_embed_shows_options_counts_rules_and_id() -> None:
    poll = make_poll()
    embed = build_poll_embed(poll, compute_results(poll, [3, 1, 0], 4))
    assert embed.title == poll.question
    lines = (embed.description or "").splitlines()
    assert lines[0] == "1️⃣ Option 1" and lines[1] == "`██████████` 3 (75%)"
    assert lines[-2] == "**4 voters**"
    assert lines[-1] == f"Pick 1 · closes <t:{int(poll.closes_at.timestamp())}:R>"
    assert embed.footer.text == "Poll #7"


def test_hidden_counts_are_left_out_and_said_so() -> None:
    poll = make_poll(hide_results=True)
    description = build_poll_embed(poll, None).description or ""
    assert "`" not in description and "voters" not in description
    assert str(HIDDEN_NOTE) in description and "results hidden until it closes" in description


def test_closed_and_missing_polls_say_so() -> None:
    closed = make_poll(status=PollStatus.CLOSED, closed_at=NOW + timedelta(hours=2), hide_results=True)
    embed = build_poll_embed(closed, compute_results(closed, [0, 2, 1], 3))
    assert (embed.description or "").startswith(str(CLOSED_NOTE))
    assert "`██████████` 2 (67%)" in (embed.description or "")
    assert embed.footer.text == "Poll #7 · closed"
    assert embed.colour != build_poll_embed(make_poll(), None).colour
    missing = replace(closed, status=PollStatus.CLOSED_MISSING)
    assert (build_poll_embed(missing, None).description or "").startswith(str(MISSING_NOTE))


def test_footer_says_when_reactions_cannot_be_removed() -> None:
    embed = build_poll_embed(make_poll(), None, can_remove_reactions=False)
    assert "it needs Manage Messages" in (embed.footer.text or "")


def test_letters_from_eleven_options() -> None:
    poll = make_poll(12)
    description = build_poll_embed(poll, None).description or ""
    assert description.startswith("🇦 Option 1") and "🇱 Option 12" in description


def test_worst_case_poll_fits_discords_limits() -> None:
    poll = make_poll(20, question="Q" * 256, options=tuple(f"{i:02d}" + "ｗ" * 98 for i in range(20)), choices=20,
                     role_id=123456789012345678, min_account_age_days=3650, min_member_age_days=3650,
                     hide_results=True)  # fmt: skip
    results = compute_results(poll, [10**6 + i for i in range(20)], 10**7)
    for embed in (
        build_poll_embed(poll, results, can_remove_reactions=False),
        build_poll_embed(poll, None),
        build_results_embed(poll, results, with_chart=True),
        build_hidden_results_embed(poll),
    ):
        within_limits(embed)


@settings(max_examples=40, deadline=None)
@given(
    question=st.text(min_size=1, max_size=256),
    options=st.lists(st.text(min_size=1, max_size=100), min_size=2, max_size=20),
    hidden=st.booleans(),
)
def test_any_poll_text_fits_discords_limits(question: str, options: list[str], hidden: bool) -> None:
    poll = make_poll(len(options), question=question, options=tuple(options), hide_results=hidden)
    results = compute_results(poll, list(range(len(options))), len(options))
    within_limits(build_poll_embed(poll, None if hidden else results))
    within_limits(build_results_embed(poll, results, with_chart=True))


def test_results_embed_names_the_winner_and_points_at_the_chart() -> None:
    poll = make_poll(status=PollStatus.CLOSED)
    results = compute_results(poll, [1, 5, 2], 8)
    embed = build_results_embed(poll, results, with_chart=True)
    assert embed.title == f"Final results: {poll.question}"
    assert embed.image.url == "attachment://results.png"
    assert embed.url == poll_url(poll) == "https://discord.com/channels/1/2/3"
    assert (embed.description or "").splitlines()[0] == f"**1.** {option_emoji(3)[1]} Option 2 — 5 votes (62.5%)"
    assert "Winner:" in (embed.description or "")
    assert build_results_embed(poll, results, with_chart=False).image.url is None
    live = build_results_embed(
        make_poll(hide_results=True), compute_results(make_poll(), [1, 0, 0], 1), with_chart=False
    )
    assert (live.title or "").startswith("Results so far") and "hidden from members" in (live.footer.text or "")


def test_hidden_results_embed_has_no_counts() -> None:
    embed = build_hidden_results_embed(make_poll(hide_results=True))
    assert "hidden until the poll closes" in (embed.description or "") and "vote" not in (embed.description or "")


def test_myvotes_and_audit_embeds() -> None:
    poll = make_poll()
    mine = MyVotes(
        counted=(1,),
        history=(VoteEvent("rejected", 2, None, "your account is 3 days old", "member", NOW),),
    )
    embed = build_myvotes_embed(poll, mine)
    assert "Counted for you: 2️⃣ Option 2." in (embed.description or "")
    assert "because your account is 3 days old" in (embed.description or "")
    report = AuditReport(30, 3, (), 0, (), 0, (Switcher(99, 4),), 1)
    audit = build_audit_embed(poll, report)
    assert "<@99> (4×)" in (audit.description or "") and "only you" in (audit.footer.text or "")
    within_limits(audit)


def test_list_embed_caps_the_lines_and_shows_problems() -> None:
    assert "No polls are open" in (build_list_embed([]).description or "")
    polls = [make_poll(poll_id=i, message_id=100 + i) for i in range(1, 31)]
    embed = build_list_embed(polls, {1: "Lightstick can't edit this poll's message"})
    lines = (embed.description or "").splitlines()
    assert embed.title == "Open polls (30)"
    assert lines[0].startswith("**#1** [Which is the best") and lines[1].startswith("⚠️ Lightstick can't edit")
    assert lines[-1] == f"…and {30 - LIST_LIMIT} more."
    within_limits(embed)


def test_plain_replies() -> None:
    text = str(missing_permissions_message("<#5>", ["add_reactions", "embed_links"]))
    assert text.startswith("I can't run a poll in <#5>: I'm missing **Add Reactions**, **Embed Links** there.")
    created = str(created_message(make_poll()))
    assert created.startswith("Poll #7 is up in <#2> (https://discord.com/channels/1/2/3).")


def test_mv_poll_text_matches_the_seed_poll() -> None:
    assert mv_poll_question(year=2024) == "Which is the best K-pop music video of 2024?"
    assert mv_poll_question(artist="BTS") == "Which is the best BTS music video?"
    assert mv_poll_question(theme="Sci-Fi") == "Which is the best sci-fi K-pop music video?"
    catalog = load_catalog()
    labels = [mv_option_label(mv) for mv in catalog.filter(year=2024)]
    assert "Spell - SEVENTEEN" in labels and len(labels) == 9
    assert all(len(label) <= 100 for label in (mv_option_label(mv) for mv in catalog.entries))
    long_title = replace(catalog.entries[0], title="T" * 150)
    assert len(mv_option_label(long_title)) == 100 and mv_option_label(long_title).endswith(catalog.entries[0].credit)


def test_closing_a_quiet_poll_says_where_its_final_counts_are() -> None:
    assert "results are posted" in str(closed_message(make_poll()))
    quiet = str(closed_message(make_poll(quiet=True)))
    assert "shows the final counts" in quiet and "results are posted" not in quiet
