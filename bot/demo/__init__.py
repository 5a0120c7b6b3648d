"""Demo data for `leaguebot sandbox`: a realistic district to try every role with."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ORGS_FILE", "orgs_path", "orgs_text"]

ORGS_FILE = "orgs.toml"


def orgs_text() -> str:
    """The demo org tree as TOML text, read from the installed package."""
    return resources.files(__name__).joinpath(ORGS_FILE).read_text("utf-8")


def orgs_path() -> Path:
    """The demo org tree's file on disk, for `import_orgs(path=...)`."""
    return Path(__file__).with_name(ORGS_FILE)
