"""The bracket picture: every round as a column, results so far, the champion. PNG bytes.

Rendering is CPU work; the Discord layer calls :func:`draw_bracket` through
``asyncio.to_thread`` (it only reads the immutable bracket). Text uses the font chain of
:mod:`bot.fonts` (Hangul, Latin and Vietnamese, Thai, Japanese); characters no font of the
chain has — emoji, mostly — are left out rather than drawn as boxes. A 64-entry bracket is a tall image whose
smallest text is 14 px.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

from bot.brackets.model import Bracket, Decision, Match
from bot.fonts import is_ignorable
from bot.i18n import Number, _, _n
from bot.polls.chart import Font, fit_text, load_font, wrap_text

TITLE_SIZE = 28
NAME_SIZE = 16
SMALL_SIZE = 14
CHAMPION_SIZE = 20
PADDING = 32
ROW_HEIGHT = 26
MATCH_HEIGHT = 2 * ROW_HEIGHT
MATCH_GAP = 14
SEED_WIDTH = 34
NAME_WIDTH = 190
VOTES_WIDTH = 56
BOX_WIDTH = SEED_WIDTH + NAME_WIDTH + VOTES_WIDTH
COLUMN_GAP = 40
CHAMPION_WIDTH = 240
CHAMPION_HEIGHT = 72
MIN_WIDTH = 640
MAX_TITLE_LINES = 2
TEXT_INSET = 8
TIE_MARK = "▲"

BACKGROUND = (255, 255, 255)
TEXT = (31, 35, 40)
MUTED = (101, 109, 118)
BORDER = (208, 212, 218)
SEED_FILL = (241, 243, 245)
EMPTY_FILL = (248, 249, 250)
LINE = (190, 195, 202)
WINNER = (235, 69, 158)
WINNER_FILL = (253, 228, 242)
ON_WINNER = (255, 255, 255)

#: Text colour → the backgrounds it is drawn on; the palette holds the blends between them.
_INKS = {
    TEXT: (BACKGROUND, WINNER_FILL, EMPTY_FILL),
    MUTED: (BACKGROUND, WINNER_FILL, SEED_FILL, EMPTY_FILL),
    WINNER: (BACKGROUND, WINNER_FILL),
    ON_WINNER: (WINNER,),
    LINE: (BACKGROUND,),
    BORDER: (BACKGROUND,),
}
_BLEND_STEPS = 16

NOT_A_CHARACTER = "\u0378"  # unassigned: no font has it


# -- text the fonts can draw --------------------------------------------------------------


@lru_cache(maxsize=4096)
def has_glyph(char: str) -> bool:
    """Whether some font of the chain draws `char` as itself rather than as the missing-glyph box."""
    return load_font(NAME_SIZE).has_glyphs(char)


def _extends(cluster: str, char: str) -> bool:
    """Whether `char` belongs to the character cluster before it (an approximation of UAX 29)."""
    point = ord(char)
    regional = 0x1F1E6 <= point <= 0x1F1FF
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or is_ignorable(char)
        or 0x1F3FB <= point <= 0x1F3FF  # skin tones
        or cluster.endswith("\u200d")  # what a zero-width joiner joins
        or (regional and len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF)  # flags
    )


def clusters(text: str) -> list[str]:
    """`text` in user-perceived characters: a letter and its marks, an emoji and its modifiers."""
    found: list[str] = []
    for char in text:
        if found and _extends(found[-1], char):
            found[-1] += char
        else:
            found.append(char)
    return found


def drawable_text(text: str) -> str:
    """`text` without the characters the font would draw as boxes (whole clusters go)."""
    kept = []
    for cluster in clusters(unicodedata.normalize("NFC", text)):
        visible = [char for char in cluster if not is_ignorable(char)]
        if visible and all(has_glyph(char) for char in visible):
            kept.append("".join(visible))
    return " ".join("".join(kept).split())


def entry_label(name: str, seed: int, font: Font, width: float) -> str:
    """The name as drawn: drawable, cut with an ellipsis to `width`; `Entry 5` if nothing is left."""
    return fit_text(drawable_text(name) or str(_("Entry {seed}", seed=seed)), font, width)


# -- layout -------------------------------------------------------------------------------

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes; the tests use it to look at one cell of the picture."""

    round_count: int
    first_round_matches: int
    title_lines: tuple[str, ...]
    top: int  # y of the first match of round 1

    @property
    def width(self) -> int:
        columns = self.round_count * (BOX_WIDTH + COLUMN_GAP) + CHAMPION_WIDTH
        return max(MIN_WIDTH, 2 * PADDING + columns)

    @property
    def height(self) -> int:
        pitch = MATCH_HEIGHT + MATCH_GAP
        matches = self.first_round_matches * pitch - MATCH_GAP
        return self.top + max(matches, CHAMPION_HEIGHT) + PADDING

    def column_x(self, round_number: int) -> int:
        return PADDING + (round_number - 1) * (BOX_WIDTH + COLUMN_GAP)

    def match_centre(self, round_number: int, index: int) -> int:
        """Halfway between the two matches that feed it; round 1 stacks at a fixed pitch."""
        pitch = MATCH_HEIGHT + MATCH_GAP
        span = 2 ** (round_number - 1)
        return self.top + MATCH_HEIGHT // 2 + round(pitch * (index * span + (span - 1) / 2))

    def match_box(self, round_number: int, index: int) -> Box:
        x = self.column_x(round_number)
        y = self.match_centre(round_number, index) - MATCH_HEIGHT // 2
        return (x, y, x + BOX_WIDTH, y + MATCH_HEIGHT)

    def row_box(self, round_number: int, index: int, slot: int) -> Box:
        x0, y0, x1, _ = self.match_box(round_number, index)
        return (x0, y0 + slot * ROW_HEIGHT, x1, y0 + (slot + 1) * ROW_HEIGHT)

    def name_box(self, round_number: int, index: int, slot: int) -> Box:
        x0, y0, x1, y1 = self.row_box(round_number, index, slot)
        return (x0 + SEED_WIDTH, y0, x1 - VOTES_WIDTH, y1)

    def champion_box(self) -> Box:
        x = self.column_x(self.round_count + 1)
        y = self.match_centre(self.round_count, 0) - CHAMPION_HEIGHT // 2
        return (x, y, x + CHAMPION_WIDTH, y + CHAMPION_HEIGHT)


