"""Pure builders for everything `/mv` shows: the MV card, search pages, artist and theme lists.

They take catalog values and return embeds or text, touching no network and no state, so
every catalog entry can be rendered in a test and checked against Discord's limits. Two
promises hold for every card: a twist only ever appears between ``||`` spoiler bars (a
cut never drops the closing bars), and content warnings are always shown in plain sight.
Entry text — the shipped catalog's and a server's own, which members typed — goes through
:func:`defuse` wherever it is shown, so it can neither open a spoiler, nor format, nor
read as a mention. Our own words (headings, labels, theme and content-warning names) are
rendered in the current language: the member's for replies, the server's inside
``speaking(...)`` for public posts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import discord

from bot.catalog import MV, THEMES, Catalog, normalize, theme_label, warning_label
from bot.catalog.server import GuildCatalog
from bot.i18n import Msg, Number, Text, _, _n, current_locale
from bot.i18n.formatting import day as day_text
from bot.ui import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    OPTION_TEXT_LIMIT,
    TITLE_LIMIT,
    truncate,
)

log = logging.getLogger(__name__)

#: What a card's universe line is looked up in: the built-in catalog or a guild's view.
AnyCatalog = Catalog | GuildCatalog

#: Short facts (artist, album, themes) never need more; capping them keeps room for the story.
SHORT_FIELD_LIMIT = 256
FOOTER_BUDGET = 512
PAGE_SIZE = 10

SPOILER = "||"
#: Looks like a bar but is not one, so catalog text can never close a spoiler early.
_SAFE_BAR = "\u01c0"

CARD_COLOUR = discord.Colour.from_rgb(255, 105, 180)
MATURE_COLOUR = discord.Colour.from_rgb(139, 0, 0)

#: How the content-warning line starts in English (the line is :func:`warning_line`).
WARNING_PREFIX = "⚠️ Content warnings: "
MATURE_NOTE = _(
    "🔞 This MV is marked mature; the full card shows in age-restricted channels. "
    "The storyline is hidden behind the spoiler below."
)
MATURE_MARK = _("🔞 Marked mature (graphic content).")
SERVER_ENTRY_FIELD = _("Added by this server")
#: ``@everyone``, ``@here``, ``<@id>``, ``<@!id>``, ``<@&id>``: an invisible space after the
#: ``@`` makes each plain text (and ``allowed_mentions`` is none besides).
_MENTION = re.compile(r"@(?=everyone|here|[!&]?[0-9])")
_ZERO_WIDTH_SPACE = "\u200b"


# --------------------------------------------------------------------------- text helpers


def defuse_bars(text: str) -> str:
    """Replace ``|`` so catalog text cannot open or close a spoiler by accident."""
    return text.replace("|", _SAFE_BAR)


def defuse_mentions(text: str) -> str:
    """``@everyone``, ``@here`` and user or role mentions as plain text (nobody is pinged)."""
    return _MENTION.sub("@" + _ZERO_WIDTH_SPACE, text)


def defuse(text: str) -> str:
    """Entry text as it was written: no spoiler bars, no markdown, no mentions.

    Cut it after defusing (``truncate(defuse(text), n)``), never before, so an escape is
    never separated from what it escapes into a working markup character.
    """
    return defuse_mentions(discord.utils.escape_markdown(defuse_bars(text)))


def spoiler(text: str, limit: int) -> str:
    """``||text||`` in at most ``limit`` characters; a cut shortens the inside, never the bars."""
    room = limit - 2 * len(SPOILER)
    if room < 1:
        return ""
    return f"{SPOILER}{truncate(defuse(text), room)}{SPOILER}"


def join_lines(lines: Sequence[str], limit: int) -> str:
    """Whole lines up to ``limit`` characters, then "… and N more" instead of a half line."""
    shown: list[str] = []
    used = 0
    for position, line in enumerate(lines):
        rest = len(lines) - position
        more = str(_("… and {count} more", count=Number(rest)))
        cost = len(line) + (1 if shown else 0)
        reserve = 0 if rest == 1 else len(more) + 1
        if used + cost + reserve > limit:
            if used + len(more) + (1 if shown else 0) <= limit:
                shown.append(more)
            elif not shown:
                shown.append(truncate(line, limit))
            break
        shown.append(line)
        used += cost
    return "\n".join(shown)


def head_then_story(head: Sequence[Text | None], story: str | None, budget: int, *, hidden: bool = False) -> str:
    """The lines that must stay in sight (warnings, notes) first, then the storyline in the
    room left (inside spoiler bars when `hidden`); under 10 characters of room, no storyline."""
    text = truncate("\n".join(str(line) for line in head if line), budget)
    gap = "\n\n" if text else ""
    room = budget - len(text) - len(gap)
    if not story or room < 10:
        return text
    return text + gap + (spoiler(story, room) if hidden else truncate(defuse(story), room))


def release_text(mv: MV) -> str:
    """The day in the reader's language (``December 6, 2024``, ``2024년 12월 6일``), or the
    year alone when the day is not known."""
    day: date | None = mv.release_date
    if day is None:
        return str(mv.year)
    return day_text(day, current_locale())


def card_title(mv: MV) -> str:
    title = f"{mv.title} ({mv.title_ko})" if mv.title_ko and mv.title_ko != mv.title else mv.title
    return truncate(defuse(title), TITLE_LIMIT)


def source_label(source: str) -> str:
    """A seed file name as is; a URL as its site (``hercampus.com``), which fits a footer."""
    if "://" not in source:
        return source
    host = urlsplit(source).hostname or source
    return host.removeprefix("www.").removeprefix("m.")


def sources_footer(mv: MV) -> str:
    """``id · Sources: …`` (a server's entry may cite none: then its id alone)."""
    labels = list(dict.fromkeys(source_label(s) for s in mv.sources))
    if not labels:
        return truncate(defuse_bars(mv.id), FOOTER_BUDGET)
    footer = _("{id} · Sources: {sources}", id=mv.id, sources=" · ".join(labels))
    return truncate(defuse_bars(str(footer)), FOOTER_BUDGET)


def label_list(labels: Sequence[Text]) -> str:
    """Theme or content-warning names as a tag list (``sci-fi, romance``)."""
    # TRANSLATORS: what separates theme or content-warning names in a list ("sci-fi, romance")
    return str(_(", ")).join(str(label) for label in labels)


def themes_text(mv: MV) -> str:
    return label_list([theme_label(theme) for theme in mv.themes])


def warning_line(mv: MV) -> str | None:
    """``⚠️ Content warnings: violence, car-crash`` in the current language."""
    if not mv.content_warnings:
        return None
    names = label_list([warning_label(warning) for warning in mv.content_warnings])
    return str(_("⚠️ Content warnings: {warnings}", warnings=names))


def short_line(mv: MV) -> str:
    """One list line: ``**Title** — Artist (year)`` with ⚠️/🔞 marks."""
    marks = ("  🔞" if mv.mature else "") + ("  ⚠️" if mv.content_warnings else "")
    return f"**{defuse(mv.title)}** — {defuse(mv.credit)} ({mv.year})" + marks


# --------------------------------------------------------------------------- the card


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: str
    inline: bool

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


def build_mv_embed(mv: MV, catalog: AnyCatalog, *, age_restricted_channel: bool) -> discord.Embed:
    """The MV card. Mature entries outside age-restricted channels show a reduced card."""
    restricted = mv.mature and not age_restricted_channel
    title = card_title(mv)
    footer = sources_footer(mv)
    fields = _card_fields(mv, catalog, restricted=restricted)
    used = len(title) + len(footer) + sum(field.size for field in fields)
    embed = discord.Embed(
        title=title,
        url=mv.youtube_link,
        description=_card_description(mv, restricted, min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - used)),
        colour=MATURE_COLOUR if mv.mature else CARD_COLOUR,
    )
    for field in fields:
        embed.add_field(name=field.name, value=field.value, inline=field.inline)
    embed.set_footer(text=footer)
    return embed


