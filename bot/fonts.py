"""Text in pictures, in every script Lightstick speaks: a fallback chain of shipped fonts.

Pillow draws with one font at a time and shows a box for a character that font lacks.
:class:`FontChain` splits text into runs, each drawn with the first font of the chain that
has all of that run's characters: NanumGothic (Hangul, Latin), Noto Sans (Vietnamese and
the rest of Latin, Greek, Cyrillic), Noto Sans Thai, Noto Sans JP (kana and kanji). All
four ship in ``data/fonts`` under the SIL Open Font License. Runs share one baseline.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageDraw, ImageFont

from bot.paths import FONTS_DIR

FONT_FILES: tuple[str, ...] = (
    "NanumGothic.ttf",
    "NotoSans-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansJP-Regular.otf",
)
_IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")  # never drawn, nothing lost
_WORDS = re.compile(r"\S+|\s+")

Colour = tuple[int, int, int] | int


def font_paths() -> tuple[Path, ...]:
    paths = tuple(FONTS_DIR / name for name in FONT_FILES)
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"the font {path} is missing; it ships with Lightstick in data/fonts")
    return paths


@cache
def coverage(path: Path) -> frozenset[int]:
    """The code points `path` has a glyph for (its best Unicode cmap)."""
    font = TTFont(str(path), lazy=True, fontNumber=0)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def is_ignorable(char: str) -> bool:
    """A character no font needs a glyph for: joiners, soft hyphens, selectors, tags."""
    point = ord(char)
    return (
        char in _IGNORABLE
        or 0xFE00 <= point <= 0xFE0F  # variation selectors (emoji or text presentation)
        or 0xE0100 <= point <= 0xE01EF
        or 0xE0000 <= point <= 0xE007F  # tags (flag subdivisions)
    )


def _covered(char: str, covered: frozenset[int]) -> bool:
    return is_ignorable(char) or char.isspace() or ord(char) in covered


class FontChain:
    """One text size across the whole chain; measure and draw like a single Pillow font."""

    def __init__(self, size: int) -> None:
        self.size = size
        paths = font_paths()
        self.fonts = tuple(ImageFont.truetype(str(path), size) for path in paths)
        self._coverage = tuple(coverage(path) for path in paths)
        self.ascent, self.descent = self.fonts[0].getmetrics()

    def font_index(self, text: str) -> int | None:
        """The first font with every character of `text`, or None when no single one has them."""
        for index, covered in enumerate(self._coverage):
            if all(_covered(char, covered) for char in text):
                return index
        return None

    def has_glyphs(self, text: str) -> bool:
        """Whether every visible character of `text` has a glyph in some font of the chain."""
        return all(any(_covered(char, covered) for covered in self._coverage) for char in text)

    def runs(self, text: str) -> tuple[tuple[ImageFont.FreeTypeFont, str], ...]:
        """`text` in runs of one font each: whole words where one font has them, else per character
        (a combining mark stays with its base letter). Cached: pictures measure, then draw."""
        return _runs(self, text)

    def _split(self, text: str) -> tuple[tuple[ImageFont.FreeTypeFont, str], ...]:
        text = unicodedata.normalize("NFC", text)
        whole = self.font_index(text)
        if whole is not None:  # the common case: one font has it all
            return ((self.fonts[whole], text),)
        runs: list[tuple[int, str]] = []
        for word in _WORDS.findall(unicodedata.normalize("NFC", text)):
            if word.isspace() and runs:  # spaces go with the run before them
                runs[-1] = (runs[-1][0], runs[-1][1] + word)
                continue
            whole = self.font_index(word)
            pieces = [(whole, word)] if whole is not None else self._per_character(word)
            for index, piece in pieces:
                resolved = 0 if index is None else index
                if runs and runs[-1][0] == resolved:
                    runs[-1] = (resolved, runs[-1][1] + piece)
                else:
                    runs.append((resolved, piece))
        return tuple((self.fonts[index], piece) for index, piece in runs)

    def _per_character(self, word: str) -> list[tuple[int | None, str]]:
        pieces: list[tuple[int | None, str]] = []
        for char in word:
            if pieces and unicodedata.category(char).startswith("M"):
                index, piece = pieces[-1]
                pieces[-1] = (index, piece + char)
            else:
                pieces.append((self.font_index(char), char))
        return pieces

    def getlength(self, text: str) -> float:
        return sum(font.getlength(piece) for font, piece in self.runs(text))

    def draw(
        self, draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fill: Colour, anchor: str = "la"
    ) -> float:
        """Draw `text` at `xy` like ``ImageDraw.text`` with an anchor of l/m/r then a/m/s (left
        top by default); every run sits on one baseline. Returns the width drawn."""
        runs = self.runs(text)
        width = sum(font.getlength(piece) for font, piece in runs)
        x = xy[0] - {"l": 0.0, "m": width / 2, "r": width}[anchor[0]]
        baseline = xy[1] + {"a": self.ascent, "m": (self.ascent - self.descent) / 2, "s": 0}[anchor[1]]
        for font, piece in runs:
            draw.text((x, baseline), piece, font=font, fill=fill, anchor="ls")
            x += font.getlength(piece)
        return width


@lru_cache(maxsize=8192)
def _runs(chain: FontChain, text: str) -> tuple[tuple[ImageFont.FreeTypeFont, str], ...]:
    return chain._split(text)


@cache
def font_chain(size: int) -> FontChain:
    """The chain at `size` px (cached: loading the faces costs more than a picture)."""
    return FontChain(size)
