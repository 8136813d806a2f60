"""The results chart: a PNG whose Hangul is drawn as glyphs, not .notdef boxes."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from bot.fonts import FONT_FILES
from bot.paths import FONTS_DIR
from bot.polls.chart import PADDING, TITLE_SIZE, WIDTH, fit_text, load_font, render_chart, wrap_text
from bot.polls.rules import PollStatus, compute_results
from tests.polls.factories import SEED_OPTIONS, make_poll

UNASSIGNED = "\u0378"  # no character, so no font has a glyph for it: the .notdef box


def draw(text: str, size: int = 40) -> bytes:
    image = Image.new("L", (240, 64))
    load_font(size).draw(ImageDraw.Draw(image), (4, 4), text, 255)
    return image.tobytes()


def test_the_fonts_ship_with_their_license() -> None:
    license_text = (FONTS_DIR / "OFL.txt").read_text("utf-8")
    assert "NAVER Corporation" in license_text and "SIL OPEN FONT LICENSE" in license_text
    for name in FONT_FILES:
        assert (FONTS_DIR / name).is_file() and name in license_text


def test_hangul_has_real_glyphs_in_the_font() -> None:
    notdef = draw(UNASSIGNED)
    assert any(notdef), "the .notdef box must be visible for this check to mean anything"
    assert draw("\U0010fffd") == notdef  # another code point without a glyph: the same box
    syllables = {char: draw(char) for char in "하루"}
    for char, bitmap in syllables.items():
        assert any(bitmap), char
        assert bitmap != notdef, f"{char} is drawn as the missing-glyph box"
    assert syllables["하"] != syllables["루"]
    assert draw("하루하루") != draw(UNASSIGNED * 4)


def title_strip(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png))
    return image.crop((0, PADDING, WIDTH, PADDING + TITLE_SIZE + 8)).tobytes()


def test_chart_draws_a_hangul_title_as_glyphs() -> None:
    counts = [5, 3, 0]
    hangul = render_chart(compute_results(make_poll(3, question="하루하루"), counts, 8))
    boxes = render_chart(compute_results(make_poll(3, question=UNASSIGNED * 4), counts, 8))
    assert any(byte != 255 for byte in title_strip(hangul))  # something is drawn
    assert title_strip(hangul) != title_strip(boxes)


def test_chart_is_a_png_sized_to_its_options() -> None:
    seed = make_poll(options=SEED_OPTIONS, status=PollStatus.CLOSED)
    png = render_chart(compute_results(seed, [120, 80, 80, 40, 30, 20, 10, 5, 0], 385))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    small = Image.open(io.BytesIO(png))
    twenty = Image.open(io.BytesIO(render_chart(compute_results(make_poll(20), list(range(20)), 50))))
    assert small.width == twenty.width == WIDTH
    assert twenty.height > small.height
    empty = render_chart(compute_results(make_poll(2), [0, 0], 0))  # no votes: no division by zero
    assert Image.open(io.BytesIO(empty)).height > 0


def test_long_text_is_cut_or_wrapped_to_fit() -> None:
    font = load_font(20)
    cut = fit_text("x" * 300, font, 200)
    assert cut.endswith("…") and font.getlength(cut) <= 200
    assert fit_text("Spell", font, 200) == "Spell"
    lines = wrap_text("하루하루 " * 60, load_font(30), 600, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(load_font(30).getlength(line) <= 600 for line in lines)
