"""A server entry as data: the one validator, JSON in mvs.toml's field names, keys, diffs.

A server's entry goes through :func:`bot.catalog.validation.validate_entry` with
``SERVER_RULES`` — the validator of data/mvs.toml, with only the minimum relaxed (title,
artist and a year or a release date; themes and sources optional). What is stored is the
validated entry written back in mvs.toml's field names, so an export is a ``[[mv]]`` table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.catalog.model import MV, SERVER_ORIGIN, CastMember
from bot.catalog.problems import Problem, bullet, joined
from bot.catalog.text import matching_key
from bot.catalog.validation import FIELDS, SERVER_RULES, validate_entry, youtube_video_id
from bot.errors import UserError
from bot.i18n import Msg, _, _n

#: MV ids of server entries: ``s-`` and the entry's number (no built-in id looks like it).
SERVER_ID_PREFIX = "s-"
_SERVER_ID = re.compile(r"s-([1-9][0-9]{0,17})")
#: The validator's place for a problem: none, the member knows which entry it is.
_NO_PLACE = ""
#: The fields a stored entry may hold (mvs.toml's, without the id Lightstick assigns).
ENTRY_FIELDS = tuple(field for field in FIELDS if field != "id")
_ENTRY_FIELD_SET = frozenset(ENTRY_FIELDS)
#: Problems listed in one message (each is one line); the rest are counted, so the
#: message stays within Discord's 2,000 characters in every language.
_PROBLEMS_SHOWN = 6


def server_mv_id(entry_id: int) -> str:
    return f"{SERVER_ID_PREFIX}{entry_id}"


def server_entry_id(mv_id: str) -> int | None:
    """``s-12`` → 12; None for a built-in id or anything else."""
    match = _SERVER_ID.fullmatch(mv_id.strip())
    return int(match.group(1)) if match else None


def is_server_id(mv_id: str) -> bool:
    return mv_id.startswith(SERVER_ID_PREFIX) and server_entry_id(mv_id) is not None


@dataclass(frozen=True, slots=True)
class EntryKeys:
    """What duplicates are found by: the title and artist as matching keys, the video id."""

    title: str
    artist: str
    youtube_id: str | None

    @classmethod
    def of(cls, mv: MV) -> EntryKeys:
        video = youtube_video_id(mv.youtube_url) if mv.youtube_url else None
        return cls(matching_key(mv.title), matching_key(mv.artist), video)


def validate_server_entry(fields: Mapping[str, Any]) -> MV:
    """A member's entry as an MV (id ``s-0`` until approved), or a UserError listing every
    problem in words they can act on. Nothing is stored here."""
    raw = {name: value for name, value in fields.items() if name != "id" and value is not None}
    mv, problems = validate_entry(raw, rules=SERVER_RULES, label=_NO_PLACE)
    if mv is None:
        raise UserError(problem_message(_("This MV can't be added yet:"), problems))
    return replace(mv, id=server_mv_id(0), origin=SERVER_ORIGIN)


def problem_message(heading: Msg, problems: list[Problem]) -> Msg:
    """The heading, then one ``- problem`` line each (the first few, then how many more)."""
    lines: list[Msg] = [heading]
    lines += [bullet(problem.text(where=False)) for problem in problems[:_PROBLEMS_SHOWN]]
    rest = len(problems) - _PROBLEMS_SHOWN
    if rest > 0:
        lines.append(_n("… and {count} more problem", "… and {count} more problems", rest))
    return joined(lines)


def entry_fields(mv: MV) -> dict[str, Any]:
    """The entry in mvs.toml's field names and order, without the id and without empty
    optional fields (what is stored, diffed and exported)."""
    values: dict[str, Any] = {
        "title": mv.title,
        "title_ko": mv.title_ko,
        "artist": mv.artist,
        "group": mv.group,
        "year": mv.year,
        "release_date": mv.release_date.isoformat() if mv.release_date else None,
        "album": mv.album,
        "cast": [_cast_fields(member) for member in mv.cast],
        "themes": list(mv.themes),
        "universe": mv.universe,
        "universe_order": mv.universe_order,
        "storyline": mv.storyline,
        "twist": mv.twist,
        "content_warnings": list(mv.content_warnings),
        "mature": mv.mature,
        "aliases": list(mv.aliases),
        "sources": list(mv.sources),
        "youtube_url": mv.youtube_url,
    }
    return {name: values[name] for name in ENTRY_FIELDS if values[name] not in (None, [], False)}


def _cast_fields(member: CastMember) -> dict[str, str]:
    return {"name": member.name} | ({"role": member.role} if member.role else {})


def to_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def stored_mv(entry_json: str, entry_id: int, *, suggested_by: int | None, approved_by: int | None) -> MV:
    """A stored entry as the guild's MV.

    Entries are validated when they are written, so reading trusts them and only decodes
    (a guild's first use reads up to 5,000); one that does not decode cleanly — edited by
    hand in the database — goes through the validator, and a ValueError says what is wrong.
    """
    fields = json.loads(entry_json)
    mv_id = server_mv_id(entry_id)
    try:
        return _decoded(fields, mv_id, suggested_by, approved_by)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    mv, problems = validate_entry(fields, rules=SERVER_RULES, label=_NO_PLACE)
    if mv is None:
        raise ValueError(f"server entry {entry_id} does not validate: {'; '.join(map(str, problems))}")
    return replace(mv, id=mv_id, origin=SERVER_ORIGIN, suggested_by=suggested_by, approved_by=approved_by)


def _decoded(fields: dict[str, Any], mv_id: str, suggested_by: int | None, approved_by: int | None) -> MV:
    """The MV that :func:`entry_fields` wrote, back (what it leaves out is empty or false)."""
    if not _ENTRY_FIELD_SET.issuperset(fields) or not isinstance(fields["title"], str):
        raise ValueError("not an entry written by entry_fields")
    release = fields.get("release_date")
    return MV(
        id=mv_id,
        title=fields["title"],
        title_ko=fields.get("title_ko"),
        artist=fields["artist"],
        group=fields.get("group"),
        year=int(fields["year"]),
        release_date=date.fromisoformat(release) if release else None,
        album=fields.get("album"),
        cast=tuple(CastMember(member["name"], member.get("role")) for member in fields.get("cast", ())),
        themes=tuple(fields.get("themes", ())),
        universe=fields.get("universe"),
        universe_order=fields.get("universe_order"),
        storyline=fields.get("storyline"),
        twist=fields.get("twist"),
        content_warnings=tuple(fields.get("content_warnings", ())),
        mature=fields.get("mature", False) is True,
        aliases=tuple(fields.get("aliases", ())),
        sources=tuple(fields.get("sources", ())),
        youtube_url=fields.get("youtube_url"),
        origin=SERVER_ORIGIN,
        suggested_by=suggested_by,
        approved_by=approved_by,
    )


def apply_changes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied; a change to None (or "") removes the field."""
    unknown = sorted(set(changes) - set(ENTRY_FIELDS))
    if unknown:
        raise UserError(
            _("Unknown field {field}; fields: {fields}.", field=repr(unknown[0]), fields=", ".join(ENTRY_FIELDS))
        )
    merged = dict(current)
    for name, value in changes.items():
        if value is None or value == "":
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def diff_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field → [before, after] for every field that differs (None where absent)."""
    return {name: [before.get(name), after.get(name)] for name in ENTRY_FIELDS if before.get(name) != after.get(name)}
