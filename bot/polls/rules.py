"""Poll rules: what a member may type, who may vote, what a reaction does, what won.

Everything here is pure (plain values in and out, no I/O, no Discord), so the Discord layer,
the vote ledger and the reconciliation share one set of rules and the tests can hammer them.
Options are numbered from 0 in code and in the database; members see them from 1 (or A).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from bot.errors import UserError
from bot.i18n import Duration, Msg, Number, Text, _
from bot.i18n.input import localized_duration
from bot.polls import reasons
from bot.polls.reasons import days

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
#: Role weights (`weights:`): each from 1 to 100, at most this many roles; others weigh 1.
MIN_WEIGHT = 1
MAX_WEIGHT = 100
MAX_WEIGHTED_ROLES = 25

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
    #: Lightstick removes each member's reaction once counted; nobody sees who voted.
    anonymous: bool = False
    #: (role_id, weight) pairs; a voter weighs the highest weight among their roles, else 1.
    weights: tuple[tuple[int, int], ...] = ()
    #: No results message of its own when it closes (its message shows the final counts):
    #: another feature reports the results, e.g. a bracket's round summary for its matches.
    quiet: bool = False


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
    anonymous: bool = False
    weights: tuple[tuple[int, int], ...] = ()
    #: A scheduled poll (`start:`): when it is to be posted; None if posted when created.
    starts_at: datetime | None = None
    #: `/poll cancel`: when the scheduled poll was cancelled before it was posted.
    cancelled_at: datetime | None = None
    #: Closes without a results message (see :attr:`PollSpec.quiet`).
    quiet: bool = False

    @property
    def emojis(self) -> tuple[str, ...]:
        return option_emoji(len(self.options))

    @property
    def is_open(self) -> bool:
        return self.status is PollStatus.OPEN

    @property
    def is_scheduled(self) -> bool:
        """Waiting for its start: open, not posted yet, not cancelled."""
        return self.starts_at is not None and self.message_id is None and self.is_open and self.cancelled_at is None

    def accepts_votes(self, now: datetime) -> bool:
        """Open and before its deadline (an overdue poll waits for the scheduler, frozen)."""
        return self.is_open and now < self.closes_at

    @property
    def needs_member_lookup(self) -> bool:
        """Rules that need the member (roles, join date), not just the user id."""
        return self.role_id is not None or self.min_member_age_days > 0 or bool(self.weights)

    @property
    def weighted(self) -> bool:
        return bool(self.weights)


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


def refuse_mass_mention(text: str, where: Text) -> None:
    match = _MASS_MENTION.search(text)
    if match:
        raise UserError(
            _(
                "{where} contains {mention}; polls can't ping everyone. Remove it and try again.",
                where=where,
                mention=match.group(0),
            )
        )


def validate_options(options: Sequence[str]) -> tuple[str, ...]:
    """Check a list of option labels: 2–20 distinct, non-empty, each ≤ 100 characters."""
    cleaned = [normalize_option(option) for option in options]
    cleaned = [option for option in cleaned if option]
    if len(cleaned) < MIN_OPTIONS:
        raise UserError(
            _(
                "A poll needs at least {minimum} options, separated by | "
                "(for example: `Spell | WHIPLASH | Chk Chk Boom`).",
                minimum=Number(MIN_OPTIONS),
            )
        )
    if len(cleaned) > MAX_OPTIONS:
        raise UserError(
            _(
                "A poll can have at most {maximum} options; you gave {given}.",
                maximum=Number(MAX_OPTIONS),
                given=Number(len(cleaned)),
            )
        )
    seen: dict[str, int] = {}
    for number, option in enumerate(cleaned, start=1):
        if len(option) > MAX_OPTION_LENGTH:
            raise UserError(
                _(
                    "Option {number} is {length} characters long; keep each option to {maximum} characters or fewer.",
                    number=number,
                    length=Number(len(option)),
                    maximum=Number(MAX_OPTION_LENGTH),
                )
            )
        refuse_mass_mention(option, _("Option {number}", number=number))
        key = option_key(option)
        if key in seen:
            raise UserError(
                _(
                    "Option {number} (“{option}”) is the same as option {other}; each option must be different.",
                    number=number,
                    option=option,
                    other=seen[key],
                )
            )
        seen[key] = number
    return tuple(cleaned)


def parse_options(text: str) -> tuple[str, ...]:
    """Options typed by a member: `A | B | C` (or `;`, or one per line)."""
    return validate_options(split_options(text))


def parse_question(text: str) -> str:
    question = text.strip()
    if not question:
        raise UserError(_("The question can't be empty."))
    if len(question) > MAX_QUESTION_LENGTH:
        raise UserError(
            _(
                "The question is {length} characters long; keep it to {maximum} or fewer.",
                length=Number(len(question)),
                maximum=Number(MAX_QUESTION_LENGTH),
            )
        )
    refuse_mass_mention(question, _("The question"))
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
DURATION_HELP = _("Write a duration like `30m`, `12h`, `2d`, `1w` or `1d12h`")


def parse_duration(text: str | None) -> timedelta:
    """`30m`, `12h`, `2d`, `1w`, `1d12h`, `1d 12h`, `2 days`; empty means 24 hours. Unit words
    of every language Lightstick speaks are read too: `3일`, `2 horas`, `1 hari`, `3日`.

    Each unit may appear once; the total must be between 1 minute and 90 days. Errors quote
    what the member typed.
    """
    if text is None or not text.strip():
        return DEFAULT_DURATION
    typed = text.strip()
    lowered = localized_duration(typed).lower()
    if not _DURATION_SHAPE.fullmatch(lowered):
        raise UserError(_("I can't read the duration “{text}”. {help}.", text=typed, help=DURATION_HELP))
    minutes = 0
    seen: set[int] = set()
    for amount, unit in _DURATION_PART.findall(lowered):
        if unit not in _UNIT_MINUTES:
            raise UserError(_("“{unit}” is not a unit I know. {help}.", unit=unit, help=DURATION_HELP))
        size = _UNIT_MINUTES[unit]
        if size in seen:
            raise UserError(_("The duration “{text}” names a unit twice. {help}.", text=typed, help=DURATION_HELP))
        seen.add(size)
        if len(amount) > 7:  # far past 90 days in any unit; spare timedelta the overflow
            raise UserError(_("A poll can run for at most 90 days."))
        minutes += int(amount) * size
    return check_duration(timedelta(minutes=minutes))


def check_duration(duration: timedelta) -> timedelta:
    if duration < MIN_DURATION:
        raise UserError(_("A poll must run for at least 1 minute."))
    if duration > MAX_DURATION:
        raise UserError(_("A poll can run for at most 90 days; you asked for {asked}.", asked=describe(duration)))
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


def describe(duration: timedelta) -> Duration:
    """Words for a member, in their language: `1 day, 12 hours` / `1일 12시간`."""
    return Duration(duration)


def _check_age(days: int | None, what: str) -> int:
    value = days or 0
    if not 0 <= value <= MAX_AGE_DAYS:
        raise UserError(_("{option} must be between 0 and {maximum} days.", option=what, maximum=Number(MAX_AGE_DAYS)))
    return value


@dataclass(frozen=True, slots=True)
class VoterRules:
    """Who may vote and how much a vote weighs: the rules a poll takes from `/poll create`,
    and every match poll of a bracket from `/bracket create` (kept with the bracket as JSON)."""

    role_id: int | None = None
    min_account_age_days: int = 0
    min_member_age_days: int = 0
    anonymous: bool = False
    #: (role_id, weight) pairs.
    weights: tuple[tuple[int, int], ...] = ()

    def poll_spec(
        self, question: str, options: tuple[str, ...], duration: timedelta, *, quiet: bool = False
    ) -> PollSpec:
        """A poll with these rules (question, options and duration already checked)."""
        return PollSpec(
            question=question,
            options=options,
            duration=duration,
            role_id=self.role_id,
            min_account_age_days=self.min_account_age_days,
            min_member_age_days=self.min_member_age_days,
            anonymous=self.anonymous,
            weights=self.weights,
            quiet=quiet,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "role_id": self.role_id,
            "min_account_age_days": self.min_account_age_days,
            "min_member_age_days": self.min_member_age_days,
            "anonymous": self.anonymous,
            "weights": [list(pair) for pair in self.weights],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> VoterRules:
        if not data:
            return cls()
        role = data.get("role_id")
        weights = data.get("weights") or []
        assert isinstance(weights, list)
        return cls(
            role_id=None if role is None else int(role),  # type: ignore[call-overload]
            min_account_age_days=int(data.get("min_account_age_days") or 0),  # type: ignore[call-overload]
            min_member_age_days=int(data.get("min_member_age_days") or 0),  # type: ignore[call-overload]
            anonymous=bool(data.get("anonymous")),
            weights=tuple((int(role_id), int(weight)) for role_id, weight in weights),
        )


def check_voter_rules(
    role_id: int | None = None,
    min_account_age_days: int | None = None,
    min_member_age_days: int | None = None,
    *,
    anonymous: bool = False,
    weights: Sequence[tuple[int, int]] = (),
) -> VoterRules:
    """Validate the voter rules (a UserError says what is wrong); one check for polls and brackets."""
    if role_id is not None and role_id <= 0:
        raise UserError(_("That role can't be used for a poll."))
    return VoterRules(
        role_id=role_id,
        min_account_age_days=_check_age(min_account_age_days, "`min_account_age`"),
        min_member_age_days=_check_age(min_member_age_days, "`min_member_age`"),
        anonymous=anonymous,
        weights=check_weights(weights),
    )


def build_poll_spec(
    question: str,
    options: str | Sequence[str],
    duration: str | timedelta | None = None,
    choices: int | None = None,
    hide_results: bool = False,
    role_id: int | None = None,
    min_account_age_days: int | None = None,
    min_member_age_days: int | None = None,
    *,
    anonymous: bool = False,
    weights: Sequence[tuple[int, int]] = (),
    rules: VoterRules | None = None,
) -> PollSpec:
    """Validate everything about a new poll before any row is written or message posted.

    `options` is the text a member typed, or a ready list (e.g. from the MV catalog). The
    voter rules come as `rules` (checked already) or one by one.
    """
    parsed_question = parse_question(question)
    parsed_options = parse_options(options) if isinstance(options, str) else validate_options(options)
    parsed_duration = check_duration(duration) if isinstance(duration, timedelta) else parse_duration(duration)
    picks = 1 if choices is None else choices
    if not 1 <= picks <= len(parsed_options):
        raise UserError(
            _(
                "`choices` must be between 1 and {maximum} (the number of options).",
                maximum=Number(len(parsed_options)),
            )
        )
    if rules is None:
        rules = check_voter_rules(
            role_id, min_account_age_days, min_member_age_days, anonymous=anonymous, weights=weights
        )
    spec = rules.poll_spec(parsed_question, parsed_options, parsed_duration)
    return replace(spec, choices=picks, hide_results=hide_results)


def spec_again(poll: Poll) -> PollSpec:
    """`/poll again`: the same question, options and rules, for as long as the poll ran first
    (its deadline minus its creation, kept between 1 minute and 90 days). Posted anew it
    stands alone, so it posts its own results even if the first one was quiet."""
    span = min(max(poll.closes_at - (poll.starts_at or poll.created_at), MIN_DURATION), MAX_DURATION)
    return PollSpec(
        question=poll.question,
        options=poll.options,
        duration=span,
        choices=poll.choices,
        hide_results=poll.hide_results,
        role_id=poll.role_id,
        min_account_age_days=poll.min_account_age_days,
        min_member_age_days=poll.min_member_age_days,
        anonymous=poll.anonymous,
        weights=poll.weights,
    )


# -- role weights ---------------------------------------------------------------------------

_WEIGHTS_HELP = _("Write role weights like `@Mods=3, @Members=2` (members without one of those roles weigh 1)")
_ROLE_MENTION = re.compile(r"<@&(\d{1,20})>")


@dataclass(frozen=True, slots=True)
class WeightEntry:
    """One `role=weight` as typed: a role mention (`<@&id>`) or a role name (`@Mods`)."""

    text: str
    role_id: int | None
    role_name: str | None
    weight: int


def _split_weights(text: str) -> list[str]:
    return [piece.strip() for piece in re.split(r"[,;\n]", text) if piece.strip()]


def parse_weights(text: str | None) -> tuple[WeightEntry, ...]:
    """`@Mods=3, @Members=2` or `<@&123>=3` (how Discord sends a mention in a text option);
    separated by `,`, `;` or new lines. Each weight is a whole number from 1 to 100."""
    if text is None or not text.strip():
        return ()
    entries: list[WeightEntry] = []
    for piece in _split_weights(text):
        target, equals, amount = piece.rpartition("=")
        target, amount = target.strip(), amount.strip()
        if not equals or not target:
            raise UserError(
                _("I can't read the weight “{text}”. {help}.", text=truncate_text(piece), help=_WEIGHTS_HELP)
            )
        mention = _ROLE_MENTION.fullmatch(target)
        name = None if mention else " ".join(target.removeprefix("@").split())
        if not mention and not name:
            raise UserError(
                _("I can't read the weight “{text}”. {help}.", text=truncate_text(piece), help=_WEIGHTS_HELP)
            )
        shown = target if mention else f"@{name}"
        if not re.fullmatch(r"[+-]?\d{1,7}", amount):
            raise UserError(
                _(
                    "The weight of {role} is “{weight}”; a weight is a whole number from {minimum} to {maximum}.",
                    role=shown,
                    weight=truncate_text(amount),
                    minimum=Number(MIN_WEIGHT),
                    maximum=Number(MAX_WEIGHT),
                )
            )
        weight = int(amount)
        if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
            raise UserError(_weight_out_of_range(shown, weight))
        entries.append(WeightEntry(shown, int(mention.group(1)) if mention else None, name, weight))
    if len(entries) > MAX_WEIGHTED_ROLES:
        raise UserError(_too_many_weights(len(entries)))
    return tuple(entries)


def resolve_weights(
    entries: Sequence[WeightEntry], roles: Mapping[int, str], everyone_id: int
) -> tuple[tuple[int, int], ...]:
    """Role mentions and names → (role_id, weight), against the server's roles (id → name).

    A name matches exactly, or else ignoring case; a name two roles share must be mentioned.
    """
    resolved: list[tuple[int, int]] = []
    seen: dict[int, str] = {}
    for entry in entries:
        if entry.role_id is not None:
            if entry.role_id not in roles:
                raise UserError(_("There is no role {role} in this server.", role=entry.text))
            role_id = entry.role_id
        else:
            name = entry.role_name or ""
            if name.casefold() in ("everyone", "here"):
                role_id = everyone_id
            else:
                exact = [rid for rid, rname in roles.items() if rname == name]
                folded = [rid for rid, rname in roles.items() if rname.casefold() == name.casefold()]
                matches = exact or folded
                if not matches:
                    raise UserError(
                        _(
                            "There is no role named {role} in this server. {help}.",
                            role=entry.text,
                            help=_WEIGHTS_HELP,
                        )
                    )
                if len(matches) > 1:
                    raise UserError(
                        _("Several roles are called {role}; mention the one you mean instead.", role=entry.text)
                    )
                role_id = matches[0]
        if role_id == everyone_id:
            raise UserError(_("@everyone can't have a weight: members without a weighted role already weigh 1."))
        if role_id in seen:
            raise UserError(_("{role} is given a weight twice; give each role one weight.", role=entry.text))
        seen[role_id] = entry.text
        resolved.append((role_id, entry.weight))
    return check_weights(resolved)


def check_weights(weights: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Validated (role_id, weight) pairs: distinct roles, weights 1–100, at most 25."""
    pairs = tuple((int(role_id), int(weight)) for role_id, weight in weights)
    if len(pairs) > MAX_WEIGHTED_ROLES:
        raise UserError(_too_many_weights(len(pairs)))
    if len({role_id for role_id, _weight in pairs}) != len(pairs):
        raise UserError(_("A role is given a weight twice; give each role one weight."))
    for role_id, weight in pairs:
        if role_id <= 0:
            raise UserError(_("That role can't be given a weight."))
        if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
            raise UserError(_weight_out_of_range(f"<@&{role_id}>", weight))
    return pairs