def _card_description(mv: MV, restricted: bool, budget: int) -> str:
    """Warnings and the mature note first (always visible), then the storyline with what is left."""
    head = [warning_line(mv), _mature_line(mv, restricted)]
    return head_then_story(head, mv.storyline, budget, hidden=restricted)


def _mature_line(mv: MV, restricted: bool) -> Text | None:
    if not mv.mature:
        return None
    return MATURE_NOTE if restricted else MATURE_MARK


def _card_fields(mv: MV, catalog: AnyCatalog, *, restricted: bool) -> list[_Field]:
    fields = [
        _Field(str(_("Artist")), truncate(defuse(mv.credit), SHORT_FIELD_LIMIT), True),
        _Field(str(_("Released")), release_text(mv), True),
    ]
    if mv.album:
        fields.append(_Field(str(_("Album")), truncate(defuse(mv.album), SHORT_FIELD_LIMIT), True))
    if mv.themes:  # a server's entry may have none (Discord refuses an empty field)
        fields.append(_Field(str(_("Themes")), truncate(themes_text(mv), SHORT_FIELD_LIMIT), True))
    if mv.cast and not restricted:
        cast = join_lines([_cast_line(m.name, m.role) for m in mv.cast], FIELD_VALUE_LIMIT)
        fields.append(_Field(str(_("Cast")), cast, False))
    if mv.twist and not restricted:
        fields.append(_Field(str(_("Twist (spoiler)")), spoiler(mv.twist, FIELD_VALUE_LIMIT), False))
    if mv.universe:
        # TRANSLATORS: a card heading: the shared story world several MVs belong to
        fields.append(_Field(str(_("Universe")), _universe_text(mv, catalog), False))
    if mv.from_server:
        fields.append(_Field(str(SERVER_ENTRY_FIELD), server_credit(mv), False))
    return fields