def layout(bracket: Bracket) -> Layout:
    inner = max(MIN_WIDTH, 2 * PADDING + bracket.round_count * (BOX_WIDTH + COLUMN_GAP) + CHAMPION_WIDTH)
    lines = tuple(wrap_text(bracket.title, load_font(TITLE_SIZE), inner - 2 * PADDING, MAX_TITLE_LINES))
    header = PADDING + len(lines) * (TITLE_SIZE + 8) + 2 * (SMALL_SIZE + 10) + NAME_SIZE + 20
    return Layout(bracket.round_count, bracket.size // 2, lines, header)


# -- what each cell shows -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One side of a match as drawn: a seed (None: not known yet), and how it fared."""

    seed: int | None = None
    votes: int | None = None
    won: bool = False
    lost: bool = False
    bye: bool = False  # the empty side of a bye
    on_seed: bool = False  # won a tie as the higher seed


def _match_slots(match: Match) -> tuple[Slot, Slot]:
    if match.seed_b is None:
        return Slot(match.seed_a, won=True), Slot(bye=True)
    decided = not match.is_open
    on_seed = match.decided_by is Decision.TIE_HIGHER_SEED

    def side(seed: int, votes: int) -> Slot:
        won = decided and match.winner == seed
        votes_shown = votes if decided else None
        return Slot(seed, votes_shown, won=won, lost=decided and not won, on_seed=won and on_seed)

    return side(match.seed_a, match.votes_a), side(match.seed_b, match.votes_b)


def cells(bracket: Bracket) -> list[list[tuple[Slot, Slot]]]:
    """Every round's matches, built or not: a round not built yet shows the winners known so far."""
    rounds: list[list[tuple[Slot, Slot]]] = [[_match_slots(match) for match in played] for played in bracket.rounds]
    while len(rounds) < bracket.round_count:
        winners = [next((slot.seed for slot in cell if slot.won), None) for cell in rounds[-1]]
        rounds.append([(Slot(a), Slot(b)) for a, b in zip(winners[::2], winners[1::2], strict=True)])
    return rounds


# -- drawing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fonts:
    title: Font
    name: Font
    small: Font
    champion: Font


def _fonts() -> _Fonts:
    return _Fonts(load_font(TITLE_SIZE), load_font(NAME_SIZE), load_font(SMALL_SIZE), load_font(CHAMPION_SIZE))


def _status(bracket: Bracket, font: Font) -> str:
    """`9 entries · given seeding · Quarter-finals in play` (or `· champion: #4 Supernova`)."""
    current, champion = bracket.current_round, bracket.champion
    if champion is not None:
        name = entry_label(bracket.entry(champion), champion, font, NAME_WIDTH * 2)
        state = _("champion: #{seed} {name}", seed=champion, name=name)
    else:
        state = _("{round} in play", round=bracket.round_name(current or 1))
    seeding = _("given seeding") if str(bracket.seeds.seeding) == "given" else _("random seeding")
    entries = _n("{count} entry", "{count} entries", bracket.seeds.count)
    return f"{entries} · {seeding} · {state}"


def _draw_header(draw: ImageDraw.ImageDraw, bracket: Bracket, at: Layout, fonts: _Fonts) -> None:
    y = PADDING
    for line in at.title_lines:
        fonts.title.draw(draw, (PADDING, y), line, TEXT)
        y += TITLE_SIZE + 8
    fonts.small.draw(draw, (PADDING, y + 2), _status(bracket, fonts.small), MUTED)
    legend = str(_("Winners highlighted · {mark} won a tie as the higher seed", mark=TIE_MARK))
    fonts.small.draw(draw, (PADDING, y + SMALL_SIZE + 12), legend, MUTED)
    for number in range(1, bracket.round_count + 1):
        heading = (at.column_x(number), at.top - NAME_SIZE - 10)
        fonts.name.draw(draw, heading, str(bracket.round_name(number)), MUTED)
    champion_heading = (at.column_x(bracket.round_count + 1), at.top - NAME_SIZE - 10)
    fonts.name.draw(draw, champion_heading, str(_("Champion")), MUTED)


def _draw_slot(draw: ImageDraw.ImageDraw, box: Box, slot: Slot, labels: dict[int, str], fonts: _Fonts) -> None:
    x0, y0, x1, y1 = box
    middle = (y0 + y1) // 2
    fill = WINNER_FILL if slot.won else EMPTY_FILL if slot.seed is None else BACKGROUND
    draw.rectangle(box, fill=fill)
    draw.rectangle((x0, y0, x0 + SEED_WIDTH, y1), fill=SEED_FILL)
    if slot.seed is not None:
        fonts.small.draw(draw, (x0 + SEED_WIDTH // 2, middle), str(slot.seed), MUTED, anchor="mm")
        colour = MUTED if slot.lost else TEXT
        fonts.name.draw(draw, (x0 + SEED_WIDTH + TEXT_INSET, middle), labels[slot.seed], colour, anchor="lm")
    elif slot.bye:
        fonts.small.draw(draw, (x0 + SEED_WIDTH + TEXT_INSET, middle), str(_("bye")), MUTED, anchor="lm")
    if slot.votes is not None:
        votes = str(_("{votes}", votes=Number(slot.votes)))
        figure = f"{TIE_MARK} {votes}" if slot.on_seed else votes
        colour = WINNER if slot.won else MUTED
        fonts.name.draw(draw, (x1 - TEXT_INSET, middle), figure, colour, anchor="rm")


def _draw_match(draw: ImageDraw.ImageDraw, at: Layout, number: int, index: int, cell: tuple[Slot, Slot],
                labels: dict[int, str], fonts: _Fonts) -> None:  # fmt: skip
    for slot_number, slot in enumerate(cell):
        _draw_slot(draw, at.row_box(number, index, slot_number), slot, labels, fonts)
    x0, y0, x1, y1 = at.match_box(number, index)
    draw.line((x0, y0 + ROW_HEIGHT, x1, y0 + ROW_HEIGHT), fill=BORDER)
    draw.rectangle((x0, y0, x1, y1), outline=BORDER)


def _draw_connector(draw: ImageDraw.ImageDraw, at: Layout, number: int, index: int, decided: bool) -> None:
    """From match `index` of round `number` to the match its winner goes to (or the champion)."""
    start_x = at.match_box(number, index)[2]
    start_y = at.match_centre(number, index)
    end_x = at.column_x(number + 1)
    end_y = at.match_centre(number, index // 2) if number < at.round_count else start_y
    elbow = start_x + COLUMN_GAP // 2
    colour, width = (WINNER, 3) if decided else (LINE, 2)
    draw.line([(start_x, start_y), (elbow, start_y), (elbow, end_y), (end_x, end_y)], fill=colour, width=width)


def _draw_champion(draw: ImageDraw.ImageDraw, bracket: Bracket, at: Layout, fonts: _Fonts) -> None:
    x0, y0, x1, y1 = box = at.champion_box()
    centre = (x0 + x1) // 2
    champion = bracket.champion
    if champion is None:
        draw.rectangle(box, fill=EMPTY_FILL, outline=BORDER)
        fonts.small.draw(draw, (centre, (y0 + y1) // 2), str(_("to be decided")), MUTED, anchor="mm")
        return
    draw.rectangle(box, fill=WINNER)
    heading = str(_("CHAMPION · seed {seed}", seed=champion))
    fonts.small.draw(draw, (centre, y0 + 18), heading, ON_WINNER, anchor="mm")
    name = entry_label(bracket.entry(champion), champion, fonts.champion, CHAMPION_WIDTH - 2 * TEXT_INSET)
    fonts.champion.draw(draw, (centre, y1 - 24), name, ON_WINNER, anchor="mm")


def draw_bracket(bracket: Bracket) -> bytes:
    """Every round (results so far, winners highlighted, ties on seed marked) and the champion."""
    fonts = _fonts()
    at = layout(bracket)
    labels = {
        seed: entry_label(name, seed, fonts.name, NAME_WIDTH - 2 * TEXT_INSET)
        for seed, name in enumerate(bracket.seeds.entries, start=1)
    }
    image = Image.new("RGB", (at.width, at.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_header(draw, bracket, at, fonts)
    for number, round_cells in enumerate(cells(bracket), start=1):
        for index, cell in enumerate(round_cells):
            _draw_connector(draw, at, number, index, decided=any(slot.won for slot in cell))
    for number, round_cells in enumerate(cells(bracket), start=1):
        for index, cell in enumerate(round_cells):
            _draw_match(draw, at, number, index, cell, labels, fonts)
    _draw_champion(draw, bracket, at, fonts)
    # A palette image: the picture has a few colours and their anti-aliased blends, and a
    # palette PNG is encoded several times faster than an RGB one (and is less than half the size).
    indexed = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """Every colour drawn, and `_BLEND_STEPS` blends from each ink to each of its backgrounds."""
    colours: dict[tuple[int, int, int], None] = {}
    for ink, backgrounds in _INKS.items():
        for background in backgrounds:
            for step in range(_BLEND_STEPS + 1):
                share = step / _BLEND_STEPS
                blend = tuple(round(b + (i - b) * share) for i, b in zip(ink, background, strict=True))
                colours[(blend[0], blend[1], blend[2])] = None
    if len(colours) > 256:
        raise AssertionError(f"{len(colours)} colours don't fit a PNG palette")
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in colours for channel in colour])
    return palette
