"""The reliability suite checks the database's invariants after every test, and keeps the
figures each test measured (faults injected, kills survived, inputs tried, deliveries lost)
in test-artifacts/reliability/, where the README's figures come from."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.reliability.invariants import violations

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"

Figures = Callable[..., None]


@pytest.fixture(autouse=True)
async def consistent_database(db_path: Path) -> AsyncIterator[None]:
    """Whatever the test did to the bot, its database holds together afterwards."""
    yield
    if await asyncio.to_thread(db_path.exists):
        assert await violations(db_path) == []


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    """Records what a test measured: printed, and written to test-artifacts/reliability/."""

    def record(**values: object) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name
        (ARTIFACTS / f"{name}.json").write_text(
            json.dumps(values, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"\n{name}: " + " ".join(f"{key}={value}" for key, value in values.items()))

    return record
