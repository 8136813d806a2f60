"""Pure builders for the community catalog: modal inputs and what they mean, embeds, texts.

A member's entry is typed into two Discord modals (at most 5 text inputs each): the
essentials (title, artist, date or year, YouTube link, Korean title and aliases) and,
optionally, the story (storyline, twist, content warnings, themes). This module turns the
typed text into entry fields in data/mvs.toml's names (the catalog's validator then has the
last word), fills the inputs back in from an entry for editing, and renders the review
messages, the history and every message a member or curator reads, in the current
language (the member's for replies and DMs, the server's inside ``speaking(...)`` for the
review channel). Field names in the history stay as data/mvs.toml spells them.

Member-typed text is never trusted in our own lines: :func:`plain` defuses markdown,
mentions and spoiler bars, and cards go through :func:`cogs.mv.render.build_mv_embed`, exactly
as for the built-in catalog. No network, no state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import discord

from bot.catalog import MV
from bot.catalog.server import (
    MAX_PENDING_PER_MEMBER,
    CurationSettings,
    GuildCatalog,
    HistoryAction,
    HistoryRecord,
    Suggestion,
)
from bot.catalog.server.store import REASON_LIMIT
from bot.errors import UserError
from bot.i18n import Duration, Msg, Number, Text, _, _n
from bot.text import truncate
from bot.ui import (
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_LIMIT,
    TITLE_LIMIT,
)
from cogs.mv.render import CARD_COLOUR, build_mv_embed, defuse, join_lines

#: Discord's limits on a modal (API reference: Modal, Text Input).
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100
MODAL_INPUTS = 5

# -- the inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One text input: its custom_id, label, the most a member may type, and how it looks."""

    key: str
    label: Msg
    max_length: int
    required: bool = False
    paragraph: bool = False
    placeholder: Text | None = None
    #: What the limit messages call it: "The storyline is 1,600 characters long; …" and
    #: "The storyline can't be empty." (whole messages, for languages that inflect the noun).
    too_long: Msg | None = None
    empty: Msg | None = None


# "{count}" in the too-long messages is how long the text is, "{limit}" the most it may be.
ESSENTIALS = (
    InputSpec(
        "title",
        _("Title"),
        100,
        required=True,
        placeholder="Haru Haru",
        too_long=_("The title is {count} characters long; keep it within {limit}."),
        empty=_("The title can't be empty."),
    ),
    InputSpec(
        "artist",
        _("Artist"),
        100,
        required=True,
        placeholder="BIGBANG",
        too_long=_("The artist is {count} characters long; keep it within {limit}."),
        empty=_("The artist can't be empty."),
    ),
    InputSpec(
        "when",
        _("Release date or year"),
        10,
        required=True,
        placeholder=_("2008-08-08 or 2008"),
        too_long=_("The date is {count} characters long; keep it within {limit}."),
        empty=_("The date can't be empty."),
    ),
    InputSpec(
        "youtube",
        _("YouTube link (optional)"),
        200,
        placeholder="https://www.youtube.com/watch?v=…",
        too_long=_("The link is {count} characters long; keep it within {limit}."),
    ),
    InputSpec(
        "names",
        _("Korean title, then aliases (one a line)"),
        600,
        paragraph=True,
        placeholder="하루하루\nDay by Day",
        too_long=_("The list of names is {count} characters long; keep it within {limit}."),
    ),
)
STORY = (
    InputSpec(
        "storyline",
        _("Storyline: what happens (no twist)"),
        1500,
        paragraph=True,
        placeholder=_("Who is in it and what happens, in your own words. Keep the ending for the twist."),
        too_long=_("The storyline is {count} characters long; keep it within {limit}."),
    ),
    InputSpec(
        "twist",
        _("Twist (shown behind a spoiler)"),
        1000,
        paragraph=True,
        placeholder=_("How it ends or what it really means."),
        too_long=_("The twist is {count} characters long; keep it within {limit}."),
    ),
    InputSpec(
        "warnings",
        _("Content warnings (comma-separated)"),
        300,
        # TRANSLATORS: the examples are the words members type (content-warning keys); keep them in English
        placeholder=_("e.g. violence, car-crash (leave empty if none)"),
        too_long=_("The list of content warnings is {count} characters long; keep it within {limit}."),
    ),
    InputSpec(
        "themes",
        _("Themes (comma-separated)"),
        400,
        # TRANSLATORS: the examples are the words members type (theme keys); keep them in English
        placeholder=_("e.g. sci-fi, romance, tragedy"),
        too_long=_("The list of themes is {count} characters long; keep it within {limit}."),
    ),
)
REASON = InputSpec(
    "reason",
    _("Reason (the member sees it)"),
    REASON_LIMIT,
    required=True,
    paragraph=True,
    placeholder=_("e.g. Already in the catalog under another name; not an MV."),
    too_long=_("The reason is {count} characters long; keep it within {limit}."),
    empty=_("The reason can't be empty."),
)

