"""Lazy messages: rendered in the locale current when shown, with Babel formatting."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.errors import UserError
from bot.i18n import Day, Duration, ListOf, Number, Percent, _, _n, current_locale, render, speaking, use_locale
from bot.i18n.catalogs import translations
from bot.i18n.locales import TRANSLATED, supported_locale


def test_outside_any_locale_a_message_is_its_english_source() -> None:
    message = _("The poll closes in {left}.", left=Duration(timedelta(hours=36)))
    assert str(message) == "The poll closes in 1 day, 12 hours."
    assert f"<{message}>" == "<The poll closes in 1 day, 12 hours.>"


def test_speaking_renders_values_in_that_locale_and_restores_the_previous_one() -> None:
    message = _("{n} voters, {share}", n=Number(12345), share=Percent(0.425))
    with speaking("pt-BR"):
        assert str(message) == "12.345 voters, 42,5%"
        with speaking("ko"):
            assert current_locale() == "ko"
        assert current_locale() == "pt-BR"
    assert str(message) == "12,345 voters, 42.5%"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "3 days"), ("ko", "3일"), ("id", "3 hari"), ("es-ES", "3 días"), ("ja", "3 日")],
)
def test_durations_follow_the_locale(locale: str, expected: str) -> None:
    assert render(_("{d}", d=Duration(timedelta(days=3))), locale) == expected


def test_dates_and_lists_follow_the_locale() -> None:
    message = _("{day}: {who}", day=Day(date(2026, 12, 24)), who=ListOf(["A", "B", "C"]))
    assert render(message, "en-US") == "December 24, 2026: A, B, and C"
    assert render(message, "es-ES") == "24 de diciembre de 2026: A, B y C"


def test_plural_forms_choose_by_count_and_fill_count() -> None:
    assert str(_n("{count} vote", "{count} votes", 1)) == "1 vote"
    assert str(_n("{count} vote", "{count} votes", 1200)) == "1,200 votes"


def test_a_message_inside_a_message_renders_in_the_same_locale() -> None:
    inner = _("{d}", d=Duration(timedelta(minutes=2)))
    outer = _("wait {inner}", inner=inner)
    assert render(outer, "ko") == "wait 2분"


@pytest.mark.parametrize("code", ["fr", "de", None, "", "xx-YY", 42])
def test_an_unknown_locale_falls_back_to_english(code: object) -> None:
    assert supported_locale(code) == "en-US"
    with speaking(code):
        assert str(_("Final results")) == "Final results"


def test_every_translated_locale_has_a_compiled_catalog() -> None:
    for locale in TRANSLATED:
        assert translations(locale).info(), f"{locale}: no compiled catalog"


def test_user_error_keeps_the_lazy_message() -> None:
    error = UserError(_("Give {n} options.", n=Number(2000)))
    with speaking("es-ES"):
        assert str(error) == "Give 2.000 options."


async def test_use_locale_is_local_to_the_task_that_set_it() -> None:
    async def member_task() -> str:
        use_locale("ja")
        await asyncio.sleep(0)
        return current_locale()

    assert await asyncio.create_task(member_task()) == "ja"
    assert current_locale() == "en-US"


def test_a_translation_that_does_not_format_shows_the_english(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def gettext(self, message: str) -> str:
            return "{oops} 깨진 번역"

    monkeypatch.setattr("bot.i18n.message.translations", lambda locale: Broken())
    assert render(_("Hello {name}", name="Mina"), "ko") == "Hello Mina"


def test_a_formatted_value_used_as_text_on_its_own_formats_in_the_current_locale() -> None:
    assert str(Duration(timedelta(hours=36))) == "1 day, 12 hours"
    with speaking("ko"):
        assert f"{Duration(timedelta(hours=36))}" == "1일 12시간"
        assert str(Number(12345)) == "12,345"
    with speaking("id"):
        assert str(Percent(0.5)) == "50%"
