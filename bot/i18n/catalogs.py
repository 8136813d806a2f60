"""The compiled gettext catalogs, loaded once per locale.

``bot/locales/<babel id>/LC_MESSAGES/lightstick.po`` is the translators' file and
``lightstick.mo`` its compiled form, both committed; ``make i18n`` refreshes them and a
test fails when a ``.mo`` is older than its ``.po``. A locale without a catalog, or a
message a catalog lacks, shows the English source text.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from bot.i18n.locales import TRANSLATED, babel_id
from bot.paths import PACKAGE_DIR

LOCALES_DIR: Path = PACKAGE_DIR / "locales"
DOMAIN = "lightstick"


def po_path(locale: str) -> Path:
    return LOCALES_DIR / babel_id(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for `locale`; English, and any locale without a compiled file, get none."""
    if locale not in TRANSLATED:
        return gettext.NullTranslations()
    path = mo_path(locale)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)