#: The entry fields each modal owns: what it sets, and removes when left empty.
ESSENTIAL_FIELDS = ("title", "artist", "year", "release_date", "youtube_url", "title_ko", "aliases")
STORY_FIELDS = ("storyline", "twist", "content_warnings", "themes")

MAX_ALIASES = 10
ALIAS_LIMIT = 100
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_YEAR = re.compile(r"\d{4}")
_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_LIST_SEPARATORS = re.compile(r"[,;\n]+")
_SLUG_GAPS = re.compile(r"[\s_]+")
#: A first line of "-" in the names input: no Korean title (the next lines are aliases).
NO_KOREAN_TITLE = "-"


def text_input(spec: InputSpec, value: str | None = None) -> discord.ui.TextInput[Any]:
    """The modal input for `spec`, pre-filled with `value` (cut to the input's own limit)."""
    return discord.ui.TextInput(
        label=truncate(str(spec.label), INPUT_LABEL_LIMIT),
        custom_id=spec.key,
        style=discord.TextStyle.paragraph if spec.paragraph else discord.TextStyle.short,
        placeholder=truncate(str(spec.placeholder), PLACEHOLDER_LIMIT) if spec.placeholder else None,
        default=value[: spec.max_length] if value else None,
        required=spec.required,
        max_length=spec.max_length,
    )


def modal_title(text: Text) -> str:
    return truncate(str(text), MODAL_TITLE_LIMIT)


def check_lengths(specs: Sequence[InputSpec], values: Mapping[str, str]) -> None:
    """Discord's client keeps typing within each input's limit; this is the server's check."""
    for spec in specs:
        value = values.get(spec.key) or ""
        if len(value) > spec.max_length:
            count, limit = Number(len(value)), Number(spec.max_length)
            if spec.too_long is None:
                raise UserError(
                    _(
                        "{label} is {count} characters long; keep it within {limit}.",
                        label=spec.label,
                        count=count,
                        limit=limit,
                    )
                )
            # the spec's own message (a literal there), with the numbers filled in
            raise UserError(replace(spec.too_long, params=(("count", count), ("limit", limit))))
        if spec.required and not value.strip():
            raise UserError(spec.empty or _("{label} can't be empty.", label=spec.label))


# -- typed text → entry fields -------------------------------------------------------------------------


def parse_essentials(values: Mapping[str, str]) -> dict[str, Any]:
    """The essentials modal as entry fields; a field set to None is removed (left empty)."""
    check_lengths(ESSENTIALS, values)
    fields: dict[str, Any] = {
        "title": " ".join(values.get("title", "").split()),
        "artist": " ".join(values.get("artist", "").split()),
    }
    fields.update(parse_when(values.get("when", "")))
    fields["youtube_url"] = values.get("youtube", "").strip() or None
    title_ko, aliases = parse_names(values.get("names", ""))
    fields["title_ko"] = title_ko
    fields["aliases"] = aliases or None
    return fields


def parse_when(text: str) -> dict[str, Any]:
    """``2024`` → the year; ``2024-12-06`` (or ``2024/12/06``, ``2024.12.06``) → the day and its year."""
    text = text.strip()
    if _YEAR.fullmatch(text):
        return {"year": int(text), "release_date": None}
    day = _DAY.fullmatch(text)
    if day:
        try:
            parsed = date(int(day[1]), int(day[2]), int(day[3]))
        except ValueError:
            pass
        else:
            return {"year": parsed.year, "release_date": parsed.isoformat()}
    shown = truncate(plain(text), 30) or str(_("(empty)"))
    raise UserError(_("“{text}” is not a date or a year: type 2024-12-06, or just 2024.", text=shown))


