"""PollVoting: the in-memory ledger of counted votes for open polls, and its batched writer.

Every reaction event is decided and applied to the ledger synchronously (no ``await`` between
reading a member's counted options and updating them), so two fast taps cannot both see "no
vote yet". The resulting writes are queued for :class:`VoteWriter`, which commits them in one
transaction at most every ``max_delay`` seconds (50 ms by default). The ledger is the live truth for the poll
message; SQLite catches up within the delay, and ``flush()`` forces it (reads, close,
shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.clock import Clock, to_unix
from bot.errors import UserError
from bot.i18n import _
from bot.polls.reconcile import (
    ReactionUser,
    ReconcilePlan,
    plan_reconciliation,
    users_needing_lookup,
)
from bot.polls.rules import (
    COUNT_CHANGING_ACTIONS,
    IGNORE,
    Poll,
    PollResults,
    VoteAction,
    VoteDecision,
    Voter,
    already_closed,
    compute_results,
    decide_reaction_add,
    decide_reaction_remove,
    extended_deadline,
    option_for_emoji,
    reopened_deadline,
    voter_weight,
)
from bot.polls.store import (
    AuditReport,
    EventRow,
    MyVotes,
    PollStore,
    VoteKey,
    VoteRow,
    VoterRow,
)
from bot.scheduler import cancel_and_wait

log = logging.getLogger(__name__)

ChangeCallback = Callable[[Poll], None]
ReadReactions = Callable[[], Awaitable[Mapping[int, Sequence[ReactionUser]]]]
LookupMember = Callable[[int], Awaitable[Voter | None]]

#: Event sources, as stored in poll_vote_events.source.
MEMBER, OFFLINE, CLEARED, LIGHTSTICK = "member", "offline", "cleared", "lightstick"


# -- the batched writer ---------------------------------------------------------------------


#: How long the writer gathers a batch. With the write itself (a few to tens of ms) a vote
#: reaches SQLite within about 100 ms of its event at steady load.
BATCH_WINDOW = 0.05


class VoteWriter:
    """Queues vote writes and commits them in one transaction at most every `max_delay` s.

    Per (poll, user, option) only the last word is kept (insert or delete), so a batch is
    a set of inserts and a set of deletes that commute. A failed write keeps its batch
    queued (newer words win) and is retried with backoff; nothing is dropped.

    The delay holds while the event loop has idle moments. When the loop is saturated
    (tens of thousands of events a second) aiosqlite's thread waits for the GIL, batches
    grow and commit later; the ledger in memory stays exact meanwhile, and `max_lag` shows
    how far the database fell behind.
    """

    def __init__(self, store: PollStore, *, max_delay: float = BATCH_WINDOW, max_backoff: float = 5.0):
        self._store = store
        self._max_delay = max_delay
        self._max_backoff = max_backoff
        self._votes: dict[tuple[int, int, int, int], VoteRow | None] = {}
        #: Keys whose queued add follows a queued remove: the stored row (if any) is deleted
        #: before the add, so its weight and time are the new vote's.
        self._replaced: set[tuple[int, int, int, int]] = set()
        self._events: list[EventRow] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._in_flight = 0
        self._first_queued: float | None = None
        self.flushes = 0
        self.failures = 0
        #: Seconds from the first write queued in a batch to its commit: last and worst.
        self.last_lag = 0.0
        self.max_lag = 0.0

    @property
    def pending(self) -> int:
        """Writes not yet committed (queued or in the transaction being written)."""
        return len(self._votes) + len(self._events) + self._in_flight

    def add_vote(self, row: VoteRow) -> None:
        key = (row[0], row[1], row[2], row[3])
        if key in self._votes and self._votes[key] is None:
            self._replaced.add(key)
        self._votes[key] = row
        self._kick()

    def remove_vote(self, key: VoteKey) -> None:
        self._votes[(key[0], key[1], key[2], key[3])] = None
        self._kick()

    def log_event(self, row: EventRow) -> None:
        self._events.append(row)
        self._kick()

    def _kick(self) -> None:
        if self._first_queued is None:
            self._first_queued = time.monotonic()
        self._wake.set()
        if self._task is None or self._task.done():
            try:
                self._task = asyncio.get_running_loop().create_task(self._run(), name="polls:vote-writer")
            except RuntimeError:  # no loop (plain sync use): flush() will write
                self._task = None

    async def _run(self) -> None:
        backoff = self._max_delay
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._max_delay)  # gather a batch; bounds the delay
            try:
                await self.flush()
                backoff = self._max_delay
            except Exception:
                self.failures += 1
                log.exception("writing %d queued poll votes failed; retrying in %.1f s", self.pending, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def flush(self) -> None:
        """Write everything queued so far, now. Raises if the write fails (the batch stays)."""
        async with self._lock:
            self._wake.clear()
            if not self._votes and not self._events:
                return
            votes, events, first_queued = self._votes, self._events, self._first_queued
            replaced = self._replaced
            self._votes, self._events, self._first_queued, self._replaced = {}, [], None, set()
            adds = [row for row in votes.values() if row is not None]
            removes = [VoteKey(*key) for key, row in votes.items() if row is None or key in replaced]
            self._in_flight = len(votes) + len(events)
            try:
                await self._store.write_batch(adds, removes, events)
            except BaseException:
                votes.update(self._votes)  # words queued meanwhile are newer: they win
                self._votes, self._events = votes, events + self._events
                self._replaced |= replaced
                self._first_queued = first_queued
                self._wake.set()
                raise
            finally:
                self._in_flight = 0
            self.flushes += 1
            if first_queued is not None:
                self.last_lag = time.monotonic() - first_queued
                self.max_lag = max(self.max_lag, self.last_lag)

    async def aclose(self) -> None:
        """Stop the background task and write what is left (raises if that fails)."""
        await cancel_and_wait(self._task)
        self._task = None
        await self.flush()


# -- the ledger -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    """What a reaction event did, and what the Discord layer must do about it."""

    poll: Poll
    user_id: int
    action: VoteAction
    option: int | None
    reason: str | None = None
    #: Remove the reaction the event was about (use the event's own emoji).
    remove_trigger: bool = False
    #: Also remove this member's reactions for these options (``poll.emojis[option]``).
    remove_options: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        """The counts changed: the poll message needs a (coalesced) refresh."""
        return self.action in COUNT_CHANGING_ACTIONS


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    poll: Poll
    plan: ReconcilePlan
    member_lookups: int

    @property
    def remove_reactions(self) -> tuple[tuple[int, int], ...]:
        """(user_id, option) reactions the Discord layer should remove."""
        return self.plan.remove_reactions


@dataclass(slots=True)
class _Ledger:
    poll: Poll
    counted: dict[int, set[int]]
    counts: list[int]
    #: (user_id, option) reactions Lightstick asked Discord to remove, not yet seen go.
    pending_removals: Counter[tuple[int, int]] = field(default_factory=Counter)
    #: Users with a live event since the running reconciliation read the reactions.
    touched: set[int] | None = None
    #: All reactions were cleared during a reconciliation: its snapshot is worthless.
    stale: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Weighted polls: the weighted total per option, and each counted vote's weight when
    #: it is not 1 ((user_id, option) → weight).
    weighted: list[int] = field(default_factory=list)
    weights: dict[tuple[int, int], int] = field(default_factory=dict)

    def weight_of(self, user_id: int, option: int) -> int:
        return self.weights.get((user_id, option), 1)


class PollVoting:
    """The vote ledger of every open poll this process serves, in front of :class:`PollStore`.

    The Discord layer calls :meth:`reaction_added` / :meth:`reaction_removed` for raw
    reaction events, :meth:`reconcile` on start and after each reconnect, and :meth:`close`
    when a poll is due. `on_change(poll)` is called whenever a poll's counts change (wire it
    to a :class:`~bot.polls.coalesce.Coalescer` that edits the message).
    """

    def __init__(
        self,
        store: PollStore,
        clock: Clock,
        *,
        on_change: ChangeCallback | None = None,
        max_delay: float = BATCH_WINDOW,
    ) -> None:
        self.store = store
        self._clock = clock
        self._on_change = on_change
        self.writer = VoteWriter(store, max_delay=max_delay)
        self._polls: dict[int, _Ledger] = {}
        self._by_message: dict[int, _Ledger] = {}

    # -- tracking -------------------------------------------------------------------------

    async def load(self) -> list[Poll]:
        """Track every open, posted poll with its counted votes (call once on start)."""
        polls = await self.store.open_polls()
        for poll in polls:
            weights = await self.store.vote_weights(poll) if poll.weighted else None
            self.track(poll, await self.store.counted_votes(poll), weights)
        log.info("tracking %d open polls", len(polls))
        return polls

    def track(
        self,
        poll: Poll,
        counted: Mapping[int, Sequence[int]] | None = None,
        weights: Mapping[tuple[int, int], int] | None = None,
    ) -> None:
        """Start counting reactions on a posted poll (with the votes already counted and,
        on a weighted poll, the weights of those that weigh more than 1)."""
        if poll.message_id is None:
            raise ValueError(f"poll {poll.poll_id} has no message yet")
        votes = {user: set(options) for user, options in (counted or {}).items() if options}
        counts = [0] * len(poll.options)
        weighted = [0] * len(poll.options)
        kept = {key: weight for key, weight in (weights or {}).items() if weight != 1}
        for user, options in votes.items():
            for option in options:
                counts[option] += 1
                weighted[option] += kept.get((user, option), 1)
        ledger = _Ledger(poll, votes, counts, weighted=weighted, weights=kept)
        self._polls[poll.poll_id] = ledger
        self._by_message[poll.message_id] = ledger

    async def attach_message(self, poll: Poll, message_id: int) -> Poll:
        """The poll message was posted: record it and start counting (before adding the
        option reactions, so no early vote is missed)."""
        posted = await self.store.attach_message(poll.poll_id, message_id)
        self.track(posted)
        return posted

    def _untrack(self, poll_id: int) -> _Ledger | None:
        ledger = self._polls.pop(poll_id, None)
        if ledger is not None and ledger.poll.message_id is not None:
            self._by_message.pop(ledger.poll.message_id, None)
        return ledger

    def _retrack(self, ledger: _Ledger) -> None:
        self._polls[ledger.poll.poll_id] = ledger
        if ledger.poll.message_id is not None:
            self._by_message[ledger.poll.message_id] = ledger

    def poll(self, poll_id: int) -> Poll | None:
        ledger = self._polls.get(poll_id)
        return None if ledger is None else ledger.poll

    def poll_for_message(self, message_id: int) -> Poll | None:
        ledger = self._by_message.get(message_id)
        return None if ledger is None else ledger.poll

    @property
    def tracked(self) -> list[Poll]:
        return [ledger.poll for ledger in self._polls.values()]

    def counted_for(self, poll_id: int, user_id: int) -> tuple[int, ...]:
        ledger = self._polls.get(poll_id)
        return tuple(sorted(ledger.counted.get(user_id, ()))) if ledger else ()

    def live_results(self, poll_id: int) -> PollResults | None:
        """Current counts from memory (no SQL): what the poll message shows."""
        ledger = self._polls.get(poll_id)
        if ledger is None:
            return None
        if not ledger.poll.weighted:
            return compute_results(ledger.poll, ledger.counts, len(ledger.counted))
        turnout_weight = sum(
            max(ledger.weight_of(user_id, option) for option in options) for user_id, options in ledger.counted.items()
        )
        return compute_results(
            ledger.poll, ledger.weighted, len(ledger.counted), voters=ledger.counts, turnout_weight=turnout_weight
        )

    # -- live reaction events -------------------------------------------------------------

    def reaction_added(self, message_id: int, emoji: str, voter: Voter) -> VoteOutcome | None:
        """A MESSAGE_REACTION_ADD. None if the message is no open poll of ours."""
        ledger = self._by_message.get(message_id)
        if ledger is None:
            return None
        now = self._clock.now()
        user_id = voter.user_id
        if ledger.touched is not None:
            ledger.touched.add(user_id)
        option = option_for_emoji(ledger.poll, emoji)
        if ledger.poll.anonymous and option is not None and ledger.pending_removals[(user_id, option)] > 0:
            # The reaction Lightstick is removing: Discord can't hold a second one of the
            # same member and emoji before it reports the removal, so this is a repeat.
            return self._outcome(ledger, user_id, IGNORE)
        decision = decide_reaction_add(ledger.poll, ledger.counted.get(user_id, ()), option, voter, now)
        joined = None if voter.joined_at is None else to_unix(voter.joined_at)
        self._apply(ledger, user_id, decision, MEMBER, to_unix(now), joined)
        return self._outcome(ledger, user_id, decision)

    def reaction_removed(self, message_id: int, user_id: int, emoji: str) -> VoteOutcome | None:
        """A MESSAGE_REACTION_REMOVE. A removal Lightstick itself asked for is not the
        member withdrawing (nothing is logged for it)."""
        ledger = self._by_message.get(message_id)
        if ledger is None:
            return None
        now = self._clock.now()
        if ledger.touched is not None:
            ledger.touched.add(user_id)
        option = option_for_emoji(ledger.poll, emoji)
        by_lightstick = option is not None and self._consume_pending(ledger, user_id, option)
        if ledger.poll.anonymous:  # every reaction goes; a vote is taken back by reacting again
            return self._outcome(ledger, user_id, IGNORE)
        decision = decide_reaction_remove(ledger.poll, ledger.counted.get(user_id, ()), option, now)
        self._apply(ledger, user_id, decision, LIGHTSTICK if by_lightstick else MEMBER, to_unix(now))
        return self._outcome(ledger, user_id, decision)

    def reactions_cleared(self, message_id: int, emoji: str | None = None) -> bool:
        """MESSAGE_REACTION_REMOVE_ALL (emoji None) or _REMOVE_EMOJI: those votes are gone.
        Returns whether any count changed."""
        ledger = self._by_message.get(message_id)
        if ledger is None:
            return False
        if emoji is None:
            options = set(range(len(ledger.poll.options)))
        else:
            option = option_for_emoji(ledger.poll, emoji)
            options = set() if option is None else {option}
        if ledger.touched is not None:
            ledger.stale = True
        if ledger.poll.anonymous:  # no reaction there stands for a vote: nothing is withdrawn
            for key in [key for key in ledger.pending_removals if key[1] in options]:
                del ledger.pending_removals[key]
            return False
        at = to_unix(self._clock.now())
        changed = False
        for user_id in list(ledger.counted):
            for gone in sorted(ledger.counted[user_id] & options):
                decision = VoteDecision(VoteAction.WITHDRAW, gone, withdrawn=(gone,))
                self._apply(ledger, user_id, decision, CLEARED, at, notify=False)
                changed = True
        for key in [key for key in ledger.pending_removals if key[1] in options]:
            del ledger.pending_removals[key]
        if changed and self._on_change is not None:
            self._on_change(ledger.poll)
        return changed

    def removal_failed(self, poll_id: int, user_id: int, option: int) -> None:
        """Lightstick could not remove that reaction (no Manage Messages, 404…): forget that
        we expect its removal event, so the member's own removal later is theirs."""
        ledger = self._polls.get(poll_id)
        if ledger is not None:
            self._consume_pending(ledger, user_id, option)

    @staticmethod
    def _consume_pending(ledger: _Ledger, user_id: int, option: int) -> bool:
        key = (user_id, option)
        if ledger.pending_removals[key] <= 0:
            ledger.pending_removals.pop(key, None)
            return False
        ledger.pending_removals[key] -= 1
        if not ledger.pending_removals[key]:
            del ledger.pending_removals[key]
        return True

    def _outcome(self, ledger: _Ledger, user_id: int, decision: VoteDecision) -> VoteOutcome:
        return VoteOutcome(
            poll=ledger.poll,
            user_id=user_id,
            action=decision.action,
            option=decision.option,
            reason=decision.reason,
            remove_trigger=decision.remove_trigger,
            remove_options=decision.remove_options,
        )

    def _apply(
        self,
        ledger: _Ledger,
        user_id: int,
        decision: VoteDecision,
        source: str,
        at: int,
        joined_at: int | None = None,
        *,
        notify: bool = True,
    ) -> None:
        """Update the ledger, queue the writes and the history row, remember removals."""
        if decision.action is VoteAction.IGNORE:
            return
        poll = ledger.poll
        counted = ledger.counted.setdefault(user_id, set())
        for gone in decision.withdrawn:
            if gone in counted:
                counted.discard(gone)
                ledger.counts[gone] -= 1
                ledger.weighted[gone] -= ledger.weights.pop((user_id, gone), 1)
                self.writer.remove_vote(VoteKey(poll.guild_id, poll.poll_id, user_id, gone))
        option = decision.added
        if option is not None:
            counted.add(option)
            ledger.counts[option] += 1
            ledger.weighted[option] += decision.weight
            if decision.weight != 1:
                ledger.weights[(user_id, option)] = decision.weight
            row = VoteRow(poll.guild_id, poll.poll_id, user_id, option, at, joined_at, decision.weight)
            self.writer.add_vote(row)
        if not counted:
            del ledger.counted[user_id]
        self.writer.log_event(_history_row(poll, user_id, decision, source, at))
        for removed in decision.remove_options:
            ledger.pending_removals[(user_id, removed)] += 1
        if decision.remove_trigger and decision.option is not None:
            ledger.pending_removals[(user_id, decision.option)] += 1
        if notify and decision.changes_counts and self._on_change is not None:
            self._on_change(poll)

    # -- reconciliation -------------------------------------------------------------------

    async def reconcile(
        self,
        poll_id: int,
        read_reactions: ReadReactions,
        lookup_member: LookupMember | None = None,
    ) -> ReconcileReport | None:
        """Make the counted votes of a tracked poll match its reactions on Discord.

        `read_reactions()` returns, per option, every user under that option's reaction
        (the Discord layer pages them, 100 a call); its exceptions (message or channel gone)
        propagate: then call :meth:`close` with ``missing=True``. `lookup_member(user_id)`
        is awaited once per member whose eligibility needs roles or a join date (polls with
        those rules only); None means the user is no longer a member. Live events arriving
        meanwhile win over the snapshot: those members are left as they are. The changes
        are written in one transaction before this returns. None if the poll is not tracked.
        """
        ledger = self._polls.get(poll_id)
        if ledger is None:
            return None
        async with ledger.lock:
            ledger.touched, ledger.stale = set(), False
            try:
                reactions = await read_reactions()
                if ledger.poll.anonymous:
                    reactions = _without_pending(reactions, ledger.pending_removals)
                needed = users_needing_lookup(ledger.poll, ledger.counted, reactions)
                voters: dict[int, Voter | None] = {}
                if lookup_member is not None:
                    for user_id in needed:
                        voters[user_id] = await lookup_member(user_id)
                if self._polls.get(poll_id) is not ledger or ledger.stale:
                    return None  # closed, or every reaction cleared, while we read
                now = self._clock.now()
                plan = plan_reconciliation(ledger.poll, ledger.counted, reactions, now, voters, ledger.touched)
                self._apply_plan(ledger, plan, voters, to_unix(now))
            finally:
                ledger.touched = None
        await self.flush()
        if not plan.is_empty:
            log.info(
                "poll %d reconciled: %d added, %d withdrawn, %d reactions to remove",
                poll_id, len(plan.add), len(plan.withdraw), len(plan.remove_reactions),
            )  # fmt: skip
        return ReconcileReport(ledger.poll, plan, len(voters))

    def _apply_plan(self, ledger: _Ledger, plan: ReconcilePlan, voters: Mapping[int, Voter | None], at: int) -> None:
        poll = ledger.poll
        for user_id, option in plan.withdraw:
            decision = VoteDecision(VoteAction.WITHDRAW, option, withdrawn=(option,))
            self._apply(ledger, user_id, decision, OFFLINE, at, notify=False)
        for user_id, option in plan.add:
            voter = voters.get(user_id)
            joined = None if voter is None or voter.joined_at is None else to_unix(voter.joined_at)
            decision = VoteDecision(VoteAction.COUNT, option, weight=voter_weight(poll, voter))
            self._apply(ledger, user_id, decision, OFFLINE, at, joined, notify=False)
        for rejection in plan.rejected:
            decision = VoteDecision(
                VoteAction.REJECT, rejection.option, remove_trigger=not poll.anonymous, reason=rejection.reason
            )
            self._apply(ledger, rejection.user_id, decision, OFFLINE, at)
        if poll.anonymous:  # every reaction found is removed: expect each removal
            for key in plan.remove_reactions:
                ledger.pending_removals[key] += 1
        if (plan.add or plan.withdraw) and self._on_change is not None:
            self._on_change(ledger.poll)

    # -- lifecycle ------------------------------------------------------------------------

    async def close(self, poll_id: int, *, missing: bool = False) -> bool:
        """Stop counting, write every queued vote, close in the database.

        True only for the one caller that closed it (then post the results). `missing`:
        the message or channel was deleted (closed_missing, votes kept).
        """
        ledger = self._untrack(poll_id)
        try:
            await self.flush()
            return await self.store.close(poll_id, self._clock.now(), missing=missing)
        except BaseException:
            if ledger is not None:
                self._retrack(ledger)
            raise

    async def extend(self, poll: Poll, duration: timedelta) -> Poll:
        """Move the deadline later by `duration` (UserError if past 90 days from creation)."""
        ledger = self._polls.get(poll.poll_id)
        current = ledger.poll if ledger else poll
        deadline = extended_deadline(current, duration, self._clock.now())
        if not await self.store.extend(poll.poll_id, deadline):
            raise UserError(already_closed(poll.poll_id))
        extended = replace(current, closes_at=deadline)
        if ledger is not None and self._polls.get(poll.poll_id) is ledger:
            ledger.poll = extended
            if self._on_change is not None:
                self._on_change(extended)
        return extended

    async def reopen(self, poll: Poll, duration: timedelta) -> Poll:
        """Open a closed poll again for `duration` from now, its votes kept, and count its
        reactions again (UserError if it is open, or its message is gone)."""
        deadline = reopened_deadline(poll, duration, self._clock.now())
        await self.flush()
        if not await self.store.reopen(poll.poll_id, deadline):
            raise UserError(
                _("Poll #{id} can't be reopened: it is open already, or its message is gone.", id=poll.poll_id)
            )
        reopened = await self.store.get(poll.poll_id)
        assert reopened is not None
        weights = await self.store.vote_weights(reopened) if reopened.weighted else None
        self.track(reopened, await self.store.counted_votes(reopened), weights)
        return reopened

    async def flush(self) -> None:
        await self.writer.flush()

    async def aclose(self) -> None:
        """On shutdown: write every queued vote."""
        await self.writer.aclose()

    # -- reads that must see every vote so far --------------------------------------------

    async def results(self, poll: Poll) -> PollResults:
        await self.flush()
        return await self.store.tally(poll)

    async def my_votes(self, poll: Poll, user_id: int) -> MyVotes:
        await self.flush()
        return await self.store.my_votes(poll, user_id)

    async def voter_rows(self, poll: Poll) -> list[VoterRow]:
        await self.flush()
        return await self.store.voter_rows(poll)

    async def audit(self, poll: Poll, **limits: int) -> AuditReport:
        await self.flush()
        return await self.store.audit(poll, **limits)


def _history_row(poll: Poll, user_id: int, decision: VoteDecision, source: str, at: int) -> EventRow:
    kind = {
        VoteAction.COUNT: "added",
        VoteAction.MOVE: "moved",
        VoteAction.WITHDRAW: "withdrawn",
        VoteAction.REJECT: "rejected",
    }[decision.action]
    from_option = decision.withdrawn[0] if decision.action is VoteAction.MOVE else None
    return EventRow(
        poll.guild_id, poll.poll_id, user_id, kind, decision.option, from_option,
        decision.reason, source, at,
    )  # fmt: skip


def _without_pending(
    reactions: Mapping[int, Sequence[ReactionUser]], pending: Counter[tuple[int, int]]
) -> dict[int, list[ReactionUser]]:
    """The reactions read, without those whose removal Lightstick already asked for (anonymous
    polls: they were counted live; their removal is on its way)."""
    return {
        option: [user for user in users if pending[(user.user_id, option)] <= 0] for option, users in reactions.items()
    }
