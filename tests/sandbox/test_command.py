"""The sandbox's own command, `python -m sandbox`, and the `leaguebot` commands that hand over
to it: a newcomer's `leaguebot sandbox` still starts the bot against the sandbox and stops on
Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")}


def test_leaguebot_sandbox_prints_where_to_chat_and_stops_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    log = tmp_path / "stderr.log"
    options = ["--port", str(port), "--data-dir", str(tmp_path / "demo")]
    # A production deployment's environment: the sandbox must never reach its database.
    production = {
        "LEAGUEBOT_STORAGE__PATH": str(tmp_path / "production.db"),
        "LEAGUEBOT_TELEGRAM__TOKEN": "987654321:real-token-of-the-production-bot-00",
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "sandbox", *options],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=tmp_path,
            env={**_environment(), **production},
        )
    assert process.stdout is not None
    banner: list[str] = []
    try:
        for line in process.stdout:
            banner.append(line.rstrip("\n"))
            if line.strip() == "Stop with Ctrl-C.":
                break
        assert banner[-1:] == ["  Stop with Ctrl-C."], log.read_text(encoding="utf-8")
        assert f"  Open the web chat in a browser: http://127.0.0.1:{port}/" in banner
        assert "    .venv/bin/leaguebot chat --as 张晓明" in banner
        assert f"  Database: {tmp_path / 'demo' / 'leaguebot.db'}" in "\n".join(banner)
        # The command handed over in place: Ctrl-C reaches the sandbox, which stops cleanly.
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0, log.read_text(encoding="utf-8")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    assert (tmp_path / "demo" / "leaguebot.db").exists()
    assert not (tmp_path / "production.db").exists()
    told = log.read_text(encoding="utf-8")
    assert "sandbox: ignoring LEAGUEBOT_STORAGE__PATH, LEAGUEBOT_TELEGRAM__TOKEN" in told


def test_leaguebot_chat_is_the_sandboxs_terminal_chat():
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m sandbox chat [-h] --as NAME")


def test_leaguebot_lists_the_sandbox_commands_beside_its_own():
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
    )
    assert result.returncode == 0, result.stderr
    for command in ("run", "migrate", "backup", "sandbox", "chat"):
        assert f"    {command} " in result.stdout
