"""Names with HTML characters are shown exactly on buttons too: Telegram shows a button's label
as plain text, so nothing escaped for a message may reach a label."""

from __future__ import annotations

from bot.domain.authz import Role
from sandbox.client import SandboxClient
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import person, register
from tests.journeys.training_steps import publish

NAME = "A&B<小>"


async def test_a_member_name_with_html_characters_is_exact_on_the_cadres_buttons(
    telegram: SandboxClient, db
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    member = await person(telegram, "成员")
    await register(member, name=NAME)
    await wang.send("/pending")
    labels = [label for row in wang.last_message().buttons for label in row]
    assert any(NAME in label for label in labels), labels
    assert not any("&amp;" in label or "&lt;" in label for label in labels), labels


async def test_a_training_title_with_html_characters_is_exact_on_its_button(
    telegram: SandboxClient, bot, db
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await publish(bot, db, wang.id, title="团校 <一期> & 实践")
    member = await person(telegram, "成员")
    await register(member, name="张三")
    await member.send("/trainings")
    labels = [label for row in member.last_message().buttons for label in row]
    assert any("团校 <一期> & 实践" in label for label in labels), labels
