"""Poll rules: what a member may type, who may vote, what a reaction does, what won.

Everything here is pure (plain values in and out, no I/O, no Discord), so the Discord layer,
the vote ledger and the reconciliation share one set of rules and the tests can hammer them.
Options are numbered from 0 in code and in the database; members see them from 1 (or A).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from bot.errors import UserError

MIN_OPTIONS = 2
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 100
MAX_QUESTION_LENGTH = 256
MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(days=90)
DEFAULT_DURATION = timedelta(hours=24)
#: Discord launched in 2015; a rule asking for older accounts or memberships is a typo.
MAX_AGE_DAYS = 3650
DISCORD_EPOCH_MS = 1420070400000

_KEYCAPS = (*(f"{digit}\ufe0f\u20e3" for digit in "123456789"), "\U0001f51f")
_LETTERS = tuple(chr(0x1F1E6 + i) for i in range(MAX_OPTIONS))
_VARIATION_SELECTOR = "\ufe0f"
_MASS_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    #: The poll message or its channel was deleted; the votes are kept.
    CLOSED_MISSING = "closed_missing"


@dataclass(frozen=True, slots=True)
class PollSpec:
    """A validated request to create a poll; building one checks everything first."""

    question: str
    options: tuple[str, ...]
    duration: timedelta
    choices: int = 1
    hide_results: bool = False
    role_id: int | None = None
    min_account_age_days: int = 0
    min_member_age_days: int = 0


@dataclass(frozen=True, slots=True)
class Poll:
    """A stored poll."""

    poll_id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    creator_id: int
    question: str
    options: tuple[str, ...]
    choices: int
    hide_results: bool
    role_id: int | None
    min_account_age_days: int
    min_member_age_days: int
    created_at: datetime
    closes_at: datetime
    status: PollStatus = PollStatus.OPEN
    closed_at: datetime | None = None
    results_message_id: int | None = None

    @property
    def emojis(self) -> tuple[str, ...]:
        return option_emoji(len(self.options))

    @property
    def is_open(self) -> bool:
        return self.status is PollStatus.OPEN

    def accepts_votes(self, now: datetime) -> bool:
        """Open and before its deadline (an overdue poll waits for the scheduler, frozen)."""
        return self.is_open and now < self.closes_at

    @property
    def needs_member_lookup(self) -> bool:
        """Rules that need the member (roles, join date), not just the user id."""
        return self.role_id is not None or self.min_member_age_days > 0


# -- parsing ------------------------------------------------------------------------------


def normalize_option(text: str) -> str:
    """Trim and collapse inner whitespace: what is stored and shown."""
    return " ".join(text.split())


def option_key(text: str) -> str:
    """Two options are the same if they differ only in case or spacing."""
    return normalize_option(text).casefold()


def split_options(text: str) -> list[str]:
    """Split on `|` and new lines; on `;` only when neither is present. Blank pieces vanish.

    So `A; B | C` is two options (`A; B` and `C`) and `A; B; C` is three.
    """
    pieces = re.split(r"[|\n]", text) if ("|" in text or "\n" in text) else text.split(";")
    return [normalize_option(piece) for piece in pieces if piece.strip()]


def refuse_mass_mention(text: str, where: str) -> None:
    match = _MASS_MENTION.search(text)
    if match:
        raise UserError(f"{where} contains {match.group(0)}; polls can't ping everyone. Remove it and try again.")


def validate_options(options: Sequence[str]) -> tuple[str, ...]:
    """Check a list of option labels: 2–20 distinct, non-empty, each ≤ 100 characters."""
    cleaned = [normalize_option(option) for option in options]
    cleaned = [option for option in cleaned if option]
    if len(cleaned) < MIN_OPTIONS:
        raise UserError(
            f"A poll needs at least {MIN_OPTIONS} options, separated by | "
            "(for example: `Spell | WHIPLASH | Chk Chk Boom`)."
        )
    if len(cleaned) > MAX_OPTIONS:
        raise UserError(f"A poll can have at most {MAX_OPTIONS} options; you gave {len(cleaned)}.")
    seen: dict[str, int] = {}
    for number, option in enumerate(cleaned, start=1):
        if len(option) > MAX_OPTION_LENGTH:
            raise UserError(
                f"Option {number} is {len(option)} characters long; keep each option to "
                f"{MAX_OPTION_LENGTH} characters or fewer."
            )
        refuse_mass_mention(option, f"Option {number}")
        key = option_key(option)
        if key in seen:
            raise UserError(
                f"Option {number} (“{option}”) is the same as option {seen[key]}; each option must be different."
            )
        seen[key] = number
    return tuple(cleaned)


def parse_options(text: str) -> tuple[str, ...]:
    """Options typed by a member: `A | B | C` (or `;`, or one per line)."""
    return validate_options(split_options(text))


def parse_question(text: str) -> str:
    question = text.strip()
    if not question:
        raise UserError("The question can't be empty.")
    if len(question) > MAX_QUESTION_LENGTH:
        raise UserError(f"The question is {len(question)} characters long; keep it to {MAX_QUESTION_LENGTH} or fewer.")
    refuse_mass_mention(question, "The question")
    return question


_UNIT_MINUTES = {
    "w": 7 * 24 * 60, "wk": 7 * 24 * 60, "wks": 7 * 24 * 60, "week": 7 * 24 * 60,
    "weeks": 7 * 24 * 60,
    "d": 24 * 60, "day": 24 * 60, "days": 24 * 60,
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
}  # fmt: skip
_DURATION_SHAPE = re.compile(r"(?:\s*\d+\s*[a-z]+)+\s*")
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")
_DURATION_HELP = "Write a duration like `30m`, `12h`, `2d`, `1w` or `1d12h`"


def parse_duration(text: str | None) -> timedelta:
    """`30m`, `12h`, `2d`, `1w`, `1d12h`, `1d 12h`, `2 days`; empty means 24 hours.

    Each unit may appear once; the total must be between 1 minute and 90 days.
    """
    if text is None or not text.strip():
        return DEFAULT_DURATION
    lowered = text.strip().lower()
    if not _DURATION_SHAPE.fullmatch(lowered):
        raise UserError(f"I can't read the duration “{text.strip()}”. {_DURATION_HELP}.")
    minutes = 0
    seen: set[int] = set()
    for amount, unit in _DURATION_PART.findall(lowered):
        if unit not in _UNIT_MINUTES:
            raise UserError(f"“{unit}” is not a unit I know. {_DURATION_HELP}.")
        size = _UNIT_MINUTES[unit]
        if size in seen:
            raise UserError(f"The duration “{text.strip()}” names a unit twice. {_DURATION_HELP}.")
        seen.add(size)
        if len(amount) > 7:  # far past 90 days in any unit; spare timedelta the overflow
            raise UserError("A poll can run for at most 90 days.")
        minutes += int(amount) * size
    return check_duration(timedelta(minutes=minutes))


def check_duration(duration: timedelta) -> timedelta:
    if duration < MIN_DURATION:
        raise UserError("A poll must run for at least 1 minute.")
    if duration > MAX_DURATION:
        raise UserError(f"A poll can run for at most 90 days; you asked for {describe(duration)}.")
    return duration


def format_duration(duration: timedelta) -> str:
    """The compact form `parse_duration` reads back, e.g. `1w2d3h4m` (whole minutes)."""
    minutes = int(duration.total_seconds() // 60)
    parts = []
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60), ("m", 1)):
        amount, minutes = divmod(minutes, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0m"


def describe(duration: timedelta) -> str:
    """Words for a member: `1 day 12 hours`."""
    minutes = int(duration.total_seconds() // 60)
    parts = []
    for name, size in (("day", 24 * 60), ("hour", 60), ("minute", 1)):
        amount, minutes = divmod(minutes, size)
        if amount:
            parts.append(f"{amount} {name}{'s' if amount != 1 else ''}")
    return " ".join(parts) or "0 minutes"


def _check_age(days: int | None, what: str) -> int:
    value = days or 0
    if not 0 <= value <= MAX_AGE_DAYS:
        raise UserError(f"{what} must be between 0 and {MAX_AGE_DAYS} days.")
    return value


def build_poll_spec(
    question: str,
    options: str | Sequence[str],
    duration: str | timedelta | None = None,
    choices: int | None = None,
    hide_results: bool = False,
    role_id: int | None = None,
    min_account_age_days: int | None = None,
    min_member_age_days: int | None = None,
) -> PollSpec:
    """Validate everything about a new poll before any row is written or message posted.

    `options` is the text a member typed, or a ready list (e.g. from the MV catalog).
    """
    parsed_question = parse_question(question)
    parsed_options = parse_options(options) if isinstance(options, str) else validate_options(options)
    parsed_duration = check_duration(duration) if isinstance(duration, timedelta) else parse_duration(duration)
    picks = 1 if choices is None else choices
    if not 1 <= picks <= len(parsed_options):
        raise UserError(f"`choices` must be between 1 and {len(parsed_options)} (the number of options).")
    if role_id is not None and role_id <= 0:
        raise UserError("That role can't be used for a poll.")
    return PollSpec(
        question=parsed_question,
        options=parsed_options,
        duration=parsed_duration,
        choices=picks,
        hide_results=hide_results,
        role_id=role_id,
        min_account_age_days=_check_age(min_account_age_days, "`min_account_age`"),
        min_member_age_days=_check_age(min_member_age_days, "`min_member_age`"),
    )


def parse_poll_ref(text: str) -> int:
    """A poll as typed or picked in autocomplete: `12`, `#12`, or `#12 · question…`."""
    match = re.match(r"\s*#?(\d{1,18})\b", text)
    if not match:
        raise UserError("Pick a poll from the list, or type its number (e.g. `12`).")
    return int(match.group(1))


def extended_deadline(poll: Poll, duration: timedelta, now: datetime) -> datetime:
    """The deadline after `/poll extend`: later by `duration`, within 90 days of creation."""
    if not poll.accepts_votes(now):
        raise UserError(f"Poll #{poll.poll_id} is already closed.")
    check_duration(duration)
    limit = poll.created_at + MAX_DURATION
    new_deadline = poll.closes_at + duration
    if new_deadline > limit:
        room = limit - poll.closes_at
        hint = (
            f"the most it can be extended now is {describe(room)}"
            if room >= MIN_DURATION
            else "it can't be extended any more"
        )
        raise UserError(f"A poll can run at most 90 days from its creation; {hint}.")
    return new_deadline


# -- emoji --------------------------------------------------------------------------------


@lru_cache(maxsize=MAX_OPTIONS + 1)
def option_emoji(n_options: int) -> tuple[str, ...]:
    """1️⃣…🔟 for up to 10 options, 🇦…🇹 for 11–20, in option order."""
    if not 1 <= n_options <= MAX_OPTIONS:
        raise ValueError(f"a poll has 1..{MAX_OPTIONS} options, not {n_options}")
    return _KEYCAPS[:n_options] if n_options <= len(_KEYCAPS) else _LETTERS[:n_options]


@lru_cache(maxsize=MAX_OPTIONS + 1)
def _emoji_index(n_options: int) -> dict[str, int]:
    return {emoji.replace(_VARIATION_SELECTOR, ""): index for index, emoji in enumerate(option_emoji(n_options))}


def option_for_emoji(poll: Poll | PollSpec, emoji: str) -> int | None:
    """The option an emoji stands for on this poll, or None (with or without U+FE0F)."""
    return _emoji_index(len(poll.options)).get(emoji.replace(_VARIATION_SELECTOR, ""))


def option_marker(n_options: int, option: int) -> str:
    """The option's number or letter in plain text, matching its emoji: `3`, or `C` (11–20)."""
    return str(option + 1) if n_options <= len(_KEYCAPS) else chr(ord("A") + option)


