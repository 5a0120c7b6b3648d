"""The delivery engine against the sandbox enforcing Telegram's limits: nothing lost, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import running_bot
from sandbox.client import SandboxClient
from storage.outbox import OutboxRepository
from tests.conftest import bot_settings, settle_with
from tests.journeys.delivery_steps import received, recipients


async def _send_to(bot, user_ids: list[int], text: str, *, urgent: bool = False) -> None:
    outbox = bot.bot_data.services.outbox
    await outbox.send(
        *(
            outbox.message(chat_id=uid, telegram_user_id=uid, kind="test", text=text, urgent=urgent)
            for uid in user_ids
        )
    )


async def _states(db) -> dict[str, int]:
    rows = await db.fetch_all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def test_a_hundred_messages_arrive_once_each_without_flood_errors(sandbox, bot, telegram, db):
    people = await recipients(sandbox, db, 120)
    await _send_to(bot, people, "团区委通知：周六上午九点团课")
    await bot.bot_data.delivery.wait_idle(within=60)
    assert all(received(sandbox, uid, "团区委通知：周六上午九点团课") == 1 for uid in people)
    activity = await telegram.activity()
    assert activity["errors"].get("429", 0) == 0
    assert await _states(db) == {"sent": 120}


async def test_a_storm_of_429_delays_delivery_but_loses_nothing(sandbox, bot, telegram, db):
    people = await recipients(sandbox, db, 30)
    await telegram.change_settings(storm_429_rate=0.3, storm_retry_after_s=1, seed=7)
    await _send_to(bot, people, "风暴中的通知")
    await bot.bot_data.delivery.wait_idle(within=90)
    await telegram.change_settings(storm_429_rate=0.0)
    assert (await telegram.activity())["errors"].get("429", 0) > 0
    assert all(received(sandbox, uid, "风暴中的通知") == 1 for uid in people)
    assert await _states(db) == {"sent": 30}


async def test_people_who_blocked_the_bot_are_unreachable_and_not_tried_again(
    sandbox, bot, telegram, db
):
    people = await recipients(sandbox, db, 5)
    blocked = people[:2]
    for uid in blocked:
        await telegram.request("POST", f"/users/{uid}/block")
    await _send_to(bot, people, "通知")
    await bot.bot_data.delivery.wait_idle()
    rows = await db.fetch_all(
        "SELECT telegram_user_id, state, attempts FROM outbox ORDER BY telegram_user_id"
    )
    assert [(r["state"], r["attempts"]) for r in rows] == [("unreachable", 1)] * 2 + [
        ("sent", 1)
    ] * 3
    flags = await db.fetch_all(
        "SELECT telegram_user_id, reachable FROM accounts WHERE telegram_user_id IN (?, ?)",
        tuple(blocked),
    )
    assert {r["reachable"] for r in flags} == {0}
    # Writing to the bot again makes a person reachable again.
    again = await telegram.user("团员0", user_id=blocked[0])
    await telegram.request("POST", f"/users/{blocked[0]}/unblock")
    await again.send("/help")
    row = await db.fetch_one(
        "SELECT reachable FROM accounts WHERE telegram_user_id = ?", (blocked[0],)
    )
    assert row["reachable"] == 1


async def test_server_errors_are_retried_and_a_hopeless_message_is_recorded_failed(
    sandbox, demo_db, clock
):
    settings = bot_settings(
        sandbox.url, demo_db, delivery={"retry_base_seconds": 0.01, "max_attempts": 4}
    )
    async with running_bot(settings, clock=clock, poll_timeout=1) as app:
        telegram = SandboxClient(sandbox.url, settle=settle_with(app))
        from storage.database import Database

        async with Database(demo_db) as db:
            people = await recipients(sandbox, db, 20)
            await telegram.change_settings(error_5xx_rate=0.3, seed=3)
            await _send_to(app, people, "重试通知")
            await app.bot_data.delivery.wait_idle(within=60)
            await telegram.change_settings(error_5xx_rate=1.0)
            await _send_to(app, [people[0]], "注定失败")
            await app.bot_data.delivery.wait_idle(within=60)
            await telegram.change_settings(error_5xx_rate=0.0)
            retried = await db.fetch_all(
                "SELECT attempts FROM outbox WHERE text = '重试通知' AND state = 'sent'"
            )
            assert len(retried) == 20
            assert max(r["attempts"] for r in retried) > 1
            hopeless = await db.fetch_one(
                "SELECT state, attempts, last_error FROM outbox WHERE text = '注定失败'"
            )
            assert (hopeless["state"], hopeless["attempts"]) == ("failed", 4)
            assert hopeless["last_error"]
        await telegram.close()
    assert all(received(sandbox, uid, "重试通知") == 1 for uid in people)


async def test_a_stop_in_the_middle_loses_nothing_and_repeats_at_most_what_was_in_flight(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    from storage.database import Database

    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            people = await recipients(sandbox, db, 60)
            await _send_to(app, people, "重启前后的通知")
            # About half a second of sending at 30/s, then the bot stops.
            while len((await _states(db)).keys() - {"pending"}) == 0:
                import asyncio

                await asyncio.sleep(0.05)
            await asyncio.sleep(0.4)
        before = await _states(db)
        assert before.get("pending", 0) > 0
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            await app.bot_data.delivery.wait_idle(within=60)
        counts = [received(sandbox, uid, "重启前后的通知") for uid in people]
        assert min(counts) == 1
        # Only messages in flight at the stop (at most `concurrency`) may have gone twice.
        assert sum(count - 1 for count in counts) <= settings.delivery.concurrency
        assert await _states(db) == {"sent": 60}


async def test_messages_in_flight_at_a_crash_are_sent_after_the_restart(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    from storage.database import Database

    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            people = await recipients(sandbox, db, 3)
        outbox = OutboxRepository(db)
        now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
        service_message = app.bot_data.services.outbox.message
        await outbox.add(
            messages=[
                service_message(chat_id=uid, telegram_user_id=uid, kind="test", text="崩溃时在途")
                for uid in people
            ],
            now=now,
        )
        # A crash leaves rows marked as being sent.
        await db.execute("UPDATE outbox SET state = 'sending', attempts = 1")
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            await app.bot_data.delivery.wait_idle()
        assert all(received(sandbox, uid, "崩溃时在途") == 1 for uid in people)
        assert await _states(db) == {"sent": 3}


async def test_quiet_hours_hold_non_urgent_messages_until_morning(
    sandbox, bot, telegram, db, clock
):
    people = await recipients(sandbox, db, 2)
    # 23:00 in Shanghai.
    clock.set(datetime(2026, 11, 28, 15, 0, tzinfo=UTC))
    await _send_to(bot, people[:1], "明早再说")
    await _send_to(bot, people[1:], "紧急通知", urgent=True)
    await bot.bot_data.delivery.wait_idle()
    assert received(sandbox, people[0], "明早再说") == 0
    assert received(sandbox, people[1], "紧急通知") == 1
    # 07:59 — still quiet.
    clock.advance(timedelta(hours=8, minutes=59))
    await bot.bot_data.delivery.wait_idle()
    assert received(sandbox, people[0], "明早再说") == 0
    # 08:00 — morning.
    clock.advance(timedelta(minutes=1))
    await bot.bot_data.delivery.wait_idle()
    assert received(sandbox, people[0], "明早再说") == 1
