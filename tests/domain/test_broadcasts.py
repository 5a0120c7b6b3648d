"""Rules of broadcasts: the state machine, the text's length, typed send times, filters, the
wizard's draft."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.broadcasts import (
    Audience,
    BroadcastDraft,
    BroadcastState,
    Command,
    NotNow,
    ReviewFilter,
    StatusFilter,
    Step,
    check_text,
    controls,
    excerpt,
    next_state,
    parse_send_time,
    states_allowing,
)
from bot.domain.models import MemberStatus, ReviewState
from bot.domain.validation import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai


def test_a_broadcast_runs_pauses_resumes_and_finishes():
    state = next_state(BroadcastState.DRAFT, Command.START)
    assert state is BroadcastState.RUNNING
    state = next_state(state, Command.PAUSE)
    assert state is BroadcastState.PAUSED
    assert next_state(state, Command.RESUME) is BroadcastState.RUNNING
    assert next_state(BroadcastState.RUNNING, Command.FINISH) is BroadcastState.DONE


def test_a_scheduled_broadcast_starts_or_is_cancelled_but_cannot_be_paused():
    assert next_state(BroadcastState.DRAFT, Command.SCHEDULE) is BroadcastState.SCHEDULED
    assert next_state(BroadcastState.SCHEDULED, Command.START) is BroadcastState.RUNNING
    assert next_state(BroadcastState.SCHEDULED, Command.CANCEL) is BroadcastState.CANCELLED
    with pytest.raises(NotNow):
        next_state(BroadcastState.SCHEDULED, Command.PAUSE)


@pytest.mark.parametrize("state", [BroadcastState.DONE, BroadcastState.CANCELLED])
@pytest.mark.parametrize("command", list(Command))
def test_nothing_moves_a_finished_broadcast(state, command):
    assert state.is_final
    assert controls(state) == []
    with pytest.raises(NotNow):
        next_state(state, command)


def test_the_buttons_follow_the_state():
    assert controls(BroadcastState.RUNNING) == [Command.PAUSE, Command.CANCEL]
    assert controls(BroadcastState.PAUSED) == [Command.RESUME, Command.CANCEL]
    assert controls(BroadcastState.SCHEDULED) == [Command.CANCEL]
    assert set(states_allowing(Command.CANCEL)) == {
        BroadcastState.SCHEDULED,
        BroadcastState.RUNNING,
        BroadcastState.PAUSED,
    }


def test_a_text_of_4096_characters_fits_and_one_more_is_refused_saying_how_much_to_cut():
    check_text("团" * 4096)
    with pytest.raises(InvalidInput) as refused:
        check_text("团" * 4100)
    assert refused.value.code == "broadcast.text_too_long"
    assert refused.value.params == {"length": 4100, "limit": 4096, "over": 4}


def test_characters_outside_the_basic_plane_count_twice_as_telegram_counts_them():
    with pytest.raises(InvalidInput) as refused:
        check_text("🎉" * 2049)
    assert refused.value.params["over"] == 2


def test_an_empty_text_is_refused():
    with pytest.raises(InvalidInput, match=r"broadcast\.text_empty"):
        check_text("  \n ")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01 09:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("12-01 09:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026/12/1 9:05", datetime(2026, 12, 1, 1, 5, tzinfo=UTC)),
        ("12月1日 9：30", datetime(2026, 12, 1, 1, 30, tzinfo=UTC)),
        ("11-28 16:01", datetime(2026, 11, 28, 8, 1, tzinfo=UTC)),
    ],
)
def test_a_send_time_is_read_in_the_committees_time_zone(typed, expected):
    assert parse_send_time(typed, now=NOW, tz=SHANGHAI) == expected


def test_a_past_send_time_is_refused_with_the_current_time():
    with pytest.raises(InvalidInput) as refused:
        parse_send_time("11-28 15:59", now=NOW, tz=SHANGHAI)
    assert refused.value.code == "broadcast.time_past"
    assert refused.value.params == {"at": "2026-11-28 15:59", "now": "2026-11-28 16:00"}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("tomorrow", "broadcast.time_format"),
        ("2026-12-01", "broadcast.time_format"),
        ("02-30 09:00", "broadcast.time_impossible"),
        ("12-01 25:00", "broadcast.time_impossible"),
        ("2028-12-01 09:00", "broadcast.time_too_far"),
    ],
)
def test_unreadable_impossible_and_far_off_times_are_refused(typed, code):
    with pytest.raises(InvalidInput) as refused:
        parse_send_time(typed, now=NOW, tz=SHANGHAI)
    assert refused.value.code == code


def test_filters_name_the_statuses_and_review_states_they_keep():
    assert set(StatusFilter.LEAGUE.statuses()) == {
        MemberStatus.LEAGUE_MEMBER,
        MemberStatus.LEAGUE_CADRE,
    }
    assert StatusFilter.YOUTH.statuses() == [MemberStatus.YOUTH]
    assert set(StatusFilter.ALL.statuses()) == set(MemberStatus)
    assert ReviewFilter.PENDING.review_states() == [ReviewState.PENDING]
    assert set(ReviewFilter.ALL.review_states()) == set(ReviewState)


def test_an_excerpt_is_plain_text_on_one_line():
    assert excerpt("<b>开会</b>\n时间：&lt;周六&gt;") == "开会 时间：<周六>"
    assert excerpt("通" * 100, limit=10) == "通" * 9 + "…"


def test_each_change_of_state_is_named_in_the_audit_log_in_the_past_tense():
    assert [command.audited_as for command in Command] == [
        "broadcast.scheduled",
        "broadcast.started",
        "broadcast.paused",
        "broadcast.resumed",
        "broadcast.cancelled",
        "broadcast.finished",
    ]


def test_the_wizard_draft_names_its_step_and_back_at_the_preview_the_time_is_chosen_anew():
    draft = BroadcastDraft().written("<b>通知</b>", Audience(unit_id=7))
    assert (draft.next_step(), draft.text) == (Step.AUDIENCE, "<b>通知</b>")
    timed = draft.previewed().sent_later().sent_at(NOW)
    assert (timed.next_step(), timed.send_at) == (Step.CONFIRM, NOW)
    back = timed.back_to(Step.PREVIEW)
    assert (back.next_step(), back.send_at) == (Step.PREVIEW, None)
    assert back.sent_now().next_step() is Step.CONFIRM
    assert back.back_to(Step.AUDIENCE).audience == Audience(unit_id=7)