# -- eligibility --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Voter:
    """Who reacted. `role_ids`/`joined_at` are None when unknown (no member object)."""

    user_id: int
    is_bot: bool = False
    role_ids: frozenset[int] | None = None
    joined_at: datetime | None = None


def account_created_at(user_id: int) -> datetime:
    """A snowflake carries its creation time: `(id >> 22) + 1420070400000` ms."""
    return datetime.fromtimestamp(((user_id >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


def ineligibility_reason(poll: Poll, voter: Voter, now: datetime) -> str | None:
    """Why this voter may not vote on this poll, in words for them; None if they may."""
    if voter.is_bot:
        return "bots don't vote"
    if poll.role_id is not None:
        if voter.role_ids is None:
            return "Lightstick couldn't check your roles"
        if poll.role_id not in voter.role_ids:
            return f"this poll is only for members with the <@&{poll.role_id}> role"
    if poll.min_account_age_days:
        age = now - account_created_at(voter.user_id)
        if age < timedelta(days=poll.min_account_age_days):
            return (
                f"your account is {_days(age)} days old; this poll needs accounts at least "
                f"{poll.min_account_age_days} days old"
            )
    if poll.min_member_age_days:
        if voter.joined_at is None:
            return "Lightstick couldn't tell when you joined this server"
        membership = now - voter.joined_at
        if membership < timedelta(days=poll.min_member_age_days):
            return (
                f"you joined this server {_days(membership)} days ago; this poll needs "
                f"members of at least {poll.min_member_age_days} days"
            )
    return None


def can_manage(poll: Poll, user_id: int, has_manage_guild: bool) -> bool:
    """The creator or anyone with Manage Server may close or extend a poll."""
    return has_manage_guild or user_id == poll.creator_id


def can_see_counts(poll: Poll, has_manage_guild: bool) -> bool:
    """Hidden results stay hidden until the poll closes, except for Manage Server."""
    return not poll.hide_results or not poll.is_open or has_manage_guild


# -- vote decisions -----------------------------------------------------------------------


class VoteAction(StrEnum):
    COUNT = "count"  # the reaction is now a counted vote
    MOVE = "move"  # single choice: the new reaction counts, the old vote is withdrawn
    REJECT = "reject"  # not counted (see reason)
    WITHDRAW = "withdraw"  # the reaction went away: its vote no longer counts
    IGNORE = "ignore"  # nothing changes (duplicate event, bot reaction, our own removal…)


#: What a reaction did that changes the counts shown on the poll message.
COUNT_CHANGING_ACTIONS = frozenset({VoteAction.COUNT, VoteAction.MOVE, VoteAction.WITHDRAW})


@dataclass(frozen=True, slots=True)
class VoteDecision:
    action: VoteAction
    option: int | None = None
    #: Options whose vote stops counting (MOVE: the old one; WITHDRAW: the removed one).
    withdrawn: tuple[int, ...] = ()
    #: Remove the reaction this event is about (rejected reactions).
    remove_trigger: bool = False
    #: Other reactions of the same member to remove (MOVE: the old option).
    remove_options: tuple[int, ...] = ()
    reason: str | None = None

    @property
    def changes_counts(self) -> bool:
        return self.action in COUNT_CHANGING_ACTIONS

    @property
    def added(self) -> int | None:
        """The option this decision counts for the member, if any."""
        return self.option if self.action in (VoteAction.COUNT, VoteAction.MOVE) else None


IGNORE = VoteDecision(VoteAction.IGNORE)
CLOSED_REASON = "the poll is closed"
NOT_AN_OPTION_REASON = "that emoji is not one of the poll's options"


def decide_reaction_add(
    poll: Poll, counted: Collection[int], option: int | None, voter: Voter, now: datetime
) -> VoteDecision:
    """What a member's new reaction does, given the options already counted for them.

    Order matters: a repeated event for a counted vote changes nothing before any rule is
    looked at, so duplicates are harmless even if the rules would now say no.
    """
    if not poll.accepts_votes(now):
        return VoteDecision(VoteAction.REJECT, option, reason=CLOSED_REASON)
    if voter.is_bot:
        return IGNORE  # our own option reactions, and other bots: never counted, never removed
    if option is None:
        return VoteDecision(VoteAction.REJECT, None, remove_trigger=True, reason=NOT_AN_OPTION_REASON)
    if option in counted:
        return IGNORE
    reason = ineligibility_reason(poll, voter, now)
    if reason is not None:
        return VoteDecision(VoteAction.REJECT, option, remove_trigger=True, reason=reason)
    if poll.choices == 1 and counted:
        old = tuple(sorted(counted))
        return VoteDecision(VoteAction.MOVE, option, withdrawn=old, remove_options=old)
    if len(counted) >= poll.choices:
        return VoteDecision(
            VoteAction.REJECT,
            option,
            remove_trigger=True,
            reason=(
                f"you already picked {len(counted)} options, the most this poll allows; "
                "remove one of your reactions first"
            ),
        )
    return VoteDecision(VoteAction.COUNT, option)


def decide_reaction_remove(poll: Poll, counted: Collection[int], option: int | None, now: datetime) -> VoteDecision:
    """A reaction went away: its vote, if counted, is withdrawn (frozen after the deadline)."""
    if option is None or option not in counted or not poll.accepts_votes(now):
        return IGNORE
    return VoteDecision(VoteAction.WITHDRAW, option, withdrawn=(option,))


def apply_decision(counted: frozenset[int], decision: VoteDecision) -> frozenset[int]:
    """A member's counted options after a decision."""
    remaining = counted.difference(decision.withdrawn)
    return remaining if decision.added is None else remaining | {decision.added}


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionResult:
    option: int
    label: str
    emoji: str
    votes: int
    #: Share of voters (turnout) who picked it; with several choices these add up past 100.
    percent: float
    #: 1 for the most votes; equal votes share a rank (1, 1, 3).
    rank: int


@dataclass(frozen=True, slots=True)
class PollResults:
    poll_id: int
    question: str
    #: Ranked: most votes first, ties in option order.
    ranked: tuple[OptionResult, ...]
    turnout: int
    total_votes: int
    #: Options with the most votes (none if nobody voted).
    winners: tuple[int, ...]
    final: bool

    @property
    def is_tie(self) -> bool:
        return len(self.winners) > 1

    def for_option(self, option: int) -> OptionResult:
        return next(result for result in self.ranked if result.option == option)


def compute_results(poll: Poll, counts: Mapping[int, int] | Sequence[int], turnout: int) -> PollResults:
    """Rank options by votes; percent of turnout; the winner or the tied options."""
    by_option = dict(counts) if isinstance(counts, Mapping) else dict(enumerate(counts))
    votes = [int(by_option.get(option, 0)) for option in range(len(poll.options))]
    order = sorted(range(len(votes)), key=lambda option: (-votes[option], option))
    emojis = poll.emojis
    ranked: list[OptionResult] = []
    for position, option in enumerate(order):
        previous = ranked[-1] if ranked else None
        rank = previous.rank if previous and previous.votes == votes[option] else position + 1
        percent = 100.0 * votes[option] / turnout if turnout else 0.0
        ranked.append(OptionResult(option, poll.options[option], emojis[option], votes[option], percent, rank))
    top = max(votes) if votes else 0
    winners = tuple(option for option in order if top and votes[option] == top)
    return PollResults(
        poll_id=poll.poll_id,
        question=poll.question,
        ranked=tuple(ranked),
        turnout=turnout,
        total_votes=sum(votes),
        winners=winners,
        final=not poll.is_open,
    )
