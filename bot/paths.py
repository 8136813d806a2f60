"""Where Lightstick's files live, found from the package, never from the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
CATALOG_PATH = DATA_DIR / "mvs.toml"
FONTS_DIR = DATA_DIR / "fonts"


def resolve_project_path(value: str | Path) -> Path:
    """A relative path in settings means relative to the project, so `make run` works from anywhere."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path