def server_credit(mv: MV) -> str:
    """Who suggested and who approved a server's entry, as user mentions. Mentions in an embed
    never ping, and every reply is sent with ``allowed_mentions`` none besides."""
    suggested: Text = f"<@{mv.suggested_by}>" if mv.suggested_by else _("a member")
    approved: Text = f"<@{mv.approved_by}>" if mv.approved_by else _("a curator")
    return str(_("Suggested by {member} · approved by {curator}", member=suggested, curator=approved))


def _cast_line(name: str, role: str | None) -> str:
    return defuse(f"{name} — {role}" if role else name)


def _universe_text(mv: MV, catalog: AnyCatalog) -> str:
    assert mv.universe is not None
    members = sorted(
        (other for other in catalog.filter(universe=mv.universe) if other.universe == mv.universe),
        key=lambda other: other.universe_order or 0,
    )
    ids = [other.id for other in members]
    heading = defuse(mv.universe)
    if mv.id in ids:
        part = _("part {part} of {parts}", part=Number(ids.index(mv.id) + 1), parts=Number(len(ids)))
        heading += f" · {part}"
    before, after = catalog.universe_neighbours(mv)
    lines = [truncate(heading, SHORT_FIELD_LIMIT)]
    if before is not None:
        lines.append(str(_("◀ Previous: {mv}", mv=defuse(before.display_name))))
    if after is not None:
        lines.append(str(_("▶ Next: {mv}", mv=defuse(after.display_name))))
    universe = defuse_bars(mv.universe)
    if len(members) > 1 and "`" not in universe:  # inside a code span nothing formats or mentions
        lines.append(str(_("The whole story: `/mv search universe:{universe}`", universe=universe)))
    return join_lines(lines, FIELD_VALUE_LIMIT)


