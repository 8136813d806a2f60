"""Plain builders for poll tests: polls, voters, snowflakes from dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.polls.rules import DISCORD_EPOCH_MS, Poll, PollStatus, Voter

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
GUILD = 111_111_111_111_111_111
CHANNEL = 222_222_222_222_222_222
MESSAGE = 333_333_333_333_333_333
CREATOR = 444_444_444_444_444_444
SEED_OPTIONS = (
    "toxic till the end - BLACKPINK Rosé",
    "FRI(END)S - BTS V",
    "Spell - SEVENTEEN",
    "WHIPLASH - aespa",
    "ROCKSTAR - BLACKPINK Lisa",
    "Mantra - BLACKPINK Jennie",
    "Who - BTS Jimin",
    "STRATEGY - TWICE",
    "Chk Chk Boom - Stray Kids",
)


def snowflake_at(when: datetime, increment: int = 0) -> int:
    """A user id created at `when` (ids carry their creation time)."""
    ms = int(when.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (increment & 0x3FFFFF)


#: A user whose account is 3 years old at NOW.
OLD_ACCOUNT = snowflake_at(NOW - timedelta(days=3 * 365))


def user(n: int) -> int:
    """Distinct old accounts: user(0), user(1)…"""
    return OLD_ACCOUNT + n


def make_poll(
    n_options: int = 3,
    *,
    choices: int = 1,
    poll_id: int = 1,
    role_id: int | None = None,
    min_account_age_days: int = 0,
    min_member_age_days: int = 0,
    hide_results: bool = False,
    status: PollStatus = PollStatus.OPEN,
    created_at: datetime = NOW,
    duration: timedelta = timedelta(days=1),
    options: tuple[str, ...] | None = None,
    question: str = "Which is the best K-pop music video of 2024?",
    anonymous: bool = False,
    weights: tuple[tuple[int, int], ...] = (),
) -> Poll:
    return Poll(
        poll_id=poll_id,
        guild_id=GUILD,
        channel_id=CHANNEL,
        message_id=MESSAGE + poll_id,
        creator_id=CREATOR,
        question=question,
        options=options or tuple(f"Option {i + 1}" for i in range(n_options)),
        choices=choices,
        hide_results=hide_results,
        role_id=role_id,
        min_account_age_days=min_account_age_days,
        min_member_age_days=min_member_age_days,
        created_at=created_at,
        closes_at=created_at + duration,
        status=status,
        anonymous=anonymous,
        weights=weights,
    )


def member(
    n: int = 0,
    *,
    roles: frozenset[int] | None = frozenset(),
    joined_days_ago: float | None = 365,
    bot: bool = False,
    user_id: int | None = None,
) -> Voter:
    joined = None if joined_days_ago is None else NOW - timedelta(days=joined_days_ago)
    return Voter(user_id if user_id is not None else user(n), bot, roles, joined)