def parse_names(text: str) -> tuple[str | None, list[str]]:
    """First line with Hangul: the Korean title; every other line: an alias."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    title_ko: str | None = None
    if lines and lines[0] == NO_KOREAN_TITLE:
        lines = lines[1:]
    elif lines and _HANGUL.search(lines[0]):
        title_ko, lines = lines[0], lines[1:]
    aliases = list(dict.fromkeys(lines))
    if len(aliases) > MAX_ALIASES:
        raise UserError(
            _("That is {count} aliases; an MV may have at most {most}.", count=Number(len(aliases)), most=MAX_ALIASES)
        )
    for alias in aliases:
        if len(alias) > ALIAS_LIMIT:
            raise UserError(
                _(
                    "The alias “{alias}” is too long; keep each within {limit} characters.",
                    alias=truncate(plain(alias), 50),
                    limit=ALIAS_LIMIT,
                )
            )
    return title_ko, aliases


def parse_story(values: Mapping[str, str]) -> dict[str, Any]:
    """The story modal as entry fields; a field set to None is removed (left empty)."""
    check_lengths(STORY, values)
    storyline = values.get("storyline", "").strip() or None
    twist = values.get("twist", "").strip() or None
    return {
        "storyline": storyline,
        "twist": twist,
        "content_warnings": parse_words(values.get("warnings", "")) or None,
        "themes": parse_words(values.get("themes", "")) or None,
    }


def parse_words(text: str) -> list[str]:
    """``Sci fi, car crash;romance`` → ``["sci-fi", "car-crash", "romance"]`` (the validator
    checks each against the catalog's list)."""
    words = (_SLUG_GAPS.sub("-", part.strip().lower()) for part in _LIST_SEPARATORS.split(text))
    return list(dict.fromkeys(word for word in words if word))


def merged(fields: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with `changes` applied; a change to None removes the field."""
    result = dict(fields)
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What :meth:`ServerCatalogStore.edit_entry` takes: each changed field, None if removed."""
    names = dict.fromkeys([*before, *after])
    return {name: after.get(name) for name in names if before.get(name) != after.get(name)}


# -- entry fields → pre-filled inputs ------------------------------------------------------------------


def essentials_values(fields: Mapping[str, Any]) -> dict[str, str]:
    """What the essentials inputs show for an entry (the inverse of :func:`parse_essentials`)."""
    when = fields.get("release_date") or (str(fields["year"]) if fields.get("year") else "")
    names: list[str] = []
    aliases = [str(alias) for alias in fields.get("aliases") or ()]
    if fields.get("title_ko"):
        names.append(str(fields["title_ko"]))
    elif aliases and _HANGUL.search(aliases[0]):
        names.append(NO_KOREAN_TITLE)  # else the first alias would read as the Korean title
    names += aliases
    return {
        "title": str(fields.get("title") or ""),
        "artist": str(fields.get("artist") or ""),
        "when": str(when),
        "youtube": str(fields.get("youtube_url") or ""),
        "names": "\n".join(names),
    }


def story_values(fields: Mapping[str, Any]) -> dict[str, str]:
    return {
        "storyline": str(fields.get("storyline") or ""),
        "twist": str(fields.get("twist") or ""),
        "warnings": ", ".join(fields.get("content_warnings") or ()),
        "themes": ", ".join(fields.get("themes") or ()),
    }


# -- text helpers --------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Member-typed text for our own lines: no markdown, no mention, no spoiler bar (the
    card's :func:`~cogs.mv.render.defuse`)."""
    return defuse(text)


def name_of(mv: MV | Mapping[str, Any]) -> str:
    """``Title — Artist (year)``, defused."""
    if isinstance(mv, MV):
        return plain(mv.display_name)
    shown = f"{mv.get('title', '?')} — {mv.get('artist', '?')}"
    return truncate(plain(shown + (f" ({mv['year']})" if mv.get("year") else "")), 150)


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def role_mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def stamp(moment: datetime, style: str = "f") -> str:
    """A Discord timestamp: each reader sees their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


# -- embeds ------------------------------------------------------------------------------------------


def card_embed(mv: MV, catalog: GuildCatalog, *, age_restricted: bool, footer: Text | None = None) -> discord.Embed:
    """The MV's card as the catalog shows it; ``footer`` replaces the id line (a suggestion has no id yet)."""
    embed = build_mv_embed(mv, catalog, age_restricted_channel=age_restricted)
    if footer is not None:
        embed.set_footer(text=fit(footer, FOOTER_LIMIT))
    return fit_embed(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Shorten the description until the whole embed is within Discord's 6,000 characters,
    never cutting a spoiler's closing bars."""
    over = len(embed) - EMBED_TOTAL_LIMIT
    if over > 0 and embed.description:
        embed.description = shorten_keeping_spoiler(embed.description, max(0, len(embed.description) - over))
    return embed


def shorten_keeping_spoiler(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    opening = text.rfind("||", 0, len(text) - 2) if text.endswith("||") else -1
    if opening < 0:
        return truncate(text, limit)
    head = text[:opening]
    room = limit - len(head) - 4
    if room < 1:
        return truncate(head.rstrip(), limit)
    return f"{head}||{truncate(text[opening + 2 : -2], room)}||"


def fit(text: Text, limit: int = MESSAGE_LIMIT) -> str:
    """A message as text in the current language, within Discord's limit."""
    return truncate(str(text), limit)


def suggestion_footer(suggestion_id: int) -> Msg:
    return _("Suggestion #{id} · not in the catalog until a curator approves it", id=suggestion_id)


def preview_footer() -> Msg:
    return _("Preview · nothing is saved until you send it")


def history_embed(label: str, records: Sequence[HistoryRecord]) -> discord.Embed:
    """Each change to an entry, newest first: what, who, when, and every field's before → after."""
    embed = discord.Embed(title=fit(_("History of {entry}", entry=label), TITLE_LIMIT), colour=CARD_COLOUR)
    if not records:
        embed.description = str(_("No change is recorded for this entry."))
        return embed
    count = _n("{count} change, newest first.", "{count} changes, newest first.", len(records))
    embed.description = fit(count, 200)
    used = len(embed.title or "") + len(embed.description)
    for record in records[:FIELD_COUNT_LIMIT]:
        name = str(_ACTION_NAMES[record.action])
        actor = mention(record.actor_id)
        head = str(_("by {member} {when}", member=actor, when=stamp(record.at)))
        lines = [head, *_change_lines(record)]
        room = min(FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT - used - len(name) - 50)
        if room < 100:
            break
        value = join_lines(lines, room)
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
    embed.set_footer(text=str(_("Times are shown in your time zone.")))
    return embed


_ACTION_NAMES = {
    HistoryAction.ADDED: _("➕ Added"),
    HistoryAction.EDITED: _("✏️ Edited"),
    HistoryAction.REMOVED: _("🗑️ Removed"),
}


def _change_lines(record: HistoryRecord) -> list[str]:
    """One line a field; field names as data/mvs.toml spells them."""
    changes = record.changes.items()
    if record.action is HistoryAction.ADDED:
        return [f"**{name}**: {show_value(after)}" for name, (_before, after) in changes]
    if record.action is HistoryAction.REMOVED:
        return [
            str(_("**{field}** was {value}", field=name, value=show_value(before)))
            for name, (before, _after) in changes
        ]
    return [f"**{name}**: {show_value(old)} → {show_value(new)}" for name, (old, new) in changes]


def show_value(value: Any, limit: int = 120) -> str:
    """One stored value in a line: lists joined, tables by their names, absent as ∅."""
    if value is None or value == [] or value == "":
        return "∅"
    text = ", ".join(_item_text(item) for item in value) if isinstance(value, list) else str(value)
    return f"“{truncate(plain(' '.join(text.split())), limit)}”"


def _item_text(item: Any) -> str:
    if isinstance(item, dict):
        return " — ".join(str(part) for part in (item.get("name"), item.get("role")) if part)
    return str(item)


def queue_embed(mv: MV, catalog: GuildCatalog, suggestion: Suggestion, *, age_restricted: bool) -> discord.Embed:
    return card_embed(mv, catalog, age_restricted=age_restricted, footer=suggestion_footer(suggestion.suggestion_id))


# -- message texts ---------------------------------------------------------------------------------------
# Messages, not text: the same one may be shown in two languages (the curator's reply and the
# review channel's post, the member's DM); render each with :func:`fit` where it is sent.


def review_pending_text(suggestion: Suggestion, member_name: str) -> Msg:
    return _(
        "📥 **Suggestion #{id}** from {member}: curators, approve it, edit it (then approve) or reject it with a "
        "reason.",
        id=suggestion.suggestion_id,
        member=plain(member_name),
    )


def approved_text(suggestion_id: int, curator_name: str, mv_id: str, *, edited: bool = False) -> Msg:
    if edited:
        return _(
            "✅ **Suggestion #{id}** was edited and approved by {curator}: it is now `{mv_id}`.",
            id=suggestion_id,
            curator=plain(curator_name),
            mv_id=mv_id,
        )
    return _(
        "✅ **Suggestion #{id}** was approved by {curator}: it is now `{mv_id}`.",
        id=suggestion_id,
        curator=plain(curator_name),
        mv_id=mv_id,
    )


def rejected_text(suggestion_id: int, curator_name: str, reason: str) -> Msg:
    return _(
        "❌ **Suggestion #{id}** was rejected by {curator}. Reason: {reason}",
        id=suggestion_id,
        curator=plain(curator_name),
        reason=plain(reason),
    )


def approved_dm(mv: MV, guild_name: str) -> Msg:
    return _(
        "✅ Your suggestion {mv} was approved in **{server}**. It is in the server's catalog now as `{id}`: "
        "find it with `/mv show`.",
        mv=name_of(mv),
        server=plain(guild_name),
        id=mv.id,
    )


def rejected_dm(fields: Mapping[str, Any], guild_name: str, reason: str) -> Msg:
    return _(
        "Your suggestion {mv} in **{server}** was not added. The curators said: {reason}",
        mv=name_of(fields),
        server=plain(guild_name),
        reason=plain(reason),
    )


def closed_dms_note(suggestion_id: int, outcome: Text) -> Msg:
    """The note in the review channel when the member can't be DMed: it names nobody."""
    return _(
        "📭 I couldn't DM the member who sent suggestion #{id} (their DMs are closed). {outcome}",
        id=suggestion_id,
        outcome=outcome,
    )


def approved_outcome(mv: MV) -> Msg:
    return _("It was approved: {mv} is now `{id}`.", mv=name_of(mv), id=mv.id)


def rejected_outcome(reason: str) -> Msg:
    return _("It was not added. Reason: {reason}", reason=plain(reason))


def draft_text(kind: str) -> Msg:
    if kind == "suggest":
        return _(
            "Here is your suggestion as its card will look. **Submit as is**, or **Add the story** "
            "(storyline, twist, content warnings, themes) first. Nothing is saved until you send it."
        )
    if kind == "edit":
        return _("Here is the entry with your changes. **Save**, or **Edit the story** first. Nothing is saved yet.")
    return _(
        "Here is the suggestion with your changes. **Approve with changes**, or **Edit the story** first. "
        "Nothing is saved yet."
    )


def sent_text(suggestion_id: int, *, posted: bool) -> Msg:
    if posted:
        return _(
            "📨 Sent! Your suggestion is #{id}. Curators will look at it in the review channel; I'll DM you when "
            "they decide.",
            id=suggestion_id,
        )
    return _(
        "📨 Sent! Your suggestion is #{id}. Curators will look at it with `/mv review`; I'll DM you when they decide.",
        id=suggestion_id,
    )


def queue_text(page: int, total: int, suggestion: Suggestion, note: Text | None = None) -> str:
    head = _(
        "Suggestion {position} of {total} waiting · #{id} from {member}, sent {when}",
        position=Number(page + 1),
        total=Number(total),
        id=suggestion.suggestion_id,
        member=mention(suggestion.member_id),
        when=stamp(suggestion.created_at, "R"),
    )
    return fit(f"{note}\n{head}" if note else head)


def empty_queue_text(settings: CurationSettings, note: Text | None = None) -> str:
    text = str(_("No suggestion is waiting for review."))
    if not settings.open:
        text += " " + str(_("Suggestions are closed here until an admin sets a review channel with `/mv curation`."))
    return f"{note}\n{text}" if note else text


def settings_text(settings: CurationSettings) -> str:
    if settings.curator_role_id is not None:
        curator_role = role_mention(settings.curator_role_id)
        curators = _("members with **Manage Server** and members with {role}", role=curator_role)
    else:
        curators = _("members with **Manage Server**")
    if settings.suggest_role_id is None:
        suggesters = _("everyone")
    else:
        suggesters = _("members with {role}", role=role_mention(settings.suggest_role_id))
    minutes = int(settings.cooldown.total_seconds() // 60)
    if minutes == 0:
        cooldown = _("none")
    else:
        cooldown = _("{wait} between a member's suggestions", wait=Duration(settings.cooldown))
    channel = f"<#{settings.review_channel_id}>"
    lines = [
        _("Suggestions now go to {channel} for review.", channel=channel),
        _("• Curators: {curators}.", curators=curators),
        _("• Who may suggest (`/mv suggest`): {members}.", members=suggesters),
        _n(
            "• Cooldown: {cooldown}; at most {count} suggestion waiting per member.",
            "• Cooldown: {cooldown}; at most {count} suggestions waiting per member.",
            MAX_PENDING_PER_MEMBER,
            cooldown=cooldown,
        ),
    ]
    return "\n".join(str(line) for line in lines)
