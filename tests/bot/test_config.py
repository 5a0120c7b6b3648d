"""Configuration: the file, the environment, and one clear line with exit code 2 when wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from storage.database import bundled_migrations

GOOD = """
[telegram]
token = "123456:ABCdef_ghi-jkl"
base_url = "http://127.0.0.1:8081/"

[storage]
path = "x.db"

[bot]
admins = [1001, 1002]
timezone = "Asia/Shanghai"
"""


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")}


def _run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else _clean_env(),
        cwd=cwd,
        timeout=60,
    )


@pytest.fixture(autouse=True)
def _no_leaguebot_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("LEAGUEBOT_"):
            monkeypatch.delenv(key)


def test_a_complete_file_is_read_with_defaults_for_the_rest(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")
    settings = load_settings(path)
    assert settings.telegram.api_base == "http://127.0.0.1:8081/bot"
    assert settings.bot.admins == [1001, 1002]
    assert settings.storage.path == Path("x.db")
    assert settings.registration.min_age == 14
    assert settings.delivery.rate_per_second == 30


def test_environment_variables_override_the_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("LEAGUEBOT_BOT__ADMINS", "[7]")
    monkeypatch.setenv("LEAGUEBOT_STORAGE__PATH", "/tmp/other.db")
    settings = load_settings(path)
    assert settings.bot.admins == [7]
    assert settings.storage.path == Path("/tmp/other.db")


def test_the_token_may_come_from_the_environment_alone(monkeypatch):
    monkeypatch.setenv("LEAGUEBOT_TELEGRAM__TOKEN", "1:abc")
    assert load_settings(None).telegram.token == "1:abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[bot]\nadmins = []\n", "config error: telegram.token is required"),
        ('[telegram]\ntoken = "nonsense"\n', "config error: telegram.token: must look like"),
        (
            '[telegram]\ntoken = "1:a"\n[bot]\ntimezone = "Asia/Shangai"\n',
            "config error: bot.timezone: unknown timezone 'Asia/Shangai'",
        ),
        (
            '[telegram]\ntoken = "1:a"\n[bot]\nadmins = ["boss"]\n',
            "config error: bot.admins.0:",
        ),
        (
            '[telegram]\ntoken = "1:a"\n[bot]\nadmin = [1]\n',
            "config error: bot.admin is not a known setting",
        ),
        (
            '[telegram]\ntoken = "1:a"\nmode = "webhook"\n',
            "config error: telegram: telegram.webhook_url is required",
        ),
        ('[telegram\ntoken = "1:a"\n', "is not valid TOML"),
        (
            '[telegram]\ntoken = "1:a"\nproxy = "socks5://127.0.0.1:1080"\n',
            "config error: telegram.proxy: SOCKS proxies are not supported: give the"
            " proxy's HTTP address, e.g. http://127.0.0.1:7890",
        ),
        (
            '[telegram]\ntoken = "1:a"\nproxy = "127.0.0.1:7890"\n',
            "config error: telegram.proxy: must look like http://host:port",
        ),
    ],
)
def test_each_bad_setting_is_named_in_one_line(tmp_path, text, expected):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(expected) or expected in message
    assert "\n" not in message


def test_a_missing_file_says_to_copy_the_example(tmp_path):
    with pytest.raises(ConfigError, match=r"copy config\.example\.toml"):
        load_settings(tmp_path / "nope.toml")


def test_the_cli_prints_one_line_and_exits_2_for_a_bad_timezone(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\ntoken = "1:a"\n[bot]\ntimezone = "Mars/Base"\n', encoding="utf-8")
    result = _run_cli("run", "--config", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "config error: bot.timezone: unknown timezone 'Mars/Base' "
        "(use an IANA name like Asia/Shanghai)"
    ]
    assert "Traceback" not in result.stderr


def test_the_cli_names_a_missing_token_and_exits_2(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[storage]\npath = 'a.db'\n", encoding="utf-8")
    result = _run_cli("migrate", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "config error: telegram.token is required "
        "(set it in the config file or LEAGUEBOT_TELEGRAM__TOKEN)"
    )


def test_the_cli_reports_a_missing_config_file_and_exits_2(tmp_path):
    result = _run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "config.toml not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_shipped_example_config_is_complete_and_valid(monkeypatch):
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    monkeypatch.setenv("LEAGUEBOT_TELEGRAM__TOKEN", "1:abc")
    settings = load_settings(example)
    assert settings.telegram.mode == "polling"
    # Every field of every section is written down in the example, so deployers see it.
    text = example.read_text(encoding="utf-8")
    for section_name, section in settings.model_dump().items():
        assert f"[{section_name}]" in text
        for key in section:
            assert f"{key} =" in text, f"{section_name}.{key} missing from config.example.toml"


def test_migrate_creates_the_database_and_version_prints(tmp_path):
    path = tmp_path / "config.toml"
    db = tmp_path / "data" / "bot.db"
    path.write_text(f'[telegram]\ntoken = "1:a"\n[storage]\npath = "{db}"\n', encoding="utf-8")
    result = _run_cli("migrate", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert f"applied {len(bundled_migrations())} migration(s)" in result.stdout
    assert db.exists()
    version = _run_cli("--version")
    assert version.stdout.startswith("leaguebot ")


def test_an_unusable_database_path_is_named_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "1:a"\n[storage]\npath = "{blocker}/bot.db"\n', encoding="utf-8"
    )
    path.chmod(0o600)  # a config readable by others adds its own warning line
    result = _run_cli("migrate", "--config", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"config error: storage.path: cannot open the database {blocker}")


def test_an_unreachable_bot_api_server_is_reported_without_a_traceback(tmp_path):
    path = tmp_path / "config.toml"
    # Nothing listens on port 9 of localhost: the bot cannot reach its Bot API server.
    path.write_text(
        '[telegram]\ntoken = "1:a"\nbase_url = "http://127.0.0.1:9"\n'
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n',
        encoding="utf-8",
    )
    result = _run_cli("run", "--config", str(path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("cannot reach the Bot API server")
    assert "Traceback" not in result.stderr


def test_an_http_proxy_is_taken_as_given(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        GOOD.replace("[storage]", 'proxy = "http://团委:p%40ss@127.0.0.1:7890"\n\n[storage]'),
        encoding="utf-8",
    )
    assert load_settings(path).telegram.proxy == "http://团委:p%40ss@127.0.0.1:7890"


def test_registration_cannot_admit_children_under_fourteen(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\ntoken = "1:a"\n[registration]\nmin_age = 13\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"registration\.min_age: must be at least 14"):
        load_settings(path)
    path.write_text('[telegram]\ntoken = "1:a"\n[registration]\nmin_age = 14\n', encoding="utf-8")
    assert load_settings(path).registration.min_age == 14