def _weight_out_of_range(role: str, weight: int) -> Msg:
    return _(
        "The weight of {role} is {weight}; weights must be from {minimum} to {maximum}.",
        role=role,
        weight=Number(weight),
        minimum=Number(MIN_WEIGHT),
        maximum=Number(MAX_WEIGHT),
    )


def _too_many_weights(given: int) -> Msg:
    return _(
        "A poll can weigh at most {maximum} roles; you gave {given}.",
        maximum=Number(MAX_WEIGHTED_ROLES),
        given=Number(given),
    )


def voter_weight(poll: Poll | PollSpec, voter: Voter | None) -> int:
    """The highest weight among the voter's roles, or 1 (no weighted role, no weights, unknown)."""
    if not poll.weights or voter is None or voter.role_ids is None:
        return 1
    return max((weight for role_id, weight in poll.weights if role_id in voter.role_ids), default=1)


def truncate_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_poll_ref(text: str) -> int:
    """A poll as typed or picked in autocomplete: `12`, `#12`, or `#12 · question…`."""
    match = re.match(r"\s*#?(\d{1,18})\b", text)
    if not match:
        raise UserError(_("Pick a poll from the list, or type its number (e.g. `12`)."))
    return int(match.group(1))


def reopened_deadline(poll: Poll, duration: timedelta, now: datetime) -> datetime:
    """The deadline of a closed poll reopened by `/poll reopen` for `duration` from now."""
    if poll.is_open:
        raise UserError(still_open(poll.poll_id))
    if poll.status is PollStatus.CLOSED_MISSING:
        raise UserError(message_deleted(poll.poll_id))
    return now + check_duration(duration)


