"""The translation catalogue: every user-facing text, Chinese first, English second."""

from __future__ import annotations

import html
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from bot.domain.models import Language


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def load_catalogue(language: Language) -> dict[str, str]:
    """The flattened `section.key -> text` table of one language, read once.

    Each journey keeps its texts in its own file (`bot/i18n/<language>/<journey>.toml`); a key
    defined in two files is a mistake and stops the bot at start-up.
    """
    catalogue: dict[str, str] = {}
    folder = resources.files("bot.i18n").joinpath(language.value)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        texts = _flatten(tomllib.loads(entry.read_text("utf-8")))
        clashes = sorted(set(texts) & set(catalogue))
        if clashes:
            raise ValueError(f"{language.value}/{entry.name} defines {clashes} again")
        catalogue.update(texts)
    return catalogue


class Translator:
    """Looks texts up by key; parameters are HTML-escaped because every message is sent as HTML."""

    def __init__(self, default: Language = Language.ZH) -> None:
        self.default = default

    def t(self, language: Language, key: str, /, **params: object) -> str:
        catalogue = load_catalogue(language)
        template = catalogue.get(key)
        if template is None:
            template = load_catalogue(self.default).get(key)
        if template is None:
            raise KeyError(f"no text for {key!r}")
        if not params:
            return template
        return template.format(**{name: _escape(value) for name, value in params.items()})

    def has(self, key: str) -> bool:
        return key in load_catalogue(self.default)


class Raw(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def _escape(value: object) -> str:
    if isinstance(value, Raw):
        return str(value)
    return html.escape(str(value), quote=False)


def language_from_code(code: str | None, *, default: Language) -> Language:
    """Maps Telegram's language_code (zh-hans, en-US, ...) to a language the bot speaks."""
    if not code:
        return default
    base = code.lower().split("-")[0].split("_")[0]
    for language in Language:
        if language.value == base:
            return language
    return default
