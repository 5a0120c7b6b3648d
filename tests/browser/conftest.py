"""Browser tests: people use the web chat in headless Chromium against a real sandbox and bot.

Debian's chromium at /usr/bin/chromium is driven by Playwright (never `playwright install`).
Without it every browser test is skipped with one reason, and the run's summary says so.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    async_playwright,
    expect,
)

from bot.app import LeagueApp
from bot.clock import ManualClock
from bot.config import Settings
from sandbox.client import SandboxClient
from sandbox.demo import BotClockBridge, add_demo_people, grant_demo_cadres
from sandbox.server import SandboxServer
from storage.database import Database
from tests.browser.pages import ARTIFACTS, ChatPage
from tests.conftest import START, bot_settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped; apt-get install chromium"
# The network is closed; without these Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
expect.set_options(timeout=10_000)

_FAILED = pytest.StashKey[bool]()
_skipped_for_browser: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remembers a failed test so that its pages are photographed for the artefacts."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    if report.skipped and SKIP_REASON in str(report.longrepr):
        _skipped_for_browser.append(item.nodeid)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says plainly, at the end of the run, that the browser tests did not run."""
    if _skipped_for_browser:
        terminalreporter.write_sep("=", "browser tests", yellow=True, bold=True)
        terminalreporter.write_line(f"{len(_skipped_for_browser)} skipped. {SKIP_REASON}")


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium, or a skip that says how to get it."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


class Web:
    """Opens pages of the web chat in one browser profile, as one person at a desk would."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        # Script errors and native dialogs in any tab: the page must never have either.
        self.errors: list[str] = []
        context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        async def dismiss(dialog: Dialog) -> None:
            self.errors.append(f"unexpected {dialog.type} dialog: {dialog.message}")
            await dialog.dismiss()

        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("dialog", dismiss)

    async def open(self, path: str = "/") -> ChatPage:
        """A new tab at this address of the sandbox."""
        page = await self.context.new_page()
        await page.goto(self.base_url + path)
        return ChatPage(page)

    async def open_chat(self, user_id: int) -> ChatPage:
        """A new tab on this person's chat, once its history has loaded."""
        chat = await self.open(f"/#/chat/{user_id}")
        await expect(chat.page.locator("#acting-as")).not_to_have_text("")
        return chat


async def _web(
    request: pytest.FixtureRequest, browser: Browser, base_url: str
) -> AsyncIterator[Web]:
    context = await browser.new_context(
        viewport={"width": 1000, "height": 760},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    # A step that can't happen fails in seconds, not after Playwright's default half-minute.
    context.set_default_timeout(10_000)
    web = Web(context, base_url)
    try:
        yield web
        assert web.errors == [], "the page misbehaved"
    finally:
        if request.node.stash.get(_FAILED, False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = request.node.name.replace("/", "_")
            for number, page in enumerate(context.pages, start=1):
                await page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}-{number}.png"))
        await context.close()


# --- a real bot over the demo data, as `leaguebot sandbox` runs it


@pytest.fixture
async def demo_world(demo_db: Path) -> Path:
    """The demo org tree with the demo cadres appointed (王书记, 赵书记)."""
    async with Database(demo_db) as db:
        await grant_demo_cadres(db, now=START)
    return demo_db


@pytest.fixture
def settings(sandbox: SandboxServer, demo_world: Path) -> Settings:
    return bot_settings(sandbox.url, demo_world)


@pytest.fixture
async def demo_sandbox(sandbox: SandboxServer, bot: LeagueApp, clock: ManualClock) -> str:
    """The sandbox with the demo people, its clock bridged to the bot's, as the CLI wires it."""
    async with SandboxClient(sandbox.url) as client:
        await add_demo_people(client)
    sandbox.clock.connect(BotClockBridge(bot, clock))
    return sandbox.url


@pytest.fixture
async def web(
    request: pytest.FixtureRequest, browser: Browser, demo_sandbox: str
) -> AsyncIterator[Web]:
    """Pages of the web chat of a sandbox running the real bot."""
    async for pages in _web(request, browser, demo_sandbox):
        yield pages


@pytest.fixture
async def bare_web(
    request: pytest.FixtureRequest, browser: Browser, sandbox: SandboxServer
) -> AsyncIterator[Web]:
    """Pages of the web chat of a sandbox without the project's bot (tests bring their own)."""
    async for pages in _web(request, browser, sandbox.url):
        yield pages


def shanghai(moment: datetime) -> str:
    """A moment as the page's clock shows it."""
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
