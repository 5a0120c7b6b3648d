"""The idle process runs any picklable job away from the bot, at the lowest priority the machine
has, and hands back its result or its error."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from bot.infra.idle_process import IdleProcess, give_way


def where_and_how(label: str) -> tuple[str, int, int, int]:
    """In the worker: the label back, with the worker's pid, nice value and scheduling policy."""
    return label, os.getpid(), os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0)


def refuse(reason: str) -> None:
    raise ValueError(reason)


@pytest.fixture
async def idle() -> AsyncIterator[IdleProcess]:
    process = IdleProcess()
    yield process
    await asyncio.to_thread(process.stop)


async def test_a_job_runs_in_another_process_that_only_gets_the_cpu_nobody_else_wants(
    idle: IdleProcess,
):
    label, pid, nice, policy = await idle.run(where_and_how, "roster")
    assert label == "roster"
    assert pid != os.getpid()
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    assert policy == os.SCHED_IDLE
    # The next job finds the same worker waiting.
    assert (await idle.run(where_and_how, "again"))[1] == pid


async def test_what_a_job_raises_reaches_the_caller_and_the_worker_stays(idle: IdleProcess):
    with pytest.raises(ValueError, match="a birth date no calendar has"):
        await idle.run(refuse, "a birth date no calendar has")
    assert (await idle.run(where_and_how, "next"))[0] == "next"


def test_outside_the_idle_process_giving_way_never_waits():
    assert give_way() == 0