def extended_deadline(poll: Poll, duration: timedelta, now: datetime) -> datetime:
    """The deadline after `/poll extend`: later by `duration`, within 90 days of creation."""
    if not poll.accepts_votes(now):
        raise UserError(already_closed(poll.poll_id))
    check_duration(duration)
    limit = poll.created_at + MAX_DURATION
    new_deadline = poll.closes_at + duration
    if new_deadline > limit:
        room = limit - poll.closes_at
        if room >= MIN_DURATION:
            raise UserError(
                _(
                    "A poll can run at most 90 days from its creation; the most it can be extended now is {room}.",
                    room=describe(room),
                )
            )
        raise UserError(_("A poll can run at most 90 days from its creation; it can't be extended any more."))
    return new_deadline


def already_closed(poll_id: int) -> Msg:
    return _("Poll #{id} is already closed.", id=poll_id)


def still_open(poll_id: int) -> Msg:
    return _("Poll #{id} is still open; use `/poll extend` to give it more time.", id=poll_id)


def message_deleted(poll_id: int) -> Msg:
    return _(
        "Poll #{id} can't be reopened: its message or channel was deleted. `/poll again` posts it anew.", id=poll_id
    )


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
    """Why this voter may not vote on this poll, as stored (English; :func:`reasons.shown`
    gives it in the reader's language); None if they may."""
    if voter.is_bot:
        return reasons.stored(reasons.BOT)
    if (poll.role_id is not None or poll.weights) and voter.role_ids is None:
        return reasons.stored(reasons.CANT_CHECK_ROLES)
    if poll.role_id is not None and voter.role_ids is not None and poll.role_id not in voter.role_ids:
        return reasons.stored(reasons.ROLE_ONLY, role=poll.role_id)
    if poll.min_account_age_days:
        age = now - account_created_at(voter.user_id)
        if age < timedelta(days=poll.min_account_age_days):
            return reasons.stored(
                reasons.ACCOUNT_TOO_YOUNG, age=days(_days(age)), needed=days(poll.min_account_age_days)
            )
    if poll.min_member_age_days:
        if voter.joined_at is None:
            return reasons.stored(reasons.CANT_TELL_JOINED)
        membership = now - voter.joined_at
        if membership < timedelta(days=poll.min_member_age_days):
            return reasons.stored(
                reasons.JOINED_TOO_RECENTLY, age=days(_days(membership)), needed=days(poll.min_member_age_days)
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
    #: The voter's weight for the option counted (COUNT, MOVE); 1 on unweighted polls.
    weight: int = 1

    @property
    def changes_counts(self) -> bool:
        return self.action in COUNT_CHANGING_ACTIONS

    @property
    def added(self) -> int | None:
        """The option this decision counts for the member, if any."""
        return self.option if self.action in (VoteAction.COUNT, VoteAction.MOVE) else None


IGNORE = VoteDecision(VoteAction.IGNORE)
CLOSED_REASON = reasons.stored(reasons.CLOSED)
NOT_AN_OPTION_REASON = reasons.stored(reasons.NOT_AN_OPTION)


def decide_reaction_add(
    poll: Poll, counted: Collection[int], option: int | None, voter: Voter, now: datetime
) -> VoteDecision:
    """What a member's new reaction does, given the options already counted for them.

    Order matters: a repeated event for a counted vote changes nothing before any rule is
    looked at, so duplicates are harmless even if the rules would now say no.

    Anonymous polls remove every member's reaction (``remove_trigger``), so nothing shows
    who voted for what. There a reaction on an option already counted takes that vote back
    (the member can't un-react: their reaction is gone), and a single-choice vote moves
    without a reaction to remove. A repeated event is told apart by the ledger (a reaction
    whose removal is still on its way is the same reaction) before this is asked.
    """
    anonymous = poll.anonymous
    if not poll.accepts_votes(now):
        remove = anonymous and not voter.is_bot
        return VoteDecision(VoteAction.REJECT, option, remove_trigger=remove, reason=CLOSED_REASON)
    if voter.is_bot:
        return IGNORE  # our own option reactions, and other bots: never counted, never removed
    if option is None:
        return VoteDecision(VoteAction.REJECT, None, remove_trigger=True, reason=NOT_AN_OPTION_REASON)
    if option in counted:
        if anonymous:
            return VoteDecision(VoteAction.WITHDRAW, option, withdrawn=(option,), remove_trigger=True)
        return IGNORE
    reason = ineligibility_reason(poll, voter, now)
    if reason is not None:
        return VoteDecision(VoteAction.REJECT, option, remove_trigger=True, reason=reason)
    weight = voter_weight(poll, voter)
    if poll.choices == 1 and counted:
        old = tuple(sorted(counted))
        if anonymous:
            return VoteDecision(VoteAction.MOVE, option, withdrawn=old, remove_trigger=True, weight=weight)
        return VoteDecision(VoteAction.MOVE, option, withdrawn=old, remove_options=old, weight=weight)
    if len(counted) >= poll.choices:
        template = reasons.TOO_MANY_PICKS_ANONYMOUS if anonymous else reasons.TOO_MANY_PICKS
        return VoteDecision(
            VoteAction.REJECT,
            option,
            remove_trigger=True,
            reason=reasons.stored(template, picked=Number(len(counted))),
        )
    return VoteDecision(VoteAction.COUNT, option, remove_trigger=anonymous, weight=weight)


def decide_reaction_remove(poll: Poll, counted: Collection[int], option: int | None, now: datetime) -> VoteDecision:
    """A reaction went away: its vote, if counted, is withdrawn (frozen after the deadline).

    Never on anonymous polls: there Lightstick removes every reaction itself, and a vote is
    taken back by reacting on the option again.
    """
    if poll.anonymous or option is None or option not in counted or not poll.accepts_votes(now):
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
    #: Votes for the option; on a weighted poll, the sum of its voters' weights.
    votes: int
    #: Share of voters (turnout) who picked it; with several choices these add up past 100.
    #: On a weighted poll, the share of the voters' total weight.
    percent: float
    #: 1 for the most votes; equal votes share a rank (1, 1, 3).
    rank: int
    #: Members whose vote for it is counted (equals `votes` on an unweighted poll).
    voters: int = 0


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
    #: Votes are weighted by role (`votes` are weighted totals, `voters` head counts).
    weighted: bool = False
    #: The voters' total weight (each voter counted once, at their highest vote weight).
    turnout_weight: int = 0

    @property
    def is_tie(self) -> bool:
        return len(self.winners) > 1

    def for_option(self, option: int) -> OptionResult:
        return next(result for result in self.ranked if result.option == option)


def _per_option(poll: Poll, counts: Mapping[int, int] | Sequence[int]) -> list[int]:
    by_option = dict(counts) if isinstance(counts, Mapping) else dict(enumerate(counts))
    return [int(by_option.get(option, 0)) for option in range(len(poll.options))]


def compute_results(
    poll: Poll,
    counts: Mapping[int, int] | Sequence[int],
    turnout: int,
    *,
    voters: Mapping[int, int] | Sequence[int] | None = None,
    turnout_weight: int | None = None,
) -> PollResults:
    """Rank options by votes; percent of turnout; the winner or the tied options.

    On a weighted poll `counts` are the weighted totals, `voters` the head count per option
    and `turnout_weight` the voters' total weight (percentages are of it).
    """
    votes = _per_option(poll, counts)
    heads = _per_option(poll, voters) if voters is not None else votes
    base = turnout if turnout_weight is None else turnout_weight
    order = sorted(range(len(votes)), key=lambda option: (-votes[option], option))
    emojis = poll.emojis
    ranked: list[OptionResult] = []
    for position, option in enumerate(order):
        previous = ranked[-1] if ranked else None
        rank = previous.rank if previous and previous.votes == votes[option] else position + 1
        percent = 100.0 * votes[option] / base if base else 0.0
        ranked.append(
            OptionResult(option, poll.options[option], emojis[option], votes[option], percent, rank, heads[option])
        )
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
        weighted=poll.weighted,
        turnout_weight=base,
    )
