"""ServerCatalogStore: every SQL statement about a server's own catalog, and its limits.

Suggest → review: a member's suggestion is validated (the catalog's own validator), checked
against the limits and every known MV, and stored as pending; a curator approves it (it
becomes an entry) or rejects it with a reason (it is kept, so it cannot be sent again).
Every change to an entry is recorded (who, when, what changed) in the same transaction.
A refused request raises :class:`~bot.errors.UserError` and writes nothing.

Engine-neutral SQL only. Writes that count or compare a guild's rows first lock the guild's
settings row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's single writer already
serialises), so two processes cannot both slip under a limit; approving is guarded by
``WHERE status = 'pending'``, so two curators clicking at once create one entry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.catalog.lookup import Catalog, cyclic_gc_paused
from bot.catalog.model import MV
from bot.catalog.problems import Problem
from bot.catalog.server.entries import (
    EntryKeys,
    apply_changes,
    diff_fields,
    entry_fields,
    problem_message,
    server_mv_id,
    stored_mv,
    to_json,
    validate_server_entry,
)
from bot.catalog.server.view import GuildCatalog
from bot.clock import from_unix, to_unix
from bot.db import Database, Queryable, Row, Transaction
from bot.errors import UserError
from bot.i18n import Duration, Msg, Number, _, _n
from bot.text import truncate

log = logging.getLogger(__name__)

MAX_PENDING_PER_MEMBER = 3
MAX_ENTRIES = 5_000
DEFAULT_COOLDOWN = timedelta(minutes=10)
MAX_COOLDOWN = timedelta(days=7)
REASON_LIMIT = 500
PAGE_SIZE = 10

NOT_SET_UP = _("Suggestions are not open in this server yet: an admin sets a review channel with /mv curation first.")

ChangeListener = Callable[[int], None]


class SuggestionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class HistoryAction(StrEnum):
    ADDED = "added"
    EDITED = "edited"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class CurationSettings:
    """`/mv curation`: where suggestions go, who reviews, who may suggest, how often."""

    guild_id: int
    review_channel_id: int | None = None
    #: Curators: members with this role (and, whatever it is, Manage Server).
    curator_role_id: int | None = None
    #: Members need this role to suggest; None: everyone may.
    suggest_role_id: int | None = None
    cooldown: timedelta = DEFAULT_COOLDOWN

    @property
    def open(self) -> bool:
        """Suggestions are taken once there is somewhere to review them."""
        return self.review_channel_id is not None

    def may_curate(self, member_role_ids: Collection[int], *, manage_guild: bool) -> bool:
        """Manage Server always may; otherwise members with the curator role, if one is set."""
        return manage_guild or (self.curator_role_id is not None and self.curator_role_id in member_role_ids)

    def may_suggest(self, member_role_ids: Collection[int]) -> bool:
        return self.suggest_role_id is None or self.suggest_role_id in member_role_ids


@dataclass(frozen=True, slots=True)
class Suggestion:
    suggestion_id: int
    guild_id: int
    member_id: int
    #: The entry in mvs.toml's field names (what the member sent, validated).
    fields: dict[str, Any]
    status: SuggestionStatus
    reason: str | None
    review_message_id: int | None
    entry_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime

    @property
    def mv(self) -> MV:
        """The suggested MV as its card would show it (id ``s-0`` until approved)."""
        return validate_server_entry(self.fields)


@dataclass(frozen=True, slots=True)
class SuggestionPage:
    items: tuple[Suggestion, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class ServerEntry:
    """One of a guild's own MVs; ``mv.id`` is ``s-<entry_id>``."""

    entry_id: int
    guild_id: int
    mv: MV
    suggestion_id: int | None
    suggested_by: int | None
    approved_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def mv_id(self) -> str:
        return self.mv.id


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    history_id: int
    guild_id: int
    entry_id: int
    actor_id: int
    action: HistoryAction
    #: Field → (before, after) in mvs.toml's names and JSON values; None where absent.
    changes: dict[str, tuple[Any, Any]]
    at: datetime


