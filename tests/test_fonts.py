"""The font chain draws every language Lightstick speaks as glyphs, never as boxes."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.fonts import font_chain
from bot.i18n import TRANSLATED, _, render, speaking
from bot.polls.chart import WIDTH, render_chart
from bot.polls.rules import compute_results
from tests.polls.factories import make_poll

#: A sentence in each language, with the letters that need the fallback fonts.
SAMPLES = {
    "ko": "투표 결과: 하루하루",
    "ja": "投票の結果 — 最高のミュージックビデオは？",
    "th": "ผลโหวต: มิวสิกวิดีโอที่ดีที่สุดคืออะไร",
    "vi": "Kết quả bình chọn: MV hay nhất của năm",
    "es-ES": "¿Cuál es el mejor MV del año? Votación",
    "pt-BR": "Qual é o melhor MV do ano? Votação",
    "id": "Hasil voting: MV terbaik tahun ini",
}
SIZE = 28


def _bitmap(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    image = Image.new("L", (SIZE * 3, SIZE * 2))
    ImageDraw.Draw(image).text((4, 4), text, font=font.font_variant(layout_engine=ImageFont.Layout.BASIC), fill=255)
    return image.tobytes()


def assert_no_missing_glyph(text: str) -> None:
    """Each character is drawn by a font of the chain that has it, as a glyph unlike that font's box."""
    chain = font_chain(SIZE)
    assert chain.has_glyphs(text), text
    for font, piece in chain.runs(text):
        box = _bitmap(font, "\u0378")
        for char in piece:
            if char.isspace() or not char.isprintable():
                continue
            assert _bitmap(font, char) != box, f"{char!r} of {text!r} is a missing-glyph box in {font.path}"


@pytest.mark.parametrize("locale", sorted(SAMPLES))
def test_a_sample_in_every_language_has_every_glyph(locale: str) -> None:
    assert_no_missing_glyph(SAMPLES[locale])


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_charts_own_words_have_every_glyph_in_every_locale(locale: str) -> None:
    for message in (
        _("Final results"),
        _("Live results"),
        _("No votes were cast."),
        _("Winner: {option} — {votes}", option="1. 하루", votes="3"),
    ):
        assert_no_missing_glyph(render(message, locale))


def test_a_box_is_detected_for_what_no_font_has() -> None:
    chain = font_chain(SIZE)
    assert not chain.has_glyphs("\u0378")
    assert not chain.has_glyphs("ok \U0010fffd")


@pytest.mark.parametrize("locale", ["th", "ja", "vi"])
def test_the_results_chart_draws_thai_japanese_and_vietnamese(locale: str) -> None:
    question = SAMPLES[locale]
    options = (SAMPLES["th"][:12], SAMPLES["ja"][:8], SAMPLES["vi"][:14])
    poll = make_poll(question=question, options=options)
    with speaking(locale):
        png = render_chart(compute_results(poll, [3, 2, 1], 6))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == WIDTH
    for text in (question, *options, render(_("Final results"), locale)):
        assert_no_missing_glyph(text)
