"""Runs CPU-heavy jobs in a separate low-priority process that gives way to the bot.

One worker process, spawned on the first job and kept for the next ones (it ends with the bot's
process), runs a job (a picklable function and its picklable argument) at nice +10 and, on
Linux, SCHED_IDLE. The bot's event loop, its database connection and its share of the CPU stay
with the chats while a job works; a job that loops over many rows calls `give_way()` every so
often to wait while the bot's event loop is running. A job may allocate at most
MEMORY_LIMIT_BYTES; past it, it raises MemoryError (raised to the caller).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")
_LOGGER = logging.getLogger(__name__)


class WorkerStopped(Exception):
    """The worker process stopped (killed, out of memory) twice while running one job."""


class Abandoned(WorkerStopped):
    """The bot is stopping: the job was given up rather than waited for."""


class IdleProcess:
    """One worker process at a lower CPU priority, started on the first job and kept."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._workers: set[int] = set()
        self._abandoning = False

    async def run(self, job: Callable[[ArgT], ResultT], argument: ArgT) -> ResultT:
        """Runs `job(argument)` in the worker; a worker found dead (killed, out of memory) is
        replaced and the job tried once more in a new one. What the job raises is raised here;
        a job given up because the bot is stopping raises Abandoned."""
        for attempt in (1, 2):
            if self._abandoning:
                raise Abandoned(f"the bot is stopping; {_name(job)} was not run")
            pool = self._started()
            try:
                return await asyncio.wrap_future(_submit(pool, job, argument, self._workers))
            except BrokenProcessPool:
                self._drop(pool)
                if self._abandoning:
                    raise Abandoned(f"the bot stopped while running {_name(job)}") from None
                _LOGGER.warning(
                    "the idle process stopped running %s (attempt %d)", _name(job), attempt
                )
        raise WorkerStopped(f"the idle process stopped twice running {_name(job)}")

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Never fork a process that runs an event loop and threads: start a fresh one.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(_idle_nice(), os.getpid()),
            )
        return self._pool

    def abandon(self) -> None:
        """The bot is stopping: the job running now is given up at once (its worker is killed)
        instead of being waited for, and no new one starts until `stop()`."""
        self._abandoning = True
        for pid in self._workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Ends the worker (the bot is stopping); the next job would start another."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self._workers.clear()
        self._abandoning = False

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        pool.shutdown(wait=False)


# The bot starts one worker for all its CPU-heavy jobs: they wait for each other, not the chats.
_SHARED = IdleProcess()


async def run_idle(job: Callable[[ArgT], ResultT], argument: ArgT) -> ResultT:
    """Runs `job(argument)` in the bot's idle process (see `IdleProcess.run`)."""
    return await _SHARED.run(job, argument)


def abandon_idle_jobs() -> None:
    """Gives up the job the bot's idle process is running (the bot is stopping)."""
    _SHARED.abandon()


def stop_idle_process() -> None:
    """Ends the bot's idle process, if one was started. A process must do this before it exits
    if it is itself a multiprocessing worker (which skips the interpreter's own clean-up)."""
    _SHARED.stop()


def _name(job: Callable[..., object]) -> str:
    return getattr(job, "__qualname__", repr(job))


def _submit(
    pool: ProcessPoolExecutor, job: Callable[[ArgT], ResultT], argument: ArgT, workers: set[int]
) -> Future[ResultT]:
    """Hands the job to the pool. A process the pool starts for it (the bot starts no other) is
    lowered at once, from here: its own initializer runs only after it has imported the bot's
    main module again, as spawn does, over a second of CPU taken at the chats' priority."""
    before = {child.pid for child in multiprocessing.active_children()}
    future = pool.submit(job, argument)
    for child in multiprocessing.active_children():
        if child.pid is not None and child.pid not in before:
            _lower_priority(child.pid, _idle_nice())
            workers.add(child.pid)
    return future


def _idle_nice() -> int:
    """The worker's nice value: 10 below the bot's priority (19 at most)."""
    return min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)


def _lower_priority(pid: int, nice: int) -> None:
    """The worker (pid 0: the calling process) runs when the bot and everything else on the
    machine have nothing to do (Linux's SCHED_IDLE), or at least at a lower priority elsewhere.
    Both settings are absolute, so lowering a process twice changes nothing."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))


# A job gives way to the chats: when it calls give_way() it looks whether the bot's event loop
# is running (Linux's task state R, in /proc) and waits while it is, up to GIVE_WAY_MAX_S at a
# time, so that under a steady load it still moves on. SCHED_IDLE keeps the worker off a CPU the
# bot wants; this keeps it from running beside the bot on the other one, where the two share the
# machine's caches while an answer is being made. A bot waiting for Telegram's answers is asleep,
# not running, so waiting chats do not hold the job up.
GIVE_WAY_MAX_S = 0.05
_GIVE_WAY_POLL_S = 0.001
# In the worker: /proc's status line of the bot's main thread (its event loop).
_bot_stat: Path | None = None


# What a job may allocate: far above an export of 100,000 members, far below the machine, so
# a file built to expand (a workbook that unpacks to gigabytes) ends in MemoryError in the job.
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024


def _start_worker(nice: int, bot_pid: int) -> None:
    global _bot_stat
    # Ctrl-C reaches the whole process group: the bot stops its worker itself, so the worker
    # does not end with a KeyboardInterrupt traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lower_priority(0, nice)
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = (
            MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
        )
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    stat = Path(f"/proc/{bot_pid}/task/{bot_pid}/stat")
    _bot_stat = stat if stat.exists() else None


def _bot_running() -> bool:
    """Whether the bot's event loop is on a CPU or waiting for one (task state R)."""
    if _bot_stat is None:
        return False
    try:
        line = _bot_stat.read_bytes()
    except OSError:
        return False
    # "pid (name) state ...": the name may hold anything, so the state follows the last ")".
    state = line.rindex(b")") + 2
    return line[state : state + 1] == b"R"


def give_way() -> int:
    """In a job: waits while the bot's event loop is running (at most GIVE_WAY_MAX_S); 1 if it
    waited. Outside the idle process it never waits."""
    if not _bot_running():
        return 0
    until = time.monotonic() + GIVE_WAY_MAX_S
    while time.monotonic() < until:
        time.sleep(_GIVE_WAY_POLL_S)
        if not _bot_running():
            break
    return 1
