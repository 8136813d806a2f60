"""``make i18n``: extract every message, update each locale's ``.po``, compile the ``.mo``.

Messages come from two places: ``_()`` and ``_n()`` calls in ``bot/`` and ``cogs/``
(Babel's Python extractor), and the slash-command tree (names, descriptions, options,
choices), which discord.py hands to :class:`~bot.i18n.interactions.GettextTranslator`
with the context it was found in.
"""

from __future__ import annotations

import importlib
import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from discord import app_commands
from discord.ext import commands

from bot.i18n.catalogs import DOMAIN, LOCALES_DIR, mo_path, po_path
from bot.i18n.commands import CHOICE, DESCRIPTION, NAME
from bot.i18n.locales import TRANSLATED, babel_id
from bot.paths import PROJECT_DIR

KEYWORDS = {"_": None, "_n": (1, 2)}
SOURCE_DIRS = ("bot", "cogs")
POT_PATH = LOCALES_DIR / f"{DOMAIN}.pot"


# -- extraction ------------------------------------------------------------------------------


def _code_messages(catalog: Catalog) -> None:
    for directory in SOURCE_DIRS:
        root = PROJECT_DIR / directory
        for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(message, None, [(f"{directory}/{filename}", lineno)], auto_comments=comments, context=context)


def app_commands_of_extensions() -> Iterator[app_commands.Command | app_commands.Group]:
    """The top-level slash commands and groups every extension declares, without a bot."""
    from bot.client import discover_extensions

    seen: set[int] = set()
    for name in discover_extensions():
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, commands.Cog):
                continue
            for command in cls.__cog_app_commands__:
                if id(command) not in seen:
                    seen.add(id(command))
                    yield command


def command_strings(
    command: app_commands.Command | app_commands.Group,
) -> Iterator[tuple[str, str, str]]:
    """(context, msgid, where) for every translatable string of `command` and its children.
    `where` is one word without a colon (`/poll.create[question]`), as a .po location must be."""
    where = "/" + command.qualified_name.replace(" ", ".")
    yield NAME, command.name, where
    yield DESCRIPTION, command.description, where
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from command_strings(child)
        return
    for parameter in command.parameters:
        option = f"{where}[{parameter.name}]"
        yield NAME, parameter.display_name, option
        yield DESCRIPTION, str(parameter.description), option
        for choice in parameter.choices:
            yield CHOICE, choice.name, option


def _command_messages(catalog: Catalog) -> None:
    for command in app_commands_of_extensions():
        for context, msgid, where in command_strings(command):
            catalog.add(msgid, None, [(where, 0)], context=context)


def extract() -> Catalog:
    catalog = Catalog(project="Lightstick", domain=DOMAIN, fuzzy=False)
    _code_messages(catalog)
    _command_messages(catalog)
    return catalog


# -- update and compile ----------------------------------------------------------------------


def read_catalog(path: Path, locale: str) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=babel_id(locale))


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes; a plural entry missing a form is left out, so it shows the English."""
    incomplete = [m for m in catalog if m.id and isinstance(m.string, list | tuple) and not all(m.string)]
    for message in incomplete:
        catalog.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_po(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)


def update(template: Catalog, locales: tuple[str, ...] = TRANSLATED) -> list[str]:
    """Bring each locale's catalog up to `template` and compile it; report what is untranslated."""
    _write_po(POT_PATH, template)
    report = []
    for locale in locales:
        path = po_path(locale)
        if path.is_file():
            catalog = read_catalog(path, locale)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        else:
            catalog = Catalog(locale=babel_id(locale), project="Lightstick", domain=DOMAIN, fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        _write_po(path, catalog)
        mo_path(locale).write_bytes(compiled(read_catalog(path, locale)))
        missing = sum(1 for message in catalog if message.id and not message.string)
        report.append(f"{locale}: {len(catalog)} messages, {missing} untranslated")
    return report


def compile_all() -> None:
    for locale in TRANSLATED:
        mo_path(locale).write_bytes(compiled(read_catalog(po_path(locale), locale)))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        locales = tuple(argv[1:]) or TRANSLATED
        if unknown := [locale for locale in locales if locale not in TRANSLATED]:
            print(f"unknown locale {unknown[0]!r}; Lightstick has {', '.join(TRANSLATED)}", file=sys.stderr)
            return 2
        for line in update(extract(), locales):
            print(line)
        return 0
    if command == "check":  # extraction only, nothing written
        print(f"{len(extract())} messages")
        return 0
    if command == "compile":
        compile_all()
        return 0
    print("usage: python -m bot.i18n [update [LOCALE ...]|check|compile]", file=sys.stderr)
    return 2
