"""Steps a person takes in the chat, shared by the journey tests."""

from __future__ import annotations

from sandbox.client import ChatUser, SandboxClient

ZH = {
    "agree": "✅ 同意并继续",
    "confirm": "✅ 确认提交",
    "edit": "✏️ 修改",
    "league_member": "共青团员",
    "youth": "青年",
}


async def register(
    person: ChatUser,
    *,
    name: str = "张晓明",
    birth: str = "2001-05-04",
    phone: str = "13800138000",
    street: str = "📂 东湖街道团工委",
    branch: str = "湖滨社区团支部",
    league_member: bool = True,
    joined: str = "2016-05-04",
) -> None:
    """Goes through the whole Chinese registration wizard with valid answers."""
    await person.send("/start")
    await person.press(ZH["agree"])
    await person.send(name)
    await person.send(birth)
    await person.send(phone)
    await person.press(street)
    await person.press(branch)
    await person.press(ZH["league_member"] if league_member else ZH["youth"])
    if league_member:
        await person.send(joined)
    await person.press(ZH["confirm"])


async def person(telegram: SandboxClient, name: str, language: str = "zh-hans") -> ChatUser:
    return await telegram.user(name, language_code=language)
