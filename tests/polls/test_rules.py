"""Poll rules: parsing, emoji, eligibility, vote decisions, results (pure, no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.i18n import Msg, render
from bot.polls.rules import (
    DEFAULT_DURATION,
    MAX_DURATION,
    PollStatus,
    VoteAction,
    Voter,
    VoterRules,
    account_created_at,
    apply_decision,
    build_poll_spec,
    can_manage,
    can_see_counts,
    check_voter_rules,
    compute_results,
    decide_reaction_add,
    decide_reaction_remove,
    describe,
    extended_deadline,
    format_duration,
    ineligibility_reason,
    option_emoji,
    option_for_emoji,
    option_key,
    option_marker,
    parse_duration,
    parse_options,
    parse_poll_ref,
    parse_question,
)
from tests.polls.factories import CREATOR, NOW, SEED_OPTIONS, make_poll, member, snowflake_at

# -- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spell | WHIPLASH | Chk Chk Boom", ("Spell", "WHIPLASH", "Chk Chk Boom")),
        ("Spell;WHIPLASH", ("Spell", "WHIPLASH")),
        ("Spell\nWHIPLASH\n\nWho", ("Spell", "WHIPLASH", "Who")),
        ("A; B | C", ("A; B", "C")),  # `;` is text when `|` separates
        ("  Spell  |   Chk   Chk  Boom  |", ("Spell", "Chk Chk Boom")),  # trailing | ignored
        ("하루하루 | 거짓말", ("하루하루", "거짓말")),
        ("<@&123> fans | <@456>", ("<@&123> fans", "<@456>")),  # mentions allowed (never ping)
    ],
)
def test_parse_options_accepts(text: str, expected: tuple[str, ...]) -> None:
    assert parse_options(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Spell", "at least 2 options"),
        ("Spell | | ", "at least 2 options"),
        (" | ".join(f"o{i}" for i in range(21)), "at most 20 options; you gave 21"),
        ("Spell | " + "x" * 101, "Option 2 is 101 characters long"),
        ("Spell | spell", "Option 2 (“spell”) is the same as option 1"),
        ("Chk Chk Boom | chk  chk boom", "is the same as option 1"),
        ("Spell | @everyone vote here", "Option 2 contains @everyone"),
        ("@here | Spell", "Option 1 contains @here"),
    ],
)
def test_parse_options_refuses_with_a_fix(text: str, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        parse_options(text)


_option_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="|;\n"),
        min_size=1,
        max_size=100,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: len(s) > 0 and "@" not in s)
)


@settings(max_examples=60, deadline=None)
@given(
    options=st.lists(_option_text, min_size=2, max_size=20, unique_by=option_key),
    separator=st.sampled_from(["|", " | ", ";", "; ", "\n", " \n "]),
)
def test_any_valid_option_list_parses_back(options: list[str], separator: str) -> None:
    assert parse_options(separator.join(options)) == tuple(options)


@settings(max_examples=40, deadline=None)
@given(options=st.lists(_option_text, min_size=21, max_size=30, unique_by=option_key))
def test_too_many_options_are_refused(options: list[str]) -> None:
    with pytest.raises(UserError, match="at most 20 options"):
        parse_options(" | ".join(options))


def test_question_rules() -> None:
    assert parse_question("  하루하루 or 거짓말?  ") == "하루하루 or 거짓말?"
    with pytest.raises(UserError, match="can't be empty"):
        parse_question("   ")
    with pytest.raises(UserError, match="257 characters long; keep it to 256"):
        parse_question("q" * 257)
    assert parse_question("q" * 256) == "q" * 256
    with pytest.raises(UserError, match="The question contains @everyone"):
        parse_question("Best MV? @everyone")


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1d 12h", timedelta(days=1, hours=12)),
        (" 2 days 3 hours ", timedelta(days=2, hours=3)),
        ("1M", timedelta(minutes=1)),
        ("90d", MAX_DURATION),
        (None, DEFAULT_DURATION),
        ("", DEFAULT_DURATION),
    ],
)
def test_parse_duration(text: str | None, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0m", "at least 1 minute"),
        ("91d", "at most 90 days; you asked for 91 days"),
        ("13w", "at most 90 days"),
        ("99999999999999w", "at most 90 days"),
        ("30", "can't read the duration"),
        ("soon", "can't read the duration"),
        ("1d1d", "names a unit twice"),
        ("5y", "“y” is not a unit"),
    ],
)
def test_parse_duration_refuses(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_duration(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=90 * 24 * 60))
def test_durations_round_trip(minutes: int) -> None:
    duration = timedelta(minutes=minutes)
    assert parse_duration(format_duration(duration)) == duration


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=90 * 24 * 60 + 1, max_value=10**7))
def test_durations_out_of_range_are_refused(minutes: int) -> None:
    with pytest.raises(UserError, match="at most 90 days"):
        parse_duration(f"{minutes}m")


def test_describe() -> None:
    def words(duration: timedelta, locale: str | None = None) -> str:
        return render(Msg("{words}", (("words", describe(duration)),)), locale)

    assert words(timedelta(days=1, hours=12)) == "1 day, 12 hours"
    assert words(timedelta(minutes=1)) == "1 minute"
    assert words(timedelta(days=3), "ko") == "3일"


# -- the whole spec -----------------------------------------------------------------------


def test_build_poll_spec_from_seed_options() -> None:
    spec = build_poll_spec(
        "Which is the best K-pop music video of 2024?",
        " | ".join(SEED_OPTIONS),
        duration="2d",
        choices=2,
        hide_results=True,
        role_id=42,
        min_account_age_days=30,
        min_member_age_days=7,
    )
    assert spec.options == SEED_OPTIONS
    assert spec.duration == timedelta(days=2)
    assert (spec.choices, spec.hide_results, spec.role_id) == (2, True, 42)
    assert (spec.min_account_age_days, spec.min_member_age_days) == (30, 7)


def test_build_poll_spec_takes_a_ready_list_and_defaults() -> None:
    spec = build_poll_spec("Best?", ["Spell", "Who"])
    assert spec.options == ("Spell", "Who")
    assert (spec.duration, spec.choices, spec.min_account_age_days) == (DEFAULT_DURATION, 1, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"choices": 0}, "`choices` must be between 1 and 3"),
        ({"choices": 4}, "`choices` must be between 1 and 3"),
        ({"min_account_age_days": -1}, "`min_account_age` must be between 0 and 3,650"),
        ({"min_member_age_days": 4000}, "`min_member_age` must be between 0 and 3,650"),
        ({"duration": "100d"}, "at most 90 days"),
        ({"duration": timedelta(seconds=5)}, "at least 1 minute"),
        ({"role_id": 0}, "role can't be used"),
    ],
)
def test_build_poll_spec_refuses(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        build_poll_spec("Best?", "A | B | C", **kwargs)  # type: ignore[arg-type]


def test_parse_poll_ref() -> None:
    assert parse_poll_ref("12") == 12
    assert parse_poll_ref("#12 · Which is best? (open)") == 12
    with pytest.raises(UserError, match="Pick a poll"):
        parse_poll_ref("best mv")


# -- emoji --------------------------------------------------------------------------------


def test_option_emoji_keycaps_then_letters() -> None:
    assert option_emoji(2) == ("1\ufe0f\u20e3", "2\ufe0f\u20e3")
    assert option_emoji(10)[-1] == "🔟"
    assert option_emoji(11)[0] == "🇦"
    assert option_emoji(20)[-1] == "🇹"
    assert len(set(option_emoji(20))) == 20
    with pytest.raises(ValueError):
        option_emoji(21)


def test_option_for_emoji() -> None:
    nine = make_poll(9)
    assert option_for_emoji(nine, "3\ufe0f\u20e3") == 2
    assert option_for_emoji(nine, "3\u20e3") == 2  # without the variation selector
    assert option_for_emoji(nine, "🔟") is None  # only 9 options
    assert option_for_emoji(nine, "👍") is None
    letters = make_poll(12)
    assert option_for_emoji(letters, "🇱") == 11
    assert option_for_emoji(letters, "1\ufe0f\u20e3") is None
    assert option_marker(9, 2) == "3"
    assert option_marker(12, 11) == "L"


# -- eligibility --------------------------------------------------------------------------


def test_account_age_from_the_snowflake() -> None:
    # Discord's documented example id.
    assert account_created_at(175928847299117063) == datetime(2016, 4, 30, 11, 18, 25, 796000, tzinfo=UTC)
    when = datetime(2025, 6, 1, tzinfo=UTC)
    assert account_created_at(snowflake_at(when)) == when


def test_eligibility_rules() -> None:
    poll = make_poll(role_id=77, min_account_age_days=30, min_member_age_days=7)
    ok = member(roles=frozenset({77}), joined_days_ago=10)
    assert ineligibility_reason(poll, ok, NOW) is None
    assert ineligibility_reason(poll, member(bot=True, roles=frozenset({77})), NOW) == "bots don't vote"
    assert "<@&77> role" in str(ineligibility_reason(poll, member(roles=frozenset({1})), NOW))
    assert "couldn't check your roles" in str(ineligibility_reason(poll, member(roles=None), NOW))
    young = Voter(snowflake_at(NOW - timedelta(days=3)), False, frozenset({77}), NOW - timedelta(days=10))
    assert "account is 3 days old" in str(ineligibility_reason(poll, young, NOW))
    late = member(roles=frozenset({77}), joined_days_ago=2)
    assert "joined this server 2 days ago" in str(ineligibility_reason(poll, late, NOW))
    unknown = member(roles=frozenset({77}), joined_days_ago=None)
    assert "couldn't tell when you joined" in str(ineligibility_reason(poll, unknown, NOW))
    # Exactly at the threshold is old enough.
    edge = Voter(snowflake_at(NOW - timedelta(days=30)), False, frozenset({77}), NOW - timedelta(days=7))
    assert ineligibility_reason(poll, edge, NOW) is None


def test_who_may_manage_and_see() -> None:
    poll = make_poll(hide_results=True)
    assert can_manage(poll, CREATOR, False)
    assert can_manage(poll, 5, True)
    assert not can_manage(poll, 5, False)
    assert not can_see_counts(poll, False)
    assert can_see_counts(poll, True)
    assert can_see_counts(make_poll(hide_results=True, status=PollStatus.CLOSED), False)
    assert can_see_counts(make_poll(), False)


def test_extended_deadline_stays_within_90_days_of_creation() -> None:
    poll = make_poll(duration=timedelta(days=80))
    assert extended_deadline(poll, timedelta(days=10), NOW) == NOW + timedelta(days=90)
    with pytest.raises(UserError, match="most it can be extended now is 10 days"):
        extended_deadline(poll, timedelta(days=11), NOW)
    with pytest.raises(UserError, match="already closed"):
        extended_deadline(make_poll(status=PollStatus.CLOSED), timedelta(days=1), NOW)
    full = make_poll(duration=MAX_DURATION)
    with pytest.raises(UserError, match="can't be extended any more"):
        extended_deadline(full, timedelta(minutes=1), NOW)


# -- vote decisions -----------------------------------------------------------------------


def test_first_reaction_counts_and_a_repeat_changes_nothing() -> None:
    poll = make_poll()
    decision = decide_reaction_add(poll, frozenset(), 1, member(), NOW)
    assert (decision.action, decision.option) == (VoteAction.COUNT, 1)
    assert decide_reaction_add(poll, {1}, 1, member(), NOW).action is VoteAction.IGNORE


def test_single_choice_moves_and_removes_the_old_reaction() -> None:
    decision = decide_reaction_add(make_poll(), {0}, 2, member(), NOW)
    assert decision.action is VoteAction.MOVE
    assert (decision.option, decision.withdrawn, decision.remove_options) == (2, (0,), (0,))
    assert not decision.remove_trigger
    assert apply_decision(frozenset({0}), decision) == {2}


def test_beyond_choices_is_rejected_and_removed() -> None:
    decision = decide_reaction_add(make_poll(4, choices=2), {0, 1}, 3, member(), NOW)
    assert decision.action is VoteAction.REJECT
    assert decision.remove_trigger
    assert "already picked 2 options" in str(decision.reason)


def test_ineligible_non_option_bot_and_closed() -> None:
    poll = make_poll(role_id=9)
    rejected = decide_reaction_add(poll, (), 0, member(roles=frozenset()), NOW)
    assert (rejected.action, rejected.remove_trigger) == (VoteAction.REJECT, True)
    stray = decide_reaction_add(make_poll(), (), None, member(), NOW)
    assert (stray.action, stray.remove_trigger) == (VoteAction.REJECT, True)
    assert "not one of the poll's options" in str(stray.reason)
    assert decide_reaction_add(make_poll(), (), 0, member(bot=True), NOW).action is VoteAction.IGNORE
    late = decide_reaction_add(make_poll(), (), 0, member(), NOW + timedelta(days=2))
    assert (late.action, late.remove_trigger, late.reason) == (VoteAction.REJECT, False, "the poll is closed")


def test_removal_withdraws_only_a_counted_vote() -> None:
    poll = make_poll()
    assert decide_reaction_remove(poll, {1}, 1, NOW).action is VoteAction.WITHDRAW
    assert decide_reaction_remove(poll, {1}, 2, NOW).action is VoteAction.IGNORE
    assert decide_reaction_remove(poll, {1}, None, NOW).action is VoteAction.IGNORE
    assert decide_reaction_remove(poll, {1}, 1, NOW + timedelta(days=2)).action is VoteAction.IGNORE


_events = st.lists(st.tuples(st.booleans(), st.one_of(st.none(), st.integers(0, 4))), max_size=40)


def _replay(choices: int, events: list[tuple[bool, int | None]], *, duplicate: bool = False) -> frozenset[int]:
    poll = make_poll(5, choices=choices)
    counted: frozenset[int] = frozenset()
    for added, option in events:
        for _ in range(2 if duplicate else 1):
            if added:
                decision = decide_reaction_add(poll, counted, option, member(), NOW)
            else:
                decision = decide_reaction_remove(poll, counted, option, NOW)
            counted = apply_decision(counted, decision)
            assert len(counted) <= poll.choices
    return counted


@settings(max_examples=150, deadline=None)
@given(choices=st.integers(1, 5), events=_events)
def test_counted_options_never_exceed_choices(choices: int, events: list[tuple[bool, int | None]]) -> None:
    _replay(choices, events)


@settings(max_examples=150, deadline=None)
@given(choices=st.integers(1, 5), events=_events)
def test_replaying_events_gives_the_same_state(choices: int, events: list[tuple[bool, int | None]]) -> None:
    once = _replay(choices, events)
    assert _replay(choices, events) == once
    assert _replay(choices, events, duplicate=True) == once  # every event delivered twice


# -- results ------------------------------------------------------------------------------


def test_results_rank_percent_and_winner() -> None:
    poll = make_poll(4)
    results = compute_results(poll, {0: 5, 1: 9, 2: 5}, turnout=19)
    assert [r.option for r in results.ranked] == [1, 0, 2, 3]
    assert [r.rank for r in results.ranked] == [1, 2, 2, 4]
    assert results.winners == (1,) and not results.is_tie
    assert results.for_option(1).percent == pytest.approx(100 * 9 / 19)
    assert results.total_votes == 19 and not results.final


def test_results_tie_and_no_votes() -> None:
    tie = compute_results(make_poll(3, status=PollStatus.CLOSED), [4, 4, 1], turnout=9)
    assert tie.winners == (0, 1) and tie.is_tie and tie.final
    empty = compute_results(make_poll(3), [0, 0, 0], turnout=0)
    assert empty.winners == () and empty.ranked[0].percent == 0.0


def test_voter_rules_are_checked_once_for_polls_and_brackets_and_kept_as_json() -> None:
    rules = check_voter_rules(7, 30, None, anonymous=True, weights=[(9, 3)])
    assert rules == VoterRules(role_id=7, min_account_age_days=30, anonymous=True, weights=((9, 3),))
    assert VoterRules.from_dict(rules.to_dict()) == rules and VoterRules.from_dict(None) == VoterRules()
    spec = rules.poll_spec("A vs B?", ("A", "B"), timedelta(hours=1), quiet=True)
    assert (spec.role_id, spec.min_account_age_days, spec.anonymous, spec.weights, spec.quiet) == (
        7, 30, True, ((9, 3),), True,
    )  # fmt: skip
    assert build_poll_spec("Q?", "A | B", rules=rules).weights == ((9, 3),)
    for bad in ({"role_id": 0}, {"min_account_age_days": -1}, {"weights": [(9, 101)]}):
        with pytest.raises(UserError):
            check_voter_rules(**bad)  # type: ignore[arg-type]
