"""The translation catalogue: both languages complete, parameters escaped."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.domain.models import Language
from bot.i18n import Raw, Translator, language_from_code, load_catalogue

ROOT = Path(__file__).resolve().parents[2]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_chinese_and_english_catalogues_have_the_same_keys_and_parameters():
    zh, en = load_catalogue(Language.ZH), load_catalogue(Language.EN)
    assert set(zh) == set(en)
    for key in zh:
        assert _fields(zh[key]) == _fields(en[key]), key


def test_every_key_the_code_uses_exists():
    used: set[str] = set()
    pattern = re.compile(r"""\bt(?:_in)?\((?:[^,()]+,\s*)?["']([a-z_]+\.[a-z_.]+)["']""")
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    catalogue = load_catalogue(Language.ZH)
    assert used, "the pattern found no keys"
    assert sorted(used - set(catalogue)) == []


def test_every_error_code_of_the_domain_has_a_text():
    source = (ROOT / "bot" / "domain" / "validation.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', source))
    catalogue = load_catalogue(Language.ZH)
    assert codes
    assert sorted(code for code in codes if code not in catalogue) == []


def test_parameters_are_html_escaped_unless_marked_raw():
    translator = Translator()
    text = translator.t(Language.EN, "start.welcome_back", name='<b>Tom & "Jerry"</b>')
    assert '&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;' in text
    raw = translator.t(Language.EN, "start.welcome_back", name=Raw("<i>x</i>"))
    assert "<i>x</i>" in raw


def test_telegram_language_codes_map_to_the_bots_languages():
    assert language_from_code("zh-hans", default=Language.ZH) is Language.ZH
    assert language_from_code("en-US", default=Language.ZH) is Language.EN
    assert language_from_code("ru", default=Language.ZH) is Language.ZH
    assert language_from_code(None, default=Language.EN) is Language.EN
