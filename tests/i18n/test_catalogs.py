"""The translators' catalogs: complete, consistent with the code, compiled, really translated."""

from __future__ import annotations

import string
from functools import cache

import pytest
from babel.messages.catalog import Catalog, Message

from bot.i18n.catalogs import mo_path, po_path
from bot.i18n.commands import NAME, valid_name
from bot.i18n.locales import TRANSLATED
from bot.i18n.tooling import compiled, extract, read_catalog

#: Text that reads the same in every language: names, proper nouns, codes, formats.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {
        "Lightstick",
        "MV",
        "K-pop",
        "YouTube",
        "CSV",
        "TOML",
        "PNG",
        "ID",
        "URL",
        "English",
        "한국어",
        "日本語",
        "Español (España)",
        "Español (Latinoamérica)",
        "Português (Brasil)",
        "Bahasa Indonesia",
        "ไทย",
        "Tiếng Việt",
    }
)


@cache
def template() -> Catalog:
    return extract()


@cache
def catalog(locale: str) -> Catalog:
    return read_catalog(po_path(locale), locale)


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def _strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _has_words(text: str) -> bool:
    """Whether anything is left to translate once placeholders, markdown and symbols are gone."""
    bare = "".join(literal for literal, _, _, _ in string.Formatter().parse(text))
    return any(char.isalpha() for char in bare)


def test_the_code_has_messages_to_translate() -> None:
    assert len(template()) > 100


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_in_every_locale(locale: str) -> None:
    translated = {_key(m): m for m in catalog(locale) if m.id}
    missing = [
        _key(m)[0] for m in template() if m.id and (_key(m) not in translated or not all(_strings(translated[_key(m)])))
    ]
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]} (run make i18n, then translate)"
    fuzzy = [_key(m)[0] for m in catalog(locale) if m.id and m.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy entries need review: {fuzzy[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_match_the_source(locale: str) -> None:
    wrong = []
    for message in catalog(locale):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        for text in _strings(message):
            if text and _fields(text) != _fields(source):
                wrong.append((source, text))
    assert not wrong, f"{locale}: placeholders differ from the English: {wrong[:3]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_compiled_catalog_is_up_to_date(locale: str) -> None:
    assert mo_path(locale).read_bytes() == compiled(catalog(locale)), f"{locale}: run make i18n to recompile"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_are_not_the_english_left_in_place(locale: str) -> None:
    same = [
        _key(m)[0]
        for m in catalog(locale)
        if m.id
        and _has_words(_key(m)[0])
        and _key(m)[0] not in SAME_IN_EVERY_LANGUAGE
        and any(text == _key(m)[0] for text in _strings(m))
    ]
    assert not same, f"{locale}: still English: {same[:8]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_localised_command_names_follow_discords_rules(locale: str) -> None:
    bad = [
        (m.id, m.string) for m in catalog(locale) if m.context == NAME and m.string and not valid_name(str(m.string))
    ]
    assert not bad, f"{locale}: command names Discord refuses (lowercase, 1-32 letters, digits, - or _): {bad[:5]}"
