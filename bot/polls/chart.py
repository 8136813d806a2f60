"""The results chart: a PNG horizontal bar chart drawn with Pillow.

Rendering is CPU work; the Discord layer calls :func:`render_chart` through
``asyncio.to_thread`` (which carries the current locale along). Text is drawn with the
fallback chain of :mod:`bot.fonts` (NanumGothic, Noto Sans, Noto Sans Thai, Noto Sans JP,
all SIL OFL), so 하루하루, ผลโหวต, 投票 and Tiếng Việt show as glyphs, not boxes.
"""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw

from bot.fonts import FontChain, font_chain
from bot.i18n import Number, Percent, _, _n
from bot.polls.rules import PollResults, option_marker

WIDTH = 960
PADDING = 36
TITLE_SIZE = 30
LABEL_SIZE = 20
SMALL_SIZE = 17
BAR_HEIGHT = 24
ROW_GAP = 16
MAX_TITLE_LINES = 3

BACKGROUND = (255, 255, 255)
TEXT = (31, 35, 40)
MUTED = (101, 109, 118)
TRACK = (236, 238, 241)
BAR = (88, 101, 242)
WINNER = (235, 69, 158)

Font = FontChain


def load_font(size: int) -> Font:
    """The font chain at `size` px (cached: loading the faces costs more than a chart)."""
    return font_chain(size)


def fit_text(text: str, font: Font, width: float) -> str:
    """`text` cut with an ellipsis so it fits in `width` pixels."""
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def wrap_text(text: str, font: Font, width: float, max_lines: int) -> list[str]:
    """Greedy wrap at spaces (or anywhere inside a word too long for a line)."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"\S+\s*", text):
        candidate = line + token
        if font.getlength(candidate.rstrip()) <= width:
            line = candidate
            continue
        if line:
            lines.append(line.rstrip())
        line = ""
        for char in token:
            if font.getlength((line + char).rstrip()) > width and line:
                lines.append(line.rstrip())
                line = ""
            line += char
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit_text(" ".join(lines[max_lines - 1 :]), font, width)]
    return lines or [""]


def _footer(results: PollResults) -> str:
    if not results.winners:
        return str(_("No votes yet.") if not results.final else _("No votes were cast."))
    n_options = len(results.ranked)
    top = results.for_option(results.winners[0]).votes
    votes = _n("{count} vote", "{count} votes", top)
    if results.is_tie:
        tied = ", ".join(option_marker(n_options, option) for option in results.winners)
        return str(_("Tie between {tied} — {votes} each", tied=tied, votes=votes))
    winner = results.for_option(results.winners[0])
    option = f"{option_marker(n_options, winner.option)}. {winner.label}"
    if results.final:
        return str(_("Winner: {option} — {votes}", option=option, votes=votes))
    return str(_("Leading: {option} — {votes}", option=option, votes=votes))


def render_chart(results: PollResults) -> bytes:
    """Ranked options with bars, counts and % of voters; the question as title. PNG bytes."""
    title_font = load_font(TITLE_SIZE)
    label_font = load_font(LABEL_SIZE)
    small_font = load_font(SMALL_SIZE)
    inner = WIDTH - 2 * PADDING
    title_lines = wrap_text(results.question, title_font, inner, MAX_TITLE_LINES)
    title_height = len(title_lines) * (TITLE_SIZE + 8)
    row_height = LABEL_SIZE + 8 + BAR_HEIGHT + ROW_GAP
    header = PADDING + title_height + SMALL_SIZE + 20
    height = header + len(results.ranked) * row_height + SMALL_SIZE + 20 + PADDING

    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = PADDING
    for line in title_lines:
        title_font.draw(draw, (PADDING, y), line, TEXT)
        y += TITLE_SIZE + 8
    state = _("Final results") if results.final else _("Live results")
    voters = _n("{count} voter", "{count} voters", results.turnout)
    small_font.draw(draw, (PADDING, y + 4), f"{state} · {voters}", MUTED)
    y = header

    n_options = len(results.ranked)
    most = max((result.votes for result in results.ranked), default=0)
    for result in results.ranked:
        figure = str(_("{votes} · {share}", votes=Number(result.votes), share=Percent(result.percent / 100)))
        figure_width = label_font.getlength(figure)
        label = f"{option_marker(n_options, result.option)}. {result.label}"
        label = fit_text(label, label_font, inner - figure_width - 16)
        label_font.draw(draw, (PADDING, y), label, TEXT)
        label_font.draw(draw, (WIDTH - PADDING - figure_width, y), figure, TEXT)
        bar_top = y + LABEL_SIZE + 8
        draw.rectangle((PADDING, bar_top, WIDTH - PADDING, bar_top + BAR_HEIGHT), fill=TRACK)
        if result.votes:
            length = max(2, round(inner * result.votes / most))
            colour = WINNER if result.option in results.winners else BAR
            draw.rectangle((PADDING, bar_top, PADDING + length, bar_top + BAR_HEIGHT), fill=colour)
        y += row_height

    small_font.draw(draw, (PADDING, y + 4), _footer(results), MUTED)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()
