"""A reply Telegram refuses with a server error is sent again, late rather than lost; one that
may have arrived (the answer timed out) is not, so nobody gets it twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.authz import Role
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.conftest import bot_settings
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import ZH, person

READ_TIMEOUT = 0.5


@pytest.fixture
def settings(sandbox: SandboxServer, demo_db: Path) -> Settings:
    return bot_settings(sandbox.url, demo_db, telegram={"read_timeout": READ_TIMEOUT})


async def _first_fault(telegram: SandboxClient, kind: str) -> None:
    for _ in range(500):
        if (await telegram.activity())["faults"].get(kind, 0):
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"no {kind} was injected")


async def test_a_reply_refused_with_a_server_error_arrives_late_instead_of_an_apology(
    sandbox: SandboxServer, telegram: SandboxClient, caplog: pytest.LogCaptureFixture
):
    ming = await person(telegram, "张晓明")
    await ming.send("/start")
    consent = ming.last_message()

    sandbox.update_settings(error_5xx_rate=1.0)
    pressed = await telegram.request(
        "POST",
        f"/users/{ming.id}/press",
        json={"message_id": consent.message_id, "callback_data": consent.button_data[0][0]},
    )
    await _first_fault(telegram, "5xx")
    sandbox.update_settings(error_5xx_rate=0.0)
    await telegram.settle(telegram, pressed["update_id"])
    await ming.refresh()

    assert ming.last_message().text.startswith("请点击下方“📱 分享手机号”按钮")
    assert not [r for r in caplog.records if r.name == "handlers.kit.errors"]


async def test_a_reply_whose_answer_timed_out_is_not_sent_twice(
    sandbox: SandboxServer, telegram: SandboxClient
):
    ming = await person(telegram, "张晓明")
    # The answer comes after the bot stopped waiting, but the message is delivered.
    sandbox.update_settings(timeout_rate=1.0, timeout_delay_s=2 * READ_TIMEOUT)
    said = await telegram.request("POST", f"/users/{ming.id}/messages", json={"text": "/start"})
    await _first_fault(telegram, "timeout")
    sandbox.update_settings(timeout_rate=0.0)
    await telegram.settle(telegram, said["update_id"])
    await ming.refresh()

    consents = [m for m in ming.messages() if m.from_bot and ZH["agree"] in str(m.buttons)]
    assert len(consents) == 1


async def test_a_press_that_changes_nothing_on_screen_is_not_an_error(
    telegram: SandboxClient, db, caplog: pytest.LogCaptureFixture
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/broadcast")
    await wang.send("团员大会通知")
    audience = wang.last_message()
    # 全部 is chosen already: Telegram refuses an edit to the same content.
    await wang.press("✓ 全部")

    await wang.refresh()
    assert wang.last_message() == audience
    assert not [r for r in caplog.records if r.name == "handlers.kit.errors"]