class ServerCatalogStore:
    """`builtin` is the shipped catalog that suggestions are checked against; pass a guild's
    :class:`GuildCatalog` (``against=``) to check against its own entries in memory as well
    (the database checks server entries and suggestions in any case)."""

    def __init__(self, db: Database, builtin: Catalog | None = None) -> None:
        self.db = db
        self.builtin = builtin if builtin is not None else Catalog(())
        self._listeners: list[ChangeListener] = []

    def on_change(self, listener: ChangeListener) -> None:
        """Call ``listener(guild_id)`` after a guild's entries changed (after commit)."""
        self._listeners.append(listener)

    def _changed(self, guild_id: int) -> None:
        for listener in self._listeners:
            listener(guild_id)

    # -- settings ------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> CurationSettings:
        row = await self.db.fetchone(f"SELECT {_SETTINGS} FROM server_catalog_settings WHERE guild_id = ?", (guild_id,))
        return CurationSettings(guild_id) if row is None else _settings_from_row(row)

    async def save_settings(self, settings: CurationSettings, *, now: datetime) -> CurationSettings:
        if not timedelta(0) <= settings.cooldown <= MAX_COOLDOWN:
            raise UserError(_("The cooldown must be between 0 and {most}.", most=Duration(MAX_COOLDOWN)))
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO server_catalog_settings (guild_id, review_channel_id, curator_role_id,"
                " suggest_role_id, cooldown_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET review_channel_id = excluded.review_channel_id,"
                " curator_role_id = excluded.curator_role_id, suggest_role_id = excluded.suggest_role_id,"
                " cooldown_seconds = excluded.cooldown_seconds, updated_at = excluded.updated_at",
                (
                    settings.guild_id,
                    settings.review_channel_id,
                    settings.curator_role_id,
                    settings.suggest_role_id,
                    int(settings.cooldown.total_seconds()),
                    to_unix(now),
                ),
            )
        return await self.settings(settings.guild_id)

    async def version(self, guild_id: int) -> int:
        """Moves on with every change to the guild's entries (for caches in any process)."""
        value = await self.db.fetchval(
            "SELECT entries_version FROM server_catalog_settings WHERE guild_id = ?", (guild_id,)
        )
        return int(value or 0)

    # -- suggestions -----------------------------------------------------------------------------

    async def submit(
        self,
        guild_id: int,
        member_id: int,
        fields: Mapping[str, Any],
        *,
        now: datetime,
        member_role_ids: Collection[int] = (),
        against: GuildCatalog | None = None,
    ) -> Suggestion:
        """Store a member's suggestion as pending, or raise UserError (nothing written) when
        suggestions are closed, the member lacks the role, is over a limit or in the cooldown,
        the entry is invalid, or the MV is known (built-in, this server's, pending, rejected)."""
        settings = await self.settings(guild_id)
        _check_may_suggest(settings, member_role_ids)
        mv = validate_server_entry(fields)
        self._check_in_memory(against, mv)
        keys = EntryKeys.of(mv)
        async with self.db.transaction() as conn:
            settings = await _locked_settings(conn, guild_id, now)
            _check_may_suggest(settings, member_role_ids)
            await _check_room(conn, guild_id)
            await _check_member(conn, settings, member_id, now)
            await _check_not_known(conn, guild_id, keys)
            suggestion_id = await conn.fetchval(
                "INSERT INTO server_suggestions (guild_id, member_id, entry, title_key, artist_key,"
                " youtube_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING suggestion_id",
                (
                    guild_id,
                    member_id,
                    to_json(entry_fields(mv)),
                    keys.title,
                    keys.artist,
                    keys.youtube_id,
                    to_unix(now),
                ),
            )
            suggestion = await _suggestion_in(conn, guild_id, int(suggestion_id))
        assert suggestion is not None
        return suggestion

    async def check_member(
        self, guild_id: int, member_id: int, *, now: datetime, member_role_ids: Collection[int] = ()
    ) -> CurationSettings:
        """What :meth:`submit` checks about the member, read-only (suggestions open, the role,
        room, pending count, cooldown), so a member is refused before typing an entry."""
        settings = await self.settings(guild_id)
        _check_may_suggest(settings, member_role_ids)
        await _check_room(self.db, guild_id)
        await _check_member(self.db, settings, member_id, now)
        return settings

    async def check_entry(self, guild_id: int, fields: Mapping[str, Any], *, against: GuildCatalog | None = None) -> MV:
        """What :meth:`submit` checks about the entry, read-only: valid, and not an MV the
        catalog has, this server has, or a member already suggested (pending or turned down)."""
        mv = validate_server_entry(fields)
        self._check_in_memory(against, mv)
        await _check_not_known(self.db, guild_id, EntryKeys.of(mv))
        return mv

    async def suggestion(self, guild_id: int, suggestion_id: int) -> Suggestion | None:
        return await _suggestion_in(self.db, guild_id, suggestion_id)

    async def pending(self, guild_id: int, *, page: int = 0, per_page: int = PAGE_SIZE) -> SuggestionPage:
        """The review queue, oldest first, one page at a time."""
        page = max(page, 0)
        total = int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM server_suggestions WHERE guild_id = ? AND status = 'pending'", (guild_id,)
            )
        )
        rows = await self.db.fetchall(
            f"SELECT {_SUGGESTION} FROM server_suggestions WHERE guild_id = ? AND status = 'pending'"
            " ORDER BY suggestion_id LIMIT ? OFFSET ?",
            (guild_id, per_page, page * per_page),
        )
        return SuggestionPage(tuple(map(_suggestion_from_row, rows)), total, page, per_page)

    async def set_review_message(self, guild_id: int, suggestion_id: int, message_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE server_suggestions SET review_message_id = ? WHERE guild_id = ? AND suggestion_id = ?",
                (message_id, guild_id, suggestion_id),
            )

    async def approve(
        self,
        guild_id: int,
        suggestion_id: int,
        curator_id: int,
        *,
        now: datetime,
        against: GuildCatalog | None = None,
    ) -> ServerEntry:
        """Turn a pending suggestion into an entry, with its history row, in one transaction.
        Exactly once: a second curator (or a second click) gets a UserError saying who decided."""
        current = await self.suggestion(guild_id, suggestion_id)
        if current is None:
            raise UserError(_no_suggestion(suggestion_id))
        _check_pending(current)
        mv = current.mv
        self._check_in_memory(against, mv)
        keys = EntryKeys.of(mv)
        stamp = to_unix(now)
        async with self.db.transaction() as conn:
            await _bump_version(conn, guild_id, now)
            decided = await conn.execute(
                "UPDATE server_suggestions SET status = 'approved', decided_by = ?, decided_at = ?"
                " WHERE guild_id = ? AND suggestion_id = ? AND status = 'pending'",
                (curator_id, stamp, guild_id, suggestion_id),
            )
            if decided != 1:
                latest = await _suggestion_in(conn, guild_id, suggestion_id)
                assert latest is not None
                _check_pending(latest)
            await _check_room(conn, guild_id)
            await _check_no_entry(conn, guild_id, keys)
            stored = entry_fields(mv)
            entry_id = int(
                await conn.fetchval(
                    "INSERT INTO server_entries (guild_id, entry, title_key, artist_key, youtube_id,"
                    " suggestion_id, suggested_by, approved_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING entry_id",
                    (
                        guild_id, to_json(stored), keys.title, keys.artist, keys.youtube_id, suggestion_id,
                        current.member_id, curator_id, stamp, stamp,
                    ),
                )
            )  # fmt: skip
            await conn.execute(
                "UPDATE server_suggestions SET entry_id = ? WHERE guild_id = ? AND suggestion_id = ?",
                (entry_id, guild_id, suggestion_id),
            )
            await _record(conn, guild_id, entry_id, curator_id, HistoryAction.ADDED, diff_fields({}, stored), now)
            entry = await _entry_in(conn, guild_id, entry_id)
        assert entry is not None
        self._changed(guild_id)
        return entry

    async def reject(
        self, guild_id: int, suggestion_id: int, curator_id: int, reason: str, *, now: datetime
    ) -> Suggestion:
        """Decline a pending suggestion; the reason is kept and shown if it is sent again."""
        reason = " ".join(reason.split())
        if not reason:
            raise UserError(_("Give a reason: the member sees it, and so does anyone who suggests this MV again."))
        if len(reason) > REASON_LIMIT:
            raise UserError(
                _n(
                    "The reason is {count} character long; keep it within {limit}.",
                    "The reason is {count} characters long; keep it within {limit}.",
                    len(reason),
                    limit=Number(REASON_LIMIT),
                )
            )
        async with self.db.transaction() as conn:
            decided = await conn.execute(
                "UPDATE server_suggestions SET status = 'rejected', reason = ?, decided_by = ?, decided_at = ?"
                " WHERE guild_id = ? AND suggestion_id = ? AND status = 'pending'",
                (reason, curator_id, to_unix(now), guild_id, suggestion_id),
            )
            latest = await _suggestion_in(conn, guild_id, suggestion_id)
        if latest is None:
            raise UserError(_no_suggestion(suggestion_id))
        if decided != 1:
            _check_pending(latest)
        return latest

    # -- entries ---------------------------------------------------------------------------------

    async def entries(self, guild_id: int) -> list[ServerEntry]:
        """The guild's entries in the order they were added."""
        rows = await self.db.fetchall(
            f"SELECT {_ENTRY} FROM server_entries WHERE guild_id = ? ORDER BY entry_id", (guild_id,)
        )
        with cyclic_gc_paused():  # thousands of long-lived objects, no cycles
            return _entries_from_rows(rows)

    async def entry(self, guild_id: int, entry_id: int) -> ServerEntry | None:
        return await _entry_in(self.db, guild_id, entry_id)

    async def entry_count(self, guild_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM server_entries WHERE guild_id = ?", (guild_id,)))

    async def edit_entry(
        self,
        guild_id: int,
        entry_id: int,
        editor_id: int,
        changes: Mapping[str, Any],
        *,
        now: datetime,
        against: GuildCatalog | None = None,
    ) -> ServerEntry:
        """Change fields of an entry (a value of None removes an optional field); the whole
        entry is validated again and the history records each field's before and after."""
        current = await self.entry(guild_id, entry_id)
        if current is None:
            raise UserError(_no_entry(entry_id))
        before = entry_fields(current.mv)
        mv = validate_server_entry(apply_changes(before, changes))
        after = entry_fields(mv)
        diff = diff_fields(before, after)
        if not diff:
            raise UserError(_("That changes nothing: the entry already reads so."))
        self._check_in_memory(against, mv, ignore=current.mv_id)
        keys = EntryKeys.of(mv)
        async with self.db.transaction() as conn:
            await _bump_version(conn, guild_id, now)
            row = await conn.fetchone(
                f"SELECT entry FROM server_entries WHERE guild_id = ? AND entry_id = ?{conn.row_lock}",
                (guild_id, entry_id),
            )
            if row is None:
                raise UserError(_no_entry(entry_id))
            if json.loads(row["entry"]) != before:
                raise UserError(_("Someone changed this entry a moment ago; look at it again and retry."))
            await _check_no_entry(conn, guild_id, keys, ignore=entry_id)
            await conn.execute(
                "UPDATE server_entries SET entry = ?, title_key = ?, artist_key = ?, youtube_id = ?, updated_at = ?"
                " WHERE guild_id = ? AND entry_id = ?",
                (to_json(after), keys.title, keys.artist, keys.youtube_id, to_unix(now), guild_id, entry_id),
            )
            await _record(conn, guild_id, entry_id, editor_id, HistoryAction.EDITED, diff, now)
            entry = await _entry_in(conn, guild_id, entry_id)
        assert entry is not None
        self._changed(guild_id)
        return entry

    async def remove_entry(self, guild_id: int, entry_id: int, actor_id: int, *, now: datetime) -> ServerEntry:
        """Delete an entry; its history (with what it held) stays."""
        async with self.db.transaction() as conn:
            await _bump_version(conn, guild_id, now)
            entry = await _entry_in(conn, guild_id, entry_id, lock=True)
            if entry is None:
                raise UserError(_no_entry(entry_id))
            await conn.execute("DELETE FROM server_entries WHERE guild_id = ? AND entry_id = ?", (guild_id, entry_id))
            removed = diff_fields(entry_fields(entry.mv), {})
            await _record(conn, guild_id, entry_id, actor_id, HistoryAction.REMOVED, removed, now)
        self._changed(guild_id)
        return entry

    async def import_entries(
        self,
        guild_id: int,
        entries: Sequence[MV],
        actor_id: int,
        *,
        now: datetime,
        against: GuildCatalog | None = None,
    ) -> list[int]:
        """`/mv import`: add validated entries (a pack's dry run) with their history rows (the
        importer as actor and approver) in ONE transaction: all of them, or on any refusal or
        failure none. A UserError when they would take the server past :data:`MAX_ENTRIES`,
        or when two of them, or one and a stored entry, are the same MV by the stored keys
        (title and artist, or the video), or break a rule across entries (``against``: the
        guild's view, see :func:`import_problems`). Returns the new entry ids, in order."""
        if not entries:
            raise UserError(_("There is nothing to import: the file has no new entries."))
        problems = import_problems(entries, against)
        if problems:
            raise UserError(problem_message(_("These entries can't be imported as they are:"), problems))
        prepared = [(entry_fields(mv), EntryKeys.of(mv)) for mv in entries]
        stamp = to_unix(now)
        async with self.db.transaction() as conn:
            await _bump_version(conn, guild_id, now)  # holds the guild: its writers take turns
            row = await conn.fetchone(
                "SELECT COUNT(*) AS stored, MAX(entry_id) AS last FROM server_entries WHERE guild_id = ?", (guild_id,)
            )
            assert row is not None
            _check_import_room(int(row["stored"]), len(prepared))
            await _check_none_stored(conn, guild_id, entries, [keys for _, keys in prepared])
            provenance = (None, None, actor_id, stamp, stamp)  # no suggestion; approved by the importer
            rows = [
                (guild_id, to_json(stored), keys.title, keys.artist, keys.youtube_id, *provenance)
                for stored, keys in prepared
            ]
            await conn.insert_rows("server_entries", _IMPORT_COLUMNS, rows)
            added = await conn.fetchall(
                "SELECT entry_id, title_key, artist_key FROM server_entries WHERE guild_id = ? AND entry_id > ?",
                (guild_id, int(row["last"] or 0)),
            )
            id_of = {(found["title_key"], found["artist_key"]): int(found["entry_id"]) for found in added}
            entry_ids = [id_of[(keys.title, keys.artist)] for _, keys in prepared]
            await conn.insert_rows(
                "server_entry_history",
                _HISTORY_COLUMNS,
                _added_history(guild_id, entry_ids, [stored for stored, _ in prepared], actor_id, stamp),
            )
        log.info("guild %s: %d entries imported by %s", guild_id, len(entry_ids), actor_id)
        self._changed(guild_id)
        return entry_ids

    async def history(self, guild_id: int, entry_id: int, *, limit: int = 25) -> list[HistoryRecord]:
        """`/mv history`: the entry's changes, newest first."""
        rows = await self.db.fetchall(
            "SELECT history_id, guild_id, entry_id, actor_id, action, changes, at FROM server_entry_history"
            " WHERE guild_id = ? AND entry_id = ? ORDER BY history_id DESC LIMIT ?",
            (guild_id, entry_id, limit),
        )
        return [
            HistoryRecord(
                history_id=row["history_id"],
                guild_id=row["guild_id"],
                entry_id=row["entry_id"],
                actor_id=row["actor_id"],
                action=HistoryAction(row["action"]),
                changes={name: (pair[0], pair[1]) for name, pair in json.loads(row["changes"]).items()},
                at=from_unix(row["at"]),
            )
            for row in rows
        ]

    # -- checks in memory ------------------------------------------------------------------------

    def _check_in_memory(self, against: GuildCatalog | None, mv: MV, *, ignore: str | None = None) -> None:
        """The MV must not be one the catalog has (built-in, or the guild's when `against` is
        its view) and must keep the rules across entries (aliases, universe order)."""
        catalog = against if against is not None else GuildCatalog(self.builtin)
        same = catalog.duplicate_of(mv, ignore=ignore)
        if same is not None:
            name = truncate(same.display_name, 120)
            if same.from_server:
                raise UserError(_("{mv} is already in this server's catalog.", mv=name))
            raise UserError(_("{mv} is already in the catalog.", mv=name))
        problems = catalog.conflicts(mv, ignore=ignore)
        if problems:
            raise UserError(problem_message(_("This MV can't be added as it is:"), problems))


# -- SQL helpers ---------------------------------------------------------------------------------

_SETTINGS = "guild_id, review_channel_id, curator_role_id, suggest_role_id, cooldown_seconds"
_SUGGESTION = (
    "suggestion_id, guild_id, member_id, entry, status, reason, review_message_id, entry_id, decided_by,"
    " decided_at, created_at"
)
_ENTRY = "entry_id, guild_id, entry, suggestion_id, suggested_by, approved_by, created_at, updated_at"


_IMPORT_COLUMNS = (
    "guild_id", "entry", "title_key", "artist_key", "youtube_id", "suggestion_id", "suggested_by", "approved_by",
    "created_at", "updated_at",
)  # fmt: skip
_HISTORY_COLUMNS = ("guild_id", "entry_id", "actor_id", "action", "changes", "at")


def import_problems(entries: Sequence[MV], against: GuildCatalog | None = None) -> list[Problem]:
    """Why these entries can't be stored together (empty when they can): two of them with
    the same stored keys (title and artist as matching keys, or the video), and with
    ``against`` (the guild's view) an alias or a universe place the catalog already has.
    A pack's dry run finds duplicates by its own rule; this is what the database enforces."""
    problems: list[Problem] = []
    by_names: dict[tuple[str, str], MV] = {}
    by_video: dict[str, MV] = {}
    for mv in entries:
        keys = EntryKeys.of(mv)
        same = by_names.get((keys.title, keys.artist))
        if same is None and keys.youtube_id is not None:
            same = by_video.get(keys.youtube_id)
        if same is not None:
            message = _("{entry} is the same MV as {other} (remove one of them)", entry=_named(mv), other=_named(same))
            problems.append(Problem(message))
            continue
        by_names[(keys.title, keys.artist)] = mv
        if keys.youtube_id is not None:
            by_video[keys.youtube_id] = mv
        if against is not None and (mv.aliases or (mv.universe and mv.universe_order is not None)):
            problems += [problem.at(_named(mv)) for problem in against.conflicts(mv)]
    return problems


def _named(mv: MV) -> Msg:
    return _("“{title}” by {artist}", title=truncate(mv.title, 60), artist=truncate(mv.artist, 40))


def _check_import_room(stored: int, adding: int) -> None:
    if stored + adding > MAX_ENTRIES:
        room = max(MAX_ENTRIES - stored, 0)
        raise UserError(
            _n(
                "This server's own catalog has {count} entry and can hold {most}: importing {adding} would pass "
                "the limit (room for {room}). Import a smaller file, or remove entries first.",
                "This server's own catalog has {count} entries and can hold {most}: importing {adding} would pass "
                "the limit (room for {room}). Import a smaller file, or remove entries first.",
                stored,
                most=Number(MAX_ENTRIES),
                adding=Number(adding),
                room=Number(room),
            )
        )


async def _check_none_stored(conn: Queryable, guild_id: int, entries: Sequence[MV], keys: Sequence[EntryKeys]) -> None:
    """None of the entries is one the guild has (by the keys its unique indexes hold)."""
    rows = await conn.fetchall(
        "SELECT entry_id, title_key, artist_key, youtube_id FROM server_entries WHERE guild_id = ?", (guild_id,)
    )
    names = {(row["title_key"], row["artist_key"]): row["entry_id"] for row in rows}
    videos = {row["youtube_id"]: row["entry_id"] for row in rows if row["youtube_id"] is not None}
    for mv, key in zip(entries, keys, strict=True):
        stored = names.get((key.title, key.artist)) or (videos.get(key.youtube_id) if key.youtube_id else None)
        if stored is not None:
            raise UserError(
                _(
                    "{entry} is already in this server's catalog (`{id}`), added since the dry run. Nothing was "
                    "imported; run the import again to skip it.",
                    entry=_named(mv),
                    id=server_mv_id(stored),
                )
            )


def _added_history(
    guild_id: int, entry_ids: Sequence[int], stored: Sequence[Mapping[str, Any]], actor_id: int, stamp: int
) -> list[tuple[Any, ...]]:
    """The history rows of newly added entries (what :func:`_record` writes, many at once)."""
    action = HistoryAction.ADDED.value
    return [
        (guild_id, entry_id, actor_id, action, to_json(diff_fields({}, fields)), stamp)
        for entry_id, fields in zip(entry_ids, stored, strict=True)
    ]


def _settings_from_row(row: Row) -> CurationSettings:
    return CurationSettings(
        guild_id=row["guild_id"],
        review_channel_id=row["review_channel_id"],
        curator_role_id=row["curator_role_id"],
        suggest_role_id=row["suggest_role_id"],
        cooldown=timedelta(seconds=row["cooldown_seconds"]),
    )


def _suggestion_from_row(row: Row) -> Suggestion:
    return Suggestion(
        suggestion_id=row["suggestion_id"],
        guild_id=row["guild_id"],
        member_id=row["member_id"],
        fields=json.loads(row["entry"]),
        status=SuggestionStatus(row["status"]),
        reason=row["reason"],
        review_message_id=row["review_message_id"],
        entry_id=row["entry_id"],
        decided_by=row["decided_by"],
        decided_at=None if row["decided_at"] is None else from_unix(row["decided_at"]),
        created_at=from_unix(row["created_at"]),
    )


def _entries_from_rows(rows: list[Row]) -> list[ServerEntry]:
    found: list[ServerEntry] = []
    for row in rows:
        try:
            mv = stored_mv(
                row["entry"], row["entry_id"], suggested_by=row["suggested_by"], approved_by=row["approved_by"]
            )
        except ValueError:
            log.warning("guild %s: skipping an entry that no longer validates", row["guild_id"], exc_info=True)
            continue
        found.append(
            ServerEntry(
                entry_id=row["entry_id"],
                guild_id=row["guild_id"],
                mv=mv,
                suggestion_id=row["suggestion_id"],
                suggested_by=row["suggested_by"],
                approved_by=row["approved_by"],
                created_at=from_unix(row["created_at"]),
                updated_at=from_unix(row["updated_at"]),
            )
        )
    return found


async def _suggestion_in(conn: Queryable, guild_id: int, suggestion_id: int) -> Suggestion | None:
    row = await conn.fetchone(
        f"SELECT {_SUGGESTION} FROM server_suggestions WHERE guild_id = ? AND suggestion_id = ?",
        (guild_id, suggestion_id),
    )
    return None if row is None else _suggestion_from_row(row)


async def _entry_in(conn: Queryable, guild_id: int, entry_id: int, *, lock: bool = False) -> ServerEntry | None:
    lock_clause = conn.row_lock if lock else ""
    rows = await conn.fetchall(
        f"SELECT {_ENTRY} FROM server_entries WHERE guild_id = ? AND entry_id = ?{lock_clause}", (guild_id, entry_id)
    )
    found = _entries_from_rows(rows)
    return found[0] if found else None


async def _locked_settings(conn: Transaction, guild_id: int, now: datetime) -> CurationSettings:
    """The guild's settings row, locked until commit (created with defaults if missing)."""
    await conn.execute(
        "INSERT INTO server_catalog_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
        (guild_id, to_unix(now)),
    )
    row = await conn.fetchone(
        f"SELECT {_SETTINGS} FROM server_catalog_settings WHERE guild_id = ?{conn.row_lock}", (guild_id,)
    )
    assert row is not None
    return _settings_from_row(row)


async def _bump_version(conn: Transaction, guild_id: int, now: datetime) -> None:
    """The guild's entries are about to change: move the version on, holding the guild's row
    until commit (so counts and duplicate checks of one guild's writes take turns)."""
    await conn.execute(
        "INSERT INTO server_catalog_settings (guild_id, entries_version, updated_at) VALUES (?, 1, ?)"
        " ON CONFLICT (guild_id) DO UPDATE SET entries_version = server_catalog_settings.entries_version + 1",
        (guild_id, to_unix(now)),
    )


async def _record(
    conn: Transaction,
    guild_id: int,
    entry_id: int,
    actor_id: int,
    action: HistoryAction,
    changes: Mapping[str, Any],
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO server_entry_history (guild_id, entry_id, actor_id, action, changes, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, entry_id, actor_id, action.value, to_json(changes), to_unix(now)),
    )


def _check_may_suggest(settings: CurationSettings, member_role_ids: Collection[int]) -> None:
    if not settings.open:
        raise UserError(NOT_SET_UP)
    if not settings.may_suggest(member_role_ids):
        raise UserError(_("Suggestions here are open to members with the role this server chose for them."))


def _check_pending(suggestion: Suggestion) -> None:
    if suggestion.status is SuggestionStatus.APPROVED:
        raise UserError(_("Suggestion #{id} was already approved by another curator.", id=suggestion.suggestion_id))
    if suggestion.status is SuggestionStatus.REJECTED:
        raise UserError(
            _("Suggestion #{id} was already rejected: {reason}", id=suggestion.suggestion_id, reason=suggestion.reason)
        )


async def _check_room(conn: Queryable, guild_id: int) -> None:
    count = int(await conn.fetchval("SELECT COUNT(*) FROM server_entries WHERE guild_id = ?", (guild_id,)))
    if count >= MAX_ENTRIES:
        raise UserError(
            _(
                "This server's own catalog is full ({most} entries). Curators can remove entries to make room.",
                most=Number(MAX_ENTRIES),
            )
        )


async def _check_member(conn: Queryable, settings: CurationSettings, member_id: int, now: datetime) -> None:
    row = await conn.fetchone(
        "SELECT COUNT(*) AS pending, (SELECT MAX(created_at) FROM server_suggestions"
        " WHERE guild_id = ? AND member_id = ?) AS last_at FROM server_suggestions"
        " WHERE guild_id = ? AND member_id = ? AND status = 'pending'",
        (settings.guild_id, member_id, settings.guild_id, member_id),
    )
    assert row is not None
    if row["pending"] >= MAX_PENDING_PER_MEMBER:
        raise UserError(
            _n(
                "You already have {count} suggestion waiting for review; "
                "you can suggest again once curators have decided on it.",
                "You already have {count} suggestions waiting for review; "
                "you can suggest again once curators have decided on one.",
                MAX_PENDING_PER_MEMBER,
            )
        )
    if row["last_at"] is not None:
        wait = from_unix(row["last_at"]) + settings.cooldown - now
        if wait > timedelta(0):
            raise UserError(_("You can suggest another MV in {wait}.", wait=Duration(_rounded_up(wait))))


async def _check_not_known(conn: Queryable, guild_id: int, keys: EntryKeys) -> None:
    """Not one of the guild's entries, nor waiting for review, nor turned down before."""
    await _check_no_entry(conn, guild_id, keys)
    row = await conn.fetchone(
        "SELECT suggestion_id, status, reason FROM server_suggestions WHERE guild_id = ?"
        " AND status IN ('pending', 'rejected') AND ((title_key = ? AND artist_key = ?) OR youtube_id = ?)"
        " ORDER BY suggestion_id DESC LIMIT 1",
        (guild_id, keys.title, keys.artist, keys.youtube_id),
    )
    if row is None:
        return
    if row["status"] == SuggestionStatus.PENDING:
        raise UserError(_("This MV was already suggested (#{id}) and is waiting for review.", id=row["suggestion_id"]))
    raise UserError(
        _(
            "This MV was suggested before (#{id}) and turned down: {reason}",
            id=row["suggestion_id"],
            reason=row["reason"],
        )
    )


async def _check_no_entry(conn: Queryable, guild_id: int, keys: EntryKeys, *, ignore: int | None = None) -> None:
    row = await conn.fetchone(
        "SELECT entry_id FROM server_entries WHERE guild_id = ? AND entry_id <> ?"
        " AND ((title_key = ? AND artist_key = ?) OR youtube_id = ?) LIMIT 1",
        (guild_id, -1 if ignore is None else ignore, keys.title, keys.artist, keys.youtube_id),
    )
    if row is not None:
        raise UserError(_("This MV is already in this server's catalog (`{id}`).", id=server_mv_id(row["entry_id"])))


def _no_entry(entry_id: int) -> Msg:
    return _("This server has no entry `{id}`.", id=server_mv_id(entry_id))


def _no_suggestion(suggestion_id: int) -> Msg:
    return _("There is no suggestion #{id} in this server.", id=suggestion_id)


def _rounded_up(wait: timedelta) -> timedelta:
    """A wait as a member reads it: whole minutes, rounded up (never "0 minutes"); from two
    hours on, whole hours."""
    minutes = max(1, -(-int(wait.total_seconds() + 0.999) // 60))
    if minutes >= 120:
        minutes = -(-minutes // 60) * 60
    return timedelta(minutes=minutes)
