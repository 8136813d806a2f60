"""The bracket picture: a sane PNG at 2, 9 and 64 entries, Hangul drawn as glyphs, no boxes."""

from __future__ import annotations

import asyncio
import io
import random

import pytest
from PIL import Image

from bot.brackets import Bracket, draw_bracket, new_bracket, seed
from bot.brackets.picture import (
    NAME_SIZE,
    NAME_WIDTH,
    NOT_A_CHARACTER,
    SMALL_SIZE,
    TEXT_INSET,
    TIE_MARK,
    cells,
    clusters,
    drawable_text,
    entry_label,
    has_glyph,
    layout,
)
from bot.polls.chart import load_font

PNG = b"\x89PNG\r\n\x1a\n"


def bracket_of(names: list[str], title: str = "MV World Cup") -> Bracket:
    return new_bracket(title, seed(names, seeding="given"))


def finished(bracket: Bracket, rng: random.Random) -> Bracket:
    while not bracket.is_finished:
        bracket = bracket.record_round(
            {m.index: (rng.randint(0, 9), rng.randint(0, 9)) for m in bracket.open_matches()}
        )
    return bracket


def image(png: bytes) -> Image.Image:
    assert png.startswith(PNG)
    return Image.open(io.BytesIO(png))


def test_the_glyph_check_tells_boxes_from_glyphs() -> None:
    assert not has_glyph(NOT_A_CHARACTER)
    assert not has_glyph("🚀") and not has_glyph("\u20e3")  # emoji, a lone keycap mark
    for char in "하루뮤비aé·…" + TIE_MARK:
        assert has_glyph(char), char


def test_emoji_are_left_out_not_drawn_as_boxes() -> None:
    assert drawable_text("Supernova 🚀") == "Supernova"
    assert drawable_text("🇰🇷 하루하루 👩‍👩‍👧 1\ufe0f\u20e3 ♥\ufe0f") == "하루하루 ♥"
    assert drawable_text("Cafe\u0301") == "Café"  # combining accents are composed and kept
    assert clusters("👍🏽a🇰🇷") == ["👍🏽", "a", "🇰🇷"]
    font = load_font(NAME_SIZE)
    assert entry_label("🔥🔥🔥", 5, font, 200) == "Entry 5"  # nothing drawable: the seed stands in


def test_long_names_are_cut_to_their_cell() -> None:
    font = load_font(NAME_SIZE)
    width = NAME_WIDTH - 2 * TEXT_INSET
    for name in ("Supernova " * 10, "하루하루" * 25, "x" * 100):
        label = entry_label(name, 1, font, width)
        assert label.endswith("…") and font.getlength(label) <= width
    assert entry_label("APT.", 1, font, width) == "APT."


@pytest.mark.parametrize(("count", "columns"), [(2, 1), (9, 4), (64, 6)])
def test_the_picture_is_sized_to_the_bracket(count: int, columns: int) -> None:
    bracket = bracket_of([f"MV {n}" for n in range(count)])
    at = layout(bracket)
    assert at.round_count == columns
    for state in (bracket, finished(bracket, random.Random(count))):
        picture = image(draw_bracket(state))
        assert picture.size == (at.width, at.height)
        assert 600 <= picture.width <= 2400
        assert 150 <= picture.height <= 2400
        # each first-round entry has a row at least one name-line tall; nothing is drawn off the image
        assert at.row_box(1, bracket.size // 2 - 1, 1)[3] < picture.height
        assert at.champion_box()[2] <= picture.width
    assert NAME_SIZE >= 14 and SMALL_SIZE >= 14


def test_sixty_four_is_tall_and_eight_fits_in_a_screen() -> None:
    tall = layout(bracket_of([f"MV {n}" for n in range(64)]))
    small = layout(bracket_of([f"MV {n}" for n in range(8)]))
    assert tall.height > 3 * small.height and small.height < 800


def name_strip(png: bytes, bracket: Bracket, round_number: int, index: int, slot: int) -> bytes:
    return image(png).crop(layout(bracket).name_box(round_number, index, slot)).convert("L").tobytes()


def test_hangul_names_are_drawn_as_glyphs() -> None:
    """Boxes would look alike: 하루하루 and 루하루하 drawn as boxes give the same pixels."""
    names = ["하루하루", "루하루하", "뱅뱅뱅", "Supernova"]
    bracket = bracket_of(names, title="2024 최고의 뮤직비디오")
    png = draw_bracket(bracket)
    first, second = name_strip(png, bracket, 1, 0, 0), name_strip(png, bracket, 1, 1, 0)  # seeds 1 and 2
    assert [match.seeds for match in bracket.round(1)] == [(1, 4), (2, 3)]
    assert any(byte < 200 for byte in first) and any(byte < 200 for byte in second)  # ink
    assert first != second
    swapped = bracket_of(["루하루하", "하루하루", "뱅뱅뱅", "Supernova"])
    assert name_strip(draw_bracket(swapped), swapped, 1, 0, 0) == second  # the same word, the same pixels
    for cell in cells(bracket)[0]:
        for slot in cell:
            if slot.seed is not None:
                label = entry_label(bracket.entry(slot.seed), slot.seed, load_font(NAME_SIZE), NAME_WIDTH)
                assert all(has_glyph(char) for char in label)


def test_results_show_on_the_picture() -> None:
    bracket = bracket_of(["Supernova", "APT.", "Magnetic", "How Sweet"])
    before = draw_bracket(bracket)
    after = bracket.record_round({0: (5, 5), 1: (2, 7)})
    assert draw_bracket(after) != before
    slots = cells(after)
    assert [slot.seed for slot in slots[1][0]] == [1, 3]  # the final is drawn with its finalists
    assert slots[0][0][0].on_seed and slots[0][0][0].won and slots[0][0][1].lost
    champion = finished(after, random.Random(1))
    box = layout(champion).champion_box()
    pixels = image(draw_bracket(champion)).crop(box).convert("RGB")
    assert pixels.getpixel((4, 4)) != (255, 255, 255)  # the champion's box is filled in


async def test_the_discord_layer_can_draw_in_worker_threads() -> None:
    bracket = bracket_of(["하루하루", "Supernova 🚀", "APT.", "Magnetic", "뱅뱅뱅"])
    pictures = await asyncio.gather(*(asyncio.to_thread(draw_bracket, bracket) for _ in range(4)))
    assert len(set(pictures)) == 1 and pictures[0] == draw_bracket(bracket)
