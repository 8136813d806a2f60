"""``python -m bot.i18n update``: what ``make i18n`` runs."""

import sys

from bot.i18n.tooling import main

sys.exit(main(sys.argv[1:]))
