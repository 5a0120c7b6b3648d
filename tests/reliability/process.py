"""The bot as a real `leaguebot run` process against an in-process sandbox: started, killed with
SIGKILL, started again; and a settle that waits for the bot's answer in the chat, since a
process that may be dead cannot be asked whether it is idle."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import sys
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_ID, TOKEN


def write_config(folder: Path, *, base_url: str, db_path: Path) -> Path:
    """A config for the bot process: the demo admin, no quiet hours and no digest, so the time
    of day the suite runs at changes nothing."""
    config = folder / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{base_url}"\npoll_timeout = 1\n'
        f'[storage]\npath = "{db_path}"\n'
        f"[bot]\nadmins = [{ADMIN_ID}]\nerror_report_interval = 0\n"
        '[delivery]\nquiet_start = "00:00"\nquiet_end = "00:00"\n'
        "[digest]\nenabled = false\n"
        '[logging]\nlevel = "WARNING"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)  # it holds the token: the bot warns about a config others can read
    return config


async def no_settle(client: SandboxClient, update_id: int) -> None:
    """Hands the action over and returns: for sending many at once, or an answer that comes
    only later."""


class BotProcess:
    """`python -m bot.cli run --config ...`, started and stopped by the test."""

    def __init__(
        self, config: Path, sandbox: SandboxServer, log: Path, *, disk_may_fill: bool = False
    ) -> None:
        self._config = config
        self._sandbox = sandbox
        self._log = log
        # A process over its file size limit is killed by SIGXFSZ unless it ignores it; then
        # the write fails with EFBIG, which SQLite reports as a full disk.
        self._preexec = _ignore_file_size_signal if disk_may_fill else None
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    def _polls(self) -> int:
        return self._sandbox.state.activity.by_method["getUpdates"]

    async def start(self) -> None:
        """Starts the process and returns once it polls the sandbox."""
        before = self._polls()
        with self._log.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--config",
                str(self._config),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
                preexec_fn=self._preexec,
                env={k: v for k, v in os.environ.items() if not k.startswith("LEAGUEBOT_")},
            )
        self.starts += 1
        for _ in range(1200):
            if self._polls() > before:
                return
            if self._process.returncode is not None:
                break
            await asyncio.sleep(0.01)
        raise AssertionError(f"the bot process never polled the sandbox; see {self._log}")

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def limit_file_size(self, size: int | None) -> None:
        """From now on the process cannot make any file larger than `size` bytes (None: no
        limit): the disk is full, for this process only."""
        _, hard = resource.prlimit(self.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(
            self.pid,
            resource.RLIMIT_FSIZE,
            (resource.RLIM_INFINITY if size is None else size, hard),
        )

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        await self._process.wait()
        assert self._process.returncode == -signal.SIGKILL
        self.kills += 1

    async def close(self) -> None:
        """Whatever happened in the test, no bot process outlives it."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()

    async def stop(self) -> int:
        """SIGTERM, the way an operator stops it; returns the exit code."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self._process.wait(), timeout=30)


def _ignore_file_size_signal() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class AnsweredSettle:
    """Waits until the bot has answered an update in its chat and the chat has been still for
    a moment; gives up quietly after `within` seconds (the bot may have died with the update,
    and the person sees no answer), counting the actions left unanswered."""

    def __init__(self, sandbox: SandboxServer, *, within: float = 4.0) -> None:
        self._state = sandbox.state
        self._within = within
        self.unanswered = 0

    async def __call__(self, client: SandboxClient, update_id: int) -> None:
        record = self._state.updates[update_id]
        try:
            await asyncio.wait_for(self._state.answered(record), timeout=self._within)
        except TimeoutError:
            self.unanswered += 1
            return
        chat = self._state.chats.get((record.bot_id, record.chat_id or 0))
        if chat is None:
            return

        def seen() -> tuple[int, int]:
            return len(chat.messages), sum(m.edit_count for m in chat.messages)

        last, still = seen(), 0
        for _ in range(50):
            if still == 8:
                return
            await asyncio.sleep(0.02)
            now = seen()
            still = still + 1 if now == last else 0
            last = now
