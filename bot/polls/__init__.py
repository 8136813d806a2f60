"""Polls with reaction voting: rules, store, vote ledger, reconciliation, chart. No Discord.

The Discord layer (``cogs/polls.py``) uses:

* :func:`build_poll_spec` to validate `/poll create` (raises ``UserError``), then
  :meth:`PollStore.create`, posts the message, :meth:`PollVoting.attach_message`;
* :class:`PollVoting` for reaction events, reconciliation, closing and extending;
* :class:`Coalescer` to edit each poll message at most once per 5 s;
* :mod:`bot.polls.render` for text and :func:`render_chart` for the results PNG.
"""

from bot.polls.chart import render_chart
from bot.polls.coalesce import Coalescer
from bot.polls.reconcile import ReactionUser, ReconcilePlan, Rejection, plan_reconciliation
from bot.polls.rules import (
    DEFAULT_DURATION,
    MAX_DURATION,
    MAX_OPTIONS,
    OptionResult,
    Poll,
    PollResults,
    PollSpec,
    PollStatus,
    VoteAction,
    VoteDecision,
    Voter,
    account_created_at,
    build_poll_spec,
    can_manage,
    can_see_counts,
    compute_results,
    decide_reaction_add,
    decide_reaction_remove,
    describe,
    extended_deadline,
    format_duration,
    ineligibility_reason,
    option_emoji,
    option_for_emoji,
    option_marker,
    parse_duration,
    parse_options,
    parse_poll_ref,
    parse_question,
    parse_weights,
    reopened_deadline,
    resolve_weights,
    spec_again,
    voter_weight,
)
from bot.polls.store import (
    AuditReport,
    MyVotes,
    PollStore,
    PollSummary,
    VoteEvent,
    VoterRow,
)
from bot.polls.voting import PollVoting, ReconcileReport, VoteOutcome, VoteWriter

__all__ = [
    "DEFAULT_DURATION",
    "MAX_DURATION",
    "MAX_OPTIONS",
    "AuditReport",
    "Coalescer",
    "MyVotes",
    "OptionResult",
    "Poll",
    "PollResults",
    "PollSpec",
    "PollStatus",
    "PollStore",
    "PollSummary",
    "PollVoting",
    "ReactionUser",
    "ReconcilePlan",
    "ReconcileReport",
    "Rejection",
    "VoteAction",
    "VoteDecision",
    "VoteEvent",
    "VoteOutcome",
    "VoteWriter",
    "Voter",
    "VoterRow",
    "account_created_at",
    "build_poll_spec",
    "can_manage",
    "can_see_counts",
    "compute_results",
    "decide_reaction_add",
    "decide_reaction_remove",
    "describe",
    "extended_deadline",
    "format_duration",
    "ineligibility_reason",
    "option_emoji",
    "option_for_emoji",
    "option_marker",
    "parse_duration",
    "parse_options",
    "parse_poll_ref",
    "parse_question",
    "parse_weights",
    "plan_reconciliation",
    "render_chart",
    "reopened_deadline",
    "resolve_weights",
    "spec_again",
    "voter_weight",
]
