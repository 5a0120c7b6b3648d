"""Random people doing random things: texts with HTML characters, emoji, right-to-left marks,
4,096-character messages and every command; presses of any button they were ever shown (stale
ones included); forged and mangled button data up to 5,000 characters; contacts. Whatever they
do, the bot's error handler never fires, every request the bot makes passes the sandbox's
Telegram checks (an edit to what a message already shows aside: Telegram answers that one "message
is not modified" and the bot takes it as done), and the database's invariants hold after every
example."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from bot.app import LeagueApp
from bot.domain.authz import Role
from sandbox.client import ChatUser, SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.conftest import settle_with
from tests.journeys.cadre_steps import admin, appoint
from tests.journeys.nomination_steps import member
from tests.journeys.review_steps import campaign_without_meeting, submitted
from tests.journeys.training_steps import publish
from tests.reliability.conftest import Figures
from tests.reliability.invariants import violations

EXAMPLES = 25
UNCHANGED = "Bad Request: message is not modified"
ACTIONS = 12
COMMANDS = [
    f"/{name}"
    for name in [
        "start",
        "help",
        "profile",
        "settings",
        "language",
        "cancel",
        "trainings",
        "mytrainings",
        "campaigns",
        "nominations",
        "transfer",
        "review",
        "nominate",
        "meeting",
        "broadcast",
        "broadcasts",
        "newtraining",
        "roster",
        "members",
        "pending",
        "cadres",
        "transfers",
        "audit",
        "invite",
        "import",
        "newcampaign",
        "export",
        "stats",
        "mydata",
        "deleteme",
    ]
]
# What people type into the wizards, valid or nearly so, so that random walks get somewhere.
ANSWERS = [
    "13800138000",
    "1380013800",
    "张晓明",
    "2001-05-04",
    "2001年5月4日",
    "2030-02-30",
    "2030-12-05 14:00",
    "16:00",
    "30",
    "1.5",
    "0",
    "-1",
    "区青少年宫",
]
TRICKY = [
    "<b>粗体</b>",
    "<a href='javascript:alert(1)'>点我</a>",
    "Tom & Jerry <3 </i>",
    "&amp;&lt;&gt;&#x1F600;",
    "😀👍🏻👨‍👩‍👧‍👦🇨🇳",
    "مرحبا بالعالم",
    "\u202e\u2066张晓明\u2069",
    "שלום <i>עולם</i>",
    "\x00\x07",
    "/start tr_99999",
    "/start ck_forged",
    "/start inv_forged",
    "/roster 99999",
    "/audit <script>",
    "字" * 4096,
    "a" * 4096,
    "😀" * 2048,
]
texts = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(ANSWERS),
    st.sampled_from(TRICKY),
    st.text(min_size=1, max_size=80).filter(lambda text: text.strip() != ""),
)
forged_data = st.one_of(
    st.text(min_size=0, max_size=64),
    st.text(alphabet="0123456789:_abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=64),
    st.just("x" * 5000),
)


@dataclass
class Cast:
    """The people of the fuzz run, and what the bot did wrong while they acted."""

    telegram: SandboxClient
    people: list[ChatUser]
    db: Database
    db_path: Path
    errors: list[logging.LogRecord]
    inputs: int = 0
    examples: int = 0
    unchanged_edits: int = 0


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@contextmanager
def _error_reports(into: list[logging.LogRecord]) -> Iterator[None]:
    """Everything the one error handler logs (it logs every update it was called for)."""
    handler = _Collect(into)
    logger = logging.getLogger("handlers.kit.errors")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@pytest.fixture
async def cast(
    sandbox: SandboxServer, bot: LeagueApp, db: Database, demo_db: Path, clock, figures: Figures
) -> AsyncIterator[Cast]:
    """A newcomer, a registered member with a nomination waiting, the branch secretary and
    the admin, with a training and a campaign to click through."""
    telegram = SandboxClient(sandbox.url, settle=settle_with(bot))
    chief = await admin(telegram)
    wang = await telegram.user("王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await publish(bot, db, wang.id, capacity=2)
    campaign = await campaign_without_meeting(bot)
    na = await member(telegram, db, "李娜", phone="13900139001")
    await submitted(db, campaign, na, clock=clock)
    ming = await telegram.user("张晓明")
    tom = await telegram.user("Tom", language_code="en")
    errors: list[logging.LogRecord] = []
    with _error_reports(errors):
        cast = Cast(telegram, [ming, na, wang, chief, tom], db, demo_db, errors)
        yield cast
    await telegram.close()
    activity = sandbox.state.activity
    figures(
        examples=cast.examples,
        inputs=cast.inputs,
        bot_api_requests=activity.requests_total,
        refused=activity.refused_total,
        unchanged_edits=cast.unchanged_edits,
        error_reports=len(errors),
    )


def _shown(user: ChatUser) -> list[tuple[int, str]]:
    """Every (message, callback data) the user was ever shown, newest first."""
    return [
        (message.message_id, data)
        for message in reversed(user.messages())
        if message.from_bot
        for row in message.button_data
        for data in row
        if data and not data.startswith(("http://", "https://", "tg://"))
    ]


def _mangle(data: str, rng: random.Random) -> str:
    """Button data a tampered client might send: ids changed, cut short, or extended."""
    digits = [i for i, char in enumerate(data) if char.isdigit()]
    choice = rng.randrange(4)
    if choice == 0 and digits:
        i = rng.choice(digits)
        return data[:i] + str(rng.randrange(10)) + data[i + 1 :]
    if choice == 1:
        return data[: rng.randrange(len(data))] or "x"
    if choice == 2:
        return data + rng.choice([":1", "9", ":-1", ":999999999"])
    return data.replace(":", ";", 1)


@dataclass(frozen=True)
class Action:
    """One thing a person does; drawn whole, before looking at the screen, so that what is
    drawn never depends on what the bot happened to show."""

    who: int
    kind: str
    pick: int
    recent: bool
    mangled: bool
    mangling: int
    forged: str
    text: str
    phone: str


actions = st.builds(
    Action,
    who=st.integers(0, 4),
    kind=st.sampled_from(["text", "text", "press", "press", "press", "forge", "contact"]),
    pick=st.integers(0, 2**16),
    recent=st.booleans(),
    mangled=st.booleans(),
    mangling=st.integers(0, 2**16),
    forged=forged_data,
    text=texts,
    phone=st.sampled_from(["", "13800138000", "+86 139 0013 9001"]),
)


async def _act(cast: Cast, action: Action) -> None:
    user = cast.people[action.who % len(cast.people)]
    await user.refresh()
    shown = _shown(user)
    # Mostly the newest buttons, sometimes one from long ago.
    choices = shown[:6] if action.recent else shown
    if action.kind in ("press", "forge") and choices:
        message_id, button = choices[action.pick % len(choices)]
        if action.kind == "press":
            await user.press_button(message_id, button)
        else:
            forged = (
                _mangle(button, random.Random(action.mangling)) if action.mangled else action.forged
            )
            await user.press_data(message_id, forged)
    elif action.kind == "contact":
        await user.share_contact(action.phone or user.phone_number)
    else:
        await user.send(action.text)
    cast.inputs += 1


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@seed(20261128)
@given(data=st.data())
async def test_random_people_never_break_the_bot(
    cast: Cast, sandbox: SandboxServer, data: st.DataObject
):
    activity = sandbox.state.activity
    refused_before = activity.refused_total
    cast.errors.clear()
    for _ in range(ACTIONS):
        await _act(cast, data.draw(actions))
    assert [record.getMessage() for record in cast.errors] == []
    new = activity.refused_total - refused_before
    refusals = list(activity.refusals)[-new:] if new else []
    # Pressing a button that redraws the screen it is on asks Telegram for the same content:
    # Telegram says so, and the bot takes that answer as done. Anything else is a bug.
    unchanged = [r for r in refusals if r.description.startswith(UNCHANGED)]
    cast.unchanged_edits += len(unchanged)
    assert [(r.method, r.description) for r in refusals if r not in unchanged] == []
    assert await violations(cast.db_path, bot_stopped=False) == []
    cast.examples += 1
    note(f"inputs so far: {cast.inputs}")
