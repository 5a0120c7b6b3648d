"""The nomination state machine, proven with hypothesis: random campaign rules and random steps
never reach an undefined state, never skip or repeat a review level, and the versioned
transitions on a real SQLite file yield exactly one change per version.

The second half drives `storage.nominations.transition_in` on a temporary database per example
with correct and stale versions; hypothesis keeps no example database (`database=None`).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bot.domain.nominations.campaigns import LEVEL_ORDER, CampaignKind, CampaignRules, ReviewLevel
from bot.domain.nominations.state import (
    FINAL,
    UNDER_REVIEW,
    IllegalStep,
    Nomination,
    NominationState,
    Step,
    awaiting,
    deciding_level,
    next_state,
)
from storage.database import Conflict, Database
from storage.store import Store

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@st.composite
def campaign_rules(draw: st.DrawFn) -> CampaignRules:
    """Any valid rules: a non-empty ordered subset of the levels, a branch meeting only with the
    branch level, 0 to 10 notice days."""
    chosen = draw(st.sets(st.sampled_from(LEVEL_ORDER), min_size=1))
    levels = tuple(level for level in LEVEL_ORDER if level in chosen)
    meeting = ReviewLevel.BRANCH in levels and draw(st.booleans())
    return CampaignRules(
        review_levels=levels,
        branch_meeting=meeting,
        notice_working_days=draw(st.integers(min_value=0, max_value=10)),
    )


# A press: how it is chosen, an index, and how many objections are open at that moment. Half
# the presses move the nomination forward when they can (so walks get deep into the review and
# the notice), a quarter pick any step the state allows, a quarter try any step at all.
STEPS = tuple(Step)
FORWARD = (Step.SUBMIT, Step.RESUBMIT, Step.APPROVE, Step.CONFIRM)
FORWARD_PRESS, ALLOWED_PRESS, ANY_PRESS = "forward", "allowed", "any"
moves = st.lists(
    st.tuples(
        st.sampled_from([FORWARD_PRESS, FORWARD_PRESS, ALLOWED_PRESS, ANY_PRESS]),
        st.integers(min_value=0, max_value=len(STEPS) - 1),
        st.integers(min_value=0, max_value=2),
    ),
    max_size=40,
)


class Walk:
    """Follows `next_state` through a sequence of steps and checks every promise on the way."""

    def __init__(self, rules: CampaignRules, start: NominationState) -> None:
        self.rules = rules
        self.state = start
        # the levels that approved since the last submit or resubmit
        self.approvals: list[ReviewLevel] = []

    def allowed(self, open_objections: int) -> list[Step]:
        allowed = []
        for step in STEPS:
            try:
                next_state(self.state, step, self.rules, open_objections=open_objections)
            except IllegalStep:
                continue
            allowed.append(step)
        return allowed

    def press(self, how: str, index: int, open_objections: int) -> None:
        allowed = self.allowed(open_objections)
        forward = [step for step in allowed if step in FORWARD]
        if how == FORWARD_PRESS and forward:
            self.take(forward[0], open_objections)
        elif how != ANY_PRESS and allowed:
            self.take(allowed[index % len(allowed)], open_objections)
        else:
            self.take(STEPS[index], open_objections)

    def take(self, step: Step, open_objections: int) -> None:
        before = self.state
        level = awaiting(before, self.rules)
        try:
            after = next_state(before, step, self.rules, open_objections=open_objections)
        except IllegalStep as refused:
            self._check_refusal(refused, level, open_objections)
            return
        assert isinstance(after, NominationState)
        assert not before.is_final, f"{step} moved the final state {before}"
        self.state = after
        self._check_move(before, step, after, level, open_objections)
        self._check_awaiting()

    def _check_refusal(
        self, refused: IllegalStep, level: ReviewLevel | None, objections: int
    ) -> None:
        before, step = refused.state, refused.step
        assert before is self.state
        if step in (Step.APPROVE, Step.REJECT, Step.RETURN):
            assert level is None, f"{step} refused while {level} had {before} on its desk"
        if step is Step.CONFIRM and before is NominationState.IN_NOTICE:
            assert objections > 0, "confirming a notice without objections was refused"

    def _check_move(
        self,
        before: NominationState,
        step: Step,
        after: NominationState,
        level: ReviewLevel | None,
        objections: int,
    ) -> None:
        match step:
            case Step.SUBMIT | Step.RESUBMIT:
                assert before is (
                    NominationState.DRAFT if step is Step.SUBMIT else NominationState.RETURNED
                )
                assert after is NominationState.SUBMITTED
                assert awaiting(after, self.rules) == self.rules.review_levels[0]
                self.approvals = []
            case Step.APPROVE:
                assert level is not None and deciding_level(before, step, self.rules) == level
                assert level not in self.approvals, f"{level} approved twice"
                self.approvals.append(level)
                expected = list(self.rules.review_levels[: len(self.approvals)])
                assert self.approvals == expected, f"levels {self.approvals}, not {expected}"
                if after in (NominationState.IN_NOTICE, NominationState.APPROVED):
                    assert self.approvals == list(self.rules.review_levels)
                    assert (after is NominationState.IN_NOTICE) == (
                        self.rules.notice_working_days > 0
                    )
                else:
                    assert after in UNDER_REVIEW
            case Step.REJECT | Step.RETURN:
                assert before in UNDER_REVIEW and level is not None
                assert after is (
                    NominationState.REJECTED if step is Step.REJECT else NominationState.RETURNED
                )
            case Step.WITHDRAW:
                assert after is NominationState.WITHDRAWN
            case Step.CONFIRM:
                assert before is NominationState.IN_NOTICE and objections == 0
                assert after is NominationState.APPROVED
            case Step.UPHOLD_OBJECTION:
                assert before is NominationState.IN_NOTICE
                assert after is NominationState.REJECTED

    def _check_awaiting(self) -> None:
        level = awaiting(self.state, self.rules)
        assert (level is None) == (self.state not in UNDER_REVIEW), (self.state, level)
        if level is not None:
            assert level in self.rules.review_levels


@settings(max_examples=300, deadline=None, database=None)
@given(
    rules=campaign_rules(),
    start=st.sampled_from([NominationState.DRAFT, NominationState.SUBMITTED]),
    steps=moves,
)
def test_no_sequence_of_steps_reaches_an_undefined_state_or_skips_a_level(rules, start, steps):
    walk = Walk(rules, start)
    for how, index, objections in steps:
        walk.press(how, index, objections)


@settings(max_examples=100, deadline=None, database=None)
@given(rules=campaign_rules(), step=st.sampled_from(Step), objections=st.integers(0, 3))
def test_final_states_accept_no_step(rules, step, objections):
    for state in FINAL:
        with pytest.raises(IllegalStep):
            next_state(state, step, rules, open_objections=objections)


@settings(max_examples=100, deadline=None, database=None)
@given(rules=campaign_rules(), approvals=st.integers(min_value=0, max_value=2))
def test_returning_and_resubmitting_starts_again_at_the_first_level(rules, approvals):
    state = NominationState.SUBMITTED
    for _ in range(min(approvals, len(rules.review_levels) - 1)):
        state = next_state(state, Step.APPROVE, rules)
    returned = next_state(state, Step.RETURN, rules)
    assert returned is NominationState.RETURNED
    assert awaiting(returned, rules) is None
    again = next_state(returned, Step.RESUBMIT, rules)
    assert again is NominationState.SUBMITTED
    assert awaiting(again, rules) == rules.review_levels[0]


@settings(max_examples=100, deadline=None, database=None)
@given(rules=campaign_rules(), objections=st.integers(min_value=1, max_value=5))
def test_a_notice_is_confirmed_only_with_no_open_objection(rules, objections):
    with pytest.raises(IllegalStep):
        next_state(NominationState.IN_NOTICE, Step.CONFIRM, rules, open_objections=objections)
    assert (
        next_state(NominationState.IN_NOTICE, Step.CONFIRM, rules, open_objections=0)
        is NominationState.APPROVED
    )
    assert (
        next_state(
            NominationState.IN_NOTICE, Step.UPHOLD_OBJECTION, rules, open_objections=objections
        )
        is NominationState.REJECTED
    )


def test_the_three_levels_decide_in_order_and_then_the_notice_starts():
    rules = CampaignRules()
    state = NominationState.SUBMITTED
    seen = []
    while state in UNDER_REVIEW:
        seen.append(awaiting(state, rules))
        state = next_state(state, Step.APPROVE, rules)
    assert seen == [ReviewLevel.BRANCH, ReviewLevel.COMMITTEE, ReviewLevel.DISTRICT]
    assert state is NominationState.IN_NOTICE


def test_a_campaign_without_the_committee_goes_from_the_branch_to_the_district():
    rules = CampaignRules(review_levels=(ReviewLevel.BRANCH, ReviewLevel.DISTRICT))
    passed = next_state(NominationState.SUBMITTED, Step.APPROVE, rules)
    assert passed is NominationState.BRANCH_PASSED
    assert awaiting(passed, rules) is ReviewLevel.DISTRICT
    assert next_state(passed, Step.APPROVE, rules) is NominationState.IN_NOTICE


def test_without_notice_days_the_last_approval_is_final():
    rules = CampaignRules(review_levels=(ReviewLevel.DISTRICT,), branch_meeting=False)
    rules = rules.model_copy(update={"notice_working_days": 0})
    assert next_state(NominationState.SUBMITTED, Step.APPROVE, rules) is NominationState.APPROVED


# -- the versioned transitions on a real database --------------------------------------------


_SETUP = (
    "INSERT INTO org_units (id, parent_id, kind, code, name, path, created_at)"
    " VALUES (1, NULL, 'district', 'D', '区团委', '/1/', :now),"
    " (2, 1, 'branch', 'B', '<b>湖滨</b> & 团支部', '/1/2/', :now)",
    "INSERT INTO members (id, telegram_user_id, name, birth_date, org_unit_id, status,"
    " league_join_date, created_at, updated_at)"
    " VALUES (1, 42, '张晓明', '2000-05-04', 2, 'league_member', '2015-05-04', :now, :now)",
)
CADRE = 77


class NominationStorage(RuleBasedStateMachine):
    """One nomination on its own database file; steps taken with the version just read succeed
    exactly when the state machine allows them, steps with any other version change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="nominations-"))
        self.loop = asyncio.new_event_loop()
        self.db = Database(self.folder / "n.db")
        self.rules = CampaignRules()
        self.nomination: Nomination | None = None
        self.state = NominationState.DRAFT
        self.successes: Counter[Step] = Counter()
        self.now = NOW

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        try:
            self.run(self.db.close())
        finally:
            self.loop.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(
        rules=campaign_rules(),
        start=st.sampled_from([NominationState.DRAFT, NominationState.SUBMITTED]),
    )
    def open_a_nomination(self, rules: CampaignRules, start: NominationState) -> None:
        self.rules, self.state = rules, start
        self.nomination = self.run(self._create(rules, start))

    async def _create(self, rules: CampaignRules, start: NominationState) -> Nomination:
        await self.db.connect()
        await self.db.migrate()
        async with self.db.transaction() as sql:
            for statement in _SETUP:
                await sql.execute(statement, {"now": NOW.isoformat()})
            tx = Store(sql)
            campaign_id = await tx.campaigns.create(
                kind=CampaignKind.ACTIVIST,
                title="2026年度推优",
                honour="",
                rules=rules,
                opens_at=NOW,
                closes_at=NOW + timedelta(days=30),
                scope_unit_id=1,
                created_by=CADRE,
                now=NOW,
            )
            return await tx.nominations.create(
                campaign_id=campaign_id,
                member_id=1,
                branch_id=2,
                nominator_user_id=42,
                self_applied=True,
                reason="积极参加志愿服务",
                state=start,
                now=NOW,
            )

    async def _transition(self, seen: Nomination, step: Step, to_state: NominationState):
        self.now += timedelta(minutes=7)
        return await Store(self.db).nominations.transition(
            nomination=seen,
            step=step,
            to_state=to_state,
            actor_user_id=CADRE,
            now=self.now,
            level=deciding_level(seen.state, step, self.rules),
            comment=f"{step.value} <i>ok</i>",
        )

    async def _read(self) -> Nomination:
        assert self.nomination is not None
        return await Store(self.db).nominations.get(nomination_id=self.nomination.id)

    def _allowed(self, step: Step) -> NominationState | None:
        try:
            return next_state(self.state, step, self.rules)
        except IllegalStep:
            return None

    @precondition(lambda self: self.nomination is not None and not self.state.is_final)
    @rule(index=st.integers(min_value=0, max_value=len(STEPS) - 1))
    def step_with_the_version_just_read(self, index: int) -> None:
        allowed = [step for step in STEPS if self._allowed(step) is not None]
        step = allowed[index % len(allowed)]
        to_state = self._allowed(step)
        assert to_state is not None
        seen = self.run(self._read())
        moved = self.run(self._transition(seen, step, to_state))
        assert (moved.state, moved.version) == (to_state, seen.version + 1)
        self.state = to_state
        self.successes[step] += 1

    @precondition(lambda self: self.nomination is not None)
    @rule(
        step=st.sampled_from(Step),
        shift=st.integers(min_value=-3, max_value=3).filter(lambda n: n != 0),
    )
    def step_with_a_stale_version(self, step: Step, shift: int) -> None:
        before = self.run(self._read())
        stale = before.model_copy(update={"version": before.version + shift})
        # even a step the state machine would allow is refused on a version nobody read
        to_state = self._allowed(step) or NominationState.WITHDRAWN
        with pytest.raises(Conflict):
            self.run(self._transition(stale, step, to_state))
        assert self.run(self._read()) == before

    @precondition(lambda self: self.nomination is not None)
    @rule(first=st.sampled_from(Step), second=st.sampled_from(Step))
    def two_cadres_press_on_the_same_version(self, first: Step, second: Step) -> None:
        to_first = self._allowed(first)
        if to_first is None:
            return
        seen = self.run(self._read())
        self.run(self._transition(seen, first, to_first))
        self.state = to_first
        self.successes[first] += 1
        with pytest.raises(Conflict):
            self.run(self._transition(seen, second, NominationState.REJECTED))

    @invariant()
    def one_version_one_event_and_one_audit_entry_per_change(self) -> None:
        if self.nomination is None:
            return
        changes = sum(self.successes.values())
        current = self.run(self._read())
        assert current.state is self.state
        assert current.version == 1 + changes
        events = self.run(Store(self.db).nominations.events(nomination_id=current.id))
        assert len(events) == 1 + changes
        assert [event.version for event in events] == [1, *range(1, changes + 1)]
        assert [event.to_state for event in events][-1] is self.state
        rows = self.run(
            self.db.fetch_all(
                "SELECT action FROM audit_log WHERE entity = 'nomination' AND action != ?",
                ("nomination.create",),
            )
        )
        assert Counter(row["action"] for row in rows) == Counter(
            {f"nomination.{step.value}": count for step, count in self.successes.items()}
        )


NominationStorage.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestNominationStorage = NominationStorage.TestCase
