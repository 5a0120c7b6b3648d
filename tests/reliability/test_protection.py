"""The token and people's data stay the bot's own on a shared machine: the real `leaguebot run`
at DEBUG never writes the token to its log, warns when the config is readable by others, and
keeps the database and its backups readable by its user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.conftest import TOKEN
from tests.reliability.process import AnsweredSettle, BotProcess, write_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_debug_log_never_shows_the_token_and_the_files_are_private(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    db_path = tmp_path / "bot.db"
    db_path.touch(mode=0o644)  # left open to others by an older release
    db_path.chmod(0o644)
    config = write_config(tmp_path, base_url=sandbox.url, db_path=db_path)
    config.write_text(config.read_text().replace('level = "WARNING"', 'level = "DEBUG"'))
    config.chmod(0o644)
    log = tmp_path / "bot.log"
    bot = BotProcess(config, sandbox, log)
    await bot.start()
    try:
        client = SandboxClient(sandbox.url, settle=AnsweredSettle(sandbox))
        ming = await client.user("张晓明")
        await ming.send("/help")
        assert ming.last_message().text
        await client.close()
    finally:
        assert await bot.stop() == 0
    text = log.read_text(encoding="utf-8")
    assert "getUpdates" in text and "DEBUG" in text  # the log did name the Bot API calls
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    assert "<hidden>" in text
    assert "can be read by other users (mode 644); run: chmod 600" in text
    for file in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if file.exists():
            assert _mode(file) == 0o600, file


def test_a_backup_is_private_and_a_private_config_is_not_warned_about(tmp_path: Path) -> None:
    config = write_config(tmp_path, base_url="http://127.0.0.1:9", db_path=tmp_path / "bot.db")
    config.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot.cli", *args, "--config", str(config)]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)

    migrated = cli("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "can be read by other users" not in migrated.stderr
    copied = cli("backup", str(tmp_path / "backups" / "copy.db"))
    assert copied.returncode == 0, copied.stderr
    assert _mode(tmp_path / "bot.db") == 0o600
    assert _mode(tmp_path / "backups" / "copy.db") == 0o600
    assert _mode(tmp_path / "backups") == 0o700
