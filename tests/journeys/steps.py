"""Steps a person takes in the chat, shared by the journey tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sandbox.client import ChatUser, SandboxClient

ZH = {
    "agree": "✅ 同意并继续",
    "confirm": "✅ 确认提交",
    "edit": "✏️ 修改",
    "league_member": "共青团员",
    "youth": "青年",
}
# The wizard's steps in the order a member meets them.
STEPS = ("consent", "phone", "name", "birth_date", "branch", "status", "join_date", "summary")


async def fill_until(
    person: ChatUser,
    stop: str,
    *,
    name: str = "张晓明",
    birth: str = "2001-05-04",
    phone: str = "13800138000",
    street: str = "📂 东湖街道团工委",
    branch: str = "湖滨社区团支部",
    league_member: bool = True,
    joined: str = "2016-05-04",
) -> None:
    """Answers the Chinese wizard with valid answers from /start on, until `stop` is asked."""

    async def pick_branch() -> None:
        await person.press(street)
        await person.press(branch)

    answers: dict[str, Callable[[], Awaitable[None]]] = {
        "consent": lambda: person.press(ZH["agree"]),
        "name": lambda: person.send(name),
        "birth_date": lambda: person.send(birth),
        "phone": lambda: person.send(phone),
        "branch": pick_branch,
        "status": lambda: person.press(ZH["league_member"] if league_member else ZH["youth"]),
        "join_date": lambda: person.send(joined),
    }
    await person.send("/start")
    for step in STEPS[: STEPS.index(stop)]:
        if step == "join_date" and not league_member:
            continue
        await answers[step]()


async def register(person: ChatUser, **answers: object) -> None:
    """Goes through the whole Chinese registration wizard and confirms."""
    await fill_until(person, "summary", **answers)  # type: ignore[arg-type]
    await person.press(ZH["confirm"])


async def person(telegram: SandboxClient, name: str, language: str = "zh-hans") -> ChatUser:
    return await telegram.user(name, language_code=language)