# --------------------------------------------------------------------------- search pages


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    return max(1, -(-total // per_page))


def page_items(results: Sequence[MV], page: int, per_page: int = PAGE_SIZE) -> list[MV]:
    start = page * per_page
    return list(results[start : start + per_page])


def search_heading(
    query: str,
    *,
    artist: str | None = None,
    theme: str | None = None,
    year: int | None = None,
    universe: str | None = None,
) -> str:
    """``“haru” · artist BIGBANG · theme tragedy · 2008`` — what the user asked for."""
    parts = [str(_("“{query}”", query=truncate(query.strip(), 80)))] if query.strip() else []
    if artist:
        parts.append(str(_("artist {artist}", artist=truncate(artist, 60))))
    if theme:
        parts.append(str(_("theme {theme}", theme=truncate(str(theme_label(theme)), 40))))
    if year is not None:
        parts.append(str(year))
    if universe:
        parts.append(str(_("universe {universe}", universe=truncate(universe, 60))))
    return defuse(" · ".join(parts)) or str(_("every MV"))


def build_search_embed(results: Sequence[MV], *, heading: str, page: int, per_page: int = PAGE_SIZE) -> discord.Embed:
    """One page of results, numbered across pages, with the page position in the footer."""
    pages = page_count(len(results), per_page)
    page = min(max(page, 0), pages - 1)
    first = page * per_page
    lines = [
        f"`{first + offset + 1:>2}.` {short_line(mv)}" for offset, mv in enumerate(page_items(results, page, per_page))
    ]
    embed = discord.Embed(
        title=truncate(str(_("MV search: {heading}", heading=heading)), TITLE_LIMIT),
        description=join_lines(lines, DESCRIPTION_LIMIT),
        colour=CARD_COLOUR,
    )
    footer = _n(
        "Page {page} of {pages} · {count} MV · pick one below to open its card",
        "Page {page} of {pages} · {count} MVs · pick one below to open its card",
        len(results),
        page=Number(page + 1),
        pages=Number(pages),
    )
    embed.set_footer(text=str(footer))
    return embed


def option_label(mv: MV) -> str:
    """Select-menu label: the catalog's ``Title — Artist (year)`` (already ≤ 100)."""
    return truncate(mv.display_name, OPTION_TEXT_LIMIT)


def option_description(mv: MV) -> str:
    text = themes_text(mv)
    if mv.mature:
        # TRANSLATORS: added to a search result's themes when the MV is marked mature
        text += str(_(" · mature"))
    return truncate(text, OPTION_TEXT_LIMIT)


def no_result_message(query: str, suggestions: Sequence[MV]) -> str:
    """The ephemeral "nothing found" reply, with the closest entries when there are some."""
    shown = discord.utils.escape_markdown(truncate(query.strip(), 100))
    text: Msg = (
        _("No MV in the catalog matches “{query}”.", query=shown) if shown else _("No MV in the catalog matches that.")
    )
    if suggestions:
        closest = "\n".join(f"• {defuse(mv.display_name)}" for mv in suggestions)
        more = _("Closest matches:\n{closest}\nType one into `/mv show` and pick it from the list.", closest=closest)
    else:
        more = _("Try fewer words or another spelling, or browse with `/mv themes` or `/mv random`.")
    return truncate(f"{text} {more}", MESSAGE_LIMIT)


def filtered_no_result_message(heading: str, unfiltered: Sequence[MV]) -> str:
    """Nothing inside the filters: say what was asked, and what the words find without them."""
    text = _("No MV in the catalog matches {heading}.", heading=heading)
    if unfiltered:
        found = "\n".join(f"• {defuse(mv.display_name)}" for mv in unfiltered)
        more = _("Without the filters it finds:\n{found}\nTry fewer filters.", found=found)
    else:
        more = _("Try fewer filters.")
    return truncate(f"{text} {more}", MESSAGE_LIMIT)


# --------------------------------------------------------------------------- artist list


STANDALONE = _("Other MVs")


def group_by_universe(mvs: Sequence[MV]) -> list[tuple[str, list[MV]]]:
    """Universes in order of their first release, standalone MVs last; release order inside."""
    groups: dict[str, list[MV]] = {}
    for mv in mvs:
        groups.setdefault(mv.universe or "", []).append(mv)
    ordered = [(name, items) for name, items in groups.items() if name]
    if "" in groups:
        label = STANDALONE if ordered else _("MVs")
        ordered.append((str(label), groups[""]))
    return ordered


def build_artist_embed(name: str, mvs: Sequence[MV]) -> discord.Embed:
    """An act's MVs (a group's with its members' solo MVs) in release order, by universe."""
    solo = sum(1 for mv in mvs if not _same_act(mv.artist, name))
    if solo:
        summary = _n(
            "{count} MV in the catalog, in release order, including {solo}.",
            "{count} MVs in the catalog, in release order, including {solo}.",
            len(mvs),
            solo=_n("{count} solo MV by members", "{count} solo MVs by members", solo),
        )
    else:
        summary = _n(
            "{count} MV in the catalog, in release order.", "{count} MVs in the catalog, in release order.", len(mvs)
        )
    title = truncate(str(_("{name} — music videos", name=defuse(name))), TITLE_LIMIT)
    embed = discord.Embed(title=title, description=str(summary), colour=CARD_COLOUR)
    embed.set_footer(text=str(_("Open a card with /mv show")))
    used = len(title) + len(embed.description or "") + len(embed.footer.text or "")
    groups = group_by_universe(mvs)
    more = str(_("More"))
    for position, (group, items) in enumerate(groups):
        if position == FIELD_COUNT_LIMIT - 1 and len(groups) > FIELD_COUNT_LIMIT:
            rest = sum(len(found) for _group, found in groups[position:])
            field_name = more
            value = str(_n("… and {count} more MV", "… and {count} more MVs", rest))
        else:
            field_name = truncate(defuse(group), FIELD_NAME_LIMIT)
            lines = [_artist_line(mv, name) for mv in items]
            room = min(FIELD_VALUE_LIMIT, EMBED_TOTAL_LIMIT - used - len(field_name))
            if room < 20:
                break
            value = join_lines(lines, room)
        embed.add_field(name=field_name, value=value, inline=False)
        used += len(field_name) + len(value)
        if field_name == more:
            break
    return embed


def _same_act(one: str, other: str) -> bool:
    return normalize(one) == normalize(other)


def _artist_line(mv: MV, act: str) -> str:
    by = "" if _same_act(mv.artist, act) else f" — {defuse(mv.artist)}"
    mark = " 🔞" if mv.mature else ""
    return f"`{mv.year}` **{defuse(mv.title)}**{by}" + mark


# --------------------------------------------------------------------------- themes


def build_themes_embed(counts: Sequence[tuple[str, int]]) -> discord.Embed:
    """Each theme in use with its count (most used first), then the ones nothing uses yet."""
    used = {theme for theme, _count in counts}
    lines = [
        str(_n("`{theme}` — {count} MV", "`{theme}` — {count} MVs", count, theme=theme_label(theme)))
        for theme, count in counts
    ]
    unused = sorted(THEMES - used)
    description = "\n".join(lines) or str(_("The catalog is empty."))
    if unused:
        names = label_list([f"`{theme_label(theme)}`" for theme in unused])
        description += "\n\n" + str(_("No MVs yet: {themes}", themes=names))
    embed = discord.Embed(
        title=str(_("MV themes")),
        description=truncate(description, DESCRIPTION_LIMIT),
        colour=CARD_COLOUR,
    )
    embed.set_footer(text=str(_("Use a theme with /mv search theme: or /mv random theme:")))
    return embed
