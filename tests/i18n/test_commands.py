"""Command names in every language: the ones messages quote follow the member's client."""

from __future__ import annotations

import pytest

from bot.i18n import TRANSLATED, _, render
from bot.i18n.catalogs import translations
from bot.i18n.commands import NAME, command_translation, localize_quoted_commands


def name_in(locale: str, english: str) -> str:
    return str(translations(locale).pgettext(NAME, english))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_quoted_command_and_its_options_take_the_locales_names(locale: str) -> None:
    text = "Try `/poll create` or `/storyline setup time:21:00`."
    expected = (
        f"Try `/{name_in(locale, 'poll')} {name_in(locale, 'create')}` or "
        f"`/{name_in(locale, 'storyline')} {name_in(locale, 'setup')} {name_in(locale, 'time')}:21:00`."
    )
    assert localize_quoted_commands(text, locale) == expected != text


def test_english_and_unknown_locales_keep_the_command_as_typed() -> None:
    text = "Use `/settings language:` to choose."
    assert localize_quoted_commands(text, "en-US") == text
    assert localize_quoted_commands(text, "fr") == text
    assert render(_("Use `/settings language:` to choose."), "en-GB") == text


def test_text_that_is_not_a_known_command_is_left_alone() -> None:
    assert localize_quoted_commands("a `/nonsense thing` and `x/y`", "ko") == "a `/nonsense thing` and `x/y`"


def test_names_that_break_discords_rules_are_not_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    class Bad:
        def pgettext(self, context: str, message: str) -> str:
            return "Two Words"

    monkeypatch.setattr("bot.i18n.commands.translations", lambda locale: Bad())
    assert command_translation("create", "ko", NAME) is None
