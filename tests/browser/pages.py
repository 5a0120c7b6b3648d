"""A person in the web chat, driven through headless Chromium the way they would use it.

ming = await web.open_chat(900101)
await ming.send("/start")
await ming.press("✅ 同意并继续")
await ming.sees("手机号")
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Locator, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


class ChatPage:
    """One browser tab showing one person's chat with the bot."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.messages = page.locator("#messages")

    @property
    def bot_messages(self) -> Locator:
        return self.messages.locator(".msg.in")

    @property
    def own_messages(self) -> Locator:
        return self.messages.locator(".msg.out")

    def last_from_bot(self) -> Locator:
        return self.bot_messages.last

    def bubble(self, text: str) -> Locator:
        """The message (bot's or own) whose bubble contains this text."""
        return self.messages.locator(".msg").filter(has_text=text)

    async def send(self, text: str) -> None:
        """Types into the text box and presses Enter; returns once the message shows."""
        before = await self.own_messages.count()
        box = self.page.locator("#text")
        await box.fill(text)
        await box.press("Enter")
        await expect(self.own_messages).to_have_count(before + 1)
        await expect(self.own_messages.last).to_contain_text(text)

    async def press(self, label: str) -> None:
        """Presses the newest inline button with exactly this label."""
        button = self.messages.locator(".inline-keyboard").get_by_role(
            "button", name=label, exact=True
        )
        await button.last.click()

    async def press_key(self, label: str) -> None:
        """Presses a button of the reply keyboard under the text box."""
        keyboard = self.page.locator("#reply-keyboard")
        await keyboard.get_by_role("button", name=label, exact=True).click()

    async def sees(self, text: str) -> None:
        """Waits until the bot's newest message contains this text."""
        await expect(self.last_from_bot()).to_contain_text(text)

    async def toast(self, text: str) -> None:
        """Waits until a toast (a callback answer) with this text shows."""
        await expect(self.page.locator("#toasts .toast").filter(has_text=text)).to_be_visible()

    async def screenshot(self, name: str) -> Path:
        """Saves what the person sees now as test-artifacts/browser/<name>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path
