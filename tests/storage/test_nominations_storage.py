"""The campaign and nomination repositories on real SQLite: rules round-trip through JSON, one
nomination per member and campaign, versioned transitions with their timeline and audit rows,
attachments, and times stored in UTC whatever zone the caller used."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import MemberProfile, MemberStatus, NewOrgUnit, OrgKind
from bot.domain.nominations.campaigns import CampaignKind, CampaignRules, ReviewLevel, preset
from bot.domain.nominations.review import MeetingVerdict, ObjectionState
from bot.domain.nominations.state import NominationState, Step
from storage.campaigns import CampaignRepository
from storage.database import Conflict, Database, NotFound, bundled_migrations
from storage.members import MemberRepository
from storage.nominations import NominationRepository
from storage.org_units import OrgUnitRepository
from storage.store import Store

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = 900001
CADRE = 77
RULES = CampaignRules(
    min_age=16,
    max_age=35,
    min_training_hours=7.5,
    review_levels=(ReviewLevel.BRANCH, ReviewLevel.DISTRICT),
    notice_working_days=7,
    holidays=(date(2026, 10, 1), date(2027, 2, 5)),
    extra_workdays=(date(2026, 10, 10),),
    valid_years=3,
)


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "nominations.db") as database:
        await database.migrate()
        yield database


async def _setup(db: Database) -> tuple[int, int, int, int]:
    """A district, a branch, and two members of the branch; returns their ids."""
    district, _, branch = await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D", name="示例区团区委", kind=OrgKind.DISTRICT, parent_code=None),
            NewOrgUnit(code="S", name="东湖街道团工委", kind=OrgKind.STREET, parent_code="D"),
            NewOrgUnit(code="B", name="湖滨社区团支部", kind=OrgKind.BRANCH, parent_code="S"),
        ],
        now=NOW,
    )
    members = MemberRepository(db)
    ids = []
    for user_id, name in ((42, '<b>张晓明</b> & "小张"'), (43, "李娜")):
        member = await members.register(
            telegram_user_id=user_id,
            profile=MemberProfile(
                name=name,
                phone=f"138001380{user_id}",
                birth_date=date(2000, 5, 4),
                org_unit_id=branch.id,
                status=MemberStatus.LEAGUE_MEMBER,
                league_join_date=date(2015, 5, 4),
            ),
            consent_at=NOW,
            now=NOW,
        )
        ids.append(member.id)
    return district.id, branch.id, ids[0], ids[1]


async def _campaign(db: Database, scope_unit_id: int, **changes) -> int:
    values = {
        "kind": CampaignKind.ACTIVIST,
        "title": "2026年度推优入党积极分子",
        "honour": "",
        "rules": RULES,
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=30),
        "scope_unit_id": scope_unit_id,
        "created_by": ADMIN,
        "now": NOW,
    } | changes
    async with Store(db).transaction() as tx:
        return await tx.campaigns.create(**values)


async def _nominate(
    db: Database,
    campaign_id: int,
    member_id: int,
    branch_id: int,
    *,
    state: NominationState = NominationState.SUBMITTED,
    now: datetime = NOW,
):
    async with Store(db).transaction() as tx:
        return await tx.nominations.create(
            campaign_id=campaign_id,
            member_id=member_id,
            branch_id=branch_id,
            nominator_user_id=42,
            self_applied=True,
            reason="多次参加社区志愿服务，<工作>认真",
            state=state,
            now=now,
        )


async def _audit(db: Database, entity: str) -> list[tuple[str, dict | None, dict | None]]:
    rows = await db.fetch_all(
        "SELECT action, before, after FROM audit_log WHERE entity = ? ORDER BY id", (entity,)
    )
    return [
        (
            row["action"],
            json.loads(row["before"]) if row["before"] else None,
            json.loads(row["after"]) if row["after"] else None,
        )
        for row in rows
    ]


# -- campaigns --------------------------------------------------------------------------------


async def test_a_campaign_round_trips_with_its_rules_through_json(db):
    district, *_ = await _setup(db)
    campaign_id = await _campaign(db, district)
    campaign = await CampaignRepository(db).get(campaign_id=campaign_id)
    assert campaign.rules == RULES
    assert campaign.rules.holidays == (date(2026, 10, 1), date(2027, 2, 5))
    assert campaign.rules.review_levels == (ReviewLevel.BRANCH, ReviewLevel.DISTRICT)
    assert campaign.rules.min_training_hours == 7.5
    assert campaign.rules.min_party_application_months == 6
    assert (campaign.kind, campaign.title, campaign.honour) == (
        CampaignKind.ACTIVIST,
        "2026年度推优入党积极分子",
        "",
    )
    assert (campaign.opens_at, campaign.closes_at) == (NOW, NOW + timedelta(days=30))
    assert (campaign.scope_unit_id, campaign.scope_path) == (district, f"/{district}/")
    assert (campaign.cancelled, campaign.created_by, campaign.version) == (False, ADMIN, 1)
    async with Store(db).transaction() as tx:
        assert await tx.campaigns.get(campaign_id=campaign_id) == campaign


@pytest.mark.parametrize("kind", list(CampaignKind))
async def test_every_kinds_preset_round_trips(db, kind):
    district, *_ = await _setup(db)
    rules = preset(kind)
    campaign_id = await _campaign(db, district, kind=kind, rules=rules, honour="五四奖章")
    campaign = await CampaignRepository(db).get(campaign_id=campaign_id)
    assert (campaign.kind, campaign.rules) == (kind, rules)


async def test_creating_a_campaign_is_audited_with_its_rules(db):
    district, *_ = await _setup(db)
    campaign_id = await _campaign(db, district)
    [(action, before, after)] = await _audit(db, "campaign")
    assert action == "campaign.create" and before is None
    assert after["title"] == "2026年度推优入党积极分子"
    assert after["rules"]["review_levels"] == ["branch", "district"]
    assert after["rules"]["holidays"] == ["2026-10-01", "2027-02-05"]
    row = await db.fetch_one(
        "SELECT entity_id, actor_user_id FROM audit_log WHERE entity = ?", ("campaign",)
    )
    assert (row["entity_id"], row["actor_user_id"]) == (campaign_id, ADMIN)


async def test_a_missing_campaign_raises_not_found(db):
    with pytest.raises(NotFound):
        await CampaignRepository(db).get(campaign_id=404)
    async with Store(db).transaction() as tx:
        with pytest.raises(NotFound):
            await tx.campaigns.get(campaign_id=404)


async def test_current_campaigns_are_those_not_cancelled_and_not_yet_closed(db):
    district, *_ = await _setup(db)
    closed = await _campaign(
        db,
        district,
        title="已结束",
        closes_at=NOW - timedelta(hours=1),
        opens_at=NOW - timedelta(days=9),
    )
    open_now = await _campaign(db, district, title="进行中")
    later = await _campaign(
        db,
        district,
        title="下一轮",
        opens_at=NOW + timedelta(days=40),
        closes_at=NOW + timedelta(days=70),
    )
    cancelled = await _campaign(db, district, title="已取消")
    await db.execute("UPDATE campaigns SET cancelled = 1 WHERE id = ?", (cancelled,))
    repo = CampaignRepository(db)
    assert [c.id for c in await repo.current(now=NOW)] == [later, open_now]
    assert [c.id for c in await repo.all(limit=10)] == [later, cancelled, open_now, closed]
    assert [c.id for c in await repo.all(limit=2, offset=2)] == [open_now, closed]
    opened = await repo.get(campaign_id=open_now)
    assert opened.is_open(NOW) and not opened.is_open(NOW + timedelta(days=30))
    assert not (await repo.get(campaign_id=cancelled)).is_open(NOW)


async def test_a_window_given_in_shanghai_time_is_stored_in_utc_and_compared_correctly(db):
    district, *_ = await _setup(db)
    # closes as 1 December begins in Shanghai: 16:00 UTC on 30 November
    closes = datetime(2026, 12, 1, tzinfo=SHANGHAI)
    campaign_id = await _campaign(
        db, district, opens_at=datetime(2026, 11, 1, tzinfo=SHANGHAI), closes_at=closes
    )
    row = await db.fetch_one(
        "SELECT opens_at, closes_at FROM campaigns WHERE id = ?", (campaign_id,)
    )
    assert (row["opens_at"], row["closes_at"]) == (
        "2026-10-31T16:00:00+00:00",
        "2026-11-30T16:00:00+00:00",
    )
    repo = CampaignRepository(db)
    campaign = await repo.get(campaign_id=campaign_id)
    assert campaign.closes_at == closes
    # two hours after it closed in UTC, and also when asked with a Shanghai clock
    assert await repo.current(now=datetime(2026, 11, 30, 18, 0, tzinfo=UTC)) == []
    assert await repo.current(now=datetime(2026, 12, 1, 2, 0, tzinfo=SHANGHAI)) == []
    assert [c.id for c in await repo.current(now=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))] == [
        campaign_id
    ]


# -- nominations ------------------------------------------------------------------------------


async def test_a_nomination_round_trips_with_its_nominee_and_branch(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    assert nomination == await NominationRepository(db).get(nomination_id=nomination.id)
    assert (nomination.campaign_id, nomination.member_id, nomination.branch_id) == (
        campaign_id,
        zhang,
        branch,
    )
    assert nomination.branch_path == (await OrgUnitRepository(db).get(unit_id=branch)).path
    assert (nomination.nominee_user_id, nomination.nominee_name) == (42, '<b>张晓明</b> & "小张"')
    assert (nomination.nominator_user_id, nomination.self_applied) == (42, True)
    assert nomination.reason == "多次参加社区志愿服务，<工作>认真"
    assert (nomination.state, nomination.version) == (NominationState.SUBMITTED, 1)
    assert (nomination.submitted_at, nomination.updated_at) == (NOW, NOW)
    assert (nomination.notice_ends_at, nomination.decided_at, nomination.valid_until) == (
        None,
        None,
        None,
    )


async def test_a_draft_has_no_submission_time(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    draft = await _nominate(db, campaign_id, zhang, branch, state=NominationState.DRAFT)
    assert (draft.state, draft.submitted_at) == (NominationState.DRAFT, None)


async def test_a_second_nomination_of_the_same_member_in_a_campaign_is_a_conflict(db):
    district, branch, zhang, li = await _setup(db)
    campaign_id = await _campaign(db, district)
    first = await _nominate(db, campaign_id, zhang, branch)
    with pytest.raises(Conflict):
        await _nominate(db, campaign_id, zhang, branch, state=NominationState.DRAFT)
    # nothing of the refused one was kept: no row, no timeline step, no audit entry
    repo = NominationRepository(db)
    assert await repo.of_member(campaign_id=campaign_id, member_id=zhang) == first
    assert len(await repo.events(nomination_id=first.id)) == 1
    assert [action for action, _, _ in await _audit(db, "nomination")] == ["nomination.create"]
    # the same member in another campaign, and another member in this one, are fine
    other = await _campaign(db, district, title="2026年度推优发展对象")
    await _nominate(db, other, zhang, branch)
    await _nominate(db, campaign_id, li, branch)
    rows = await db.fetch_one("SELECT COUNT(*) AS n FROM nominations")
    assert rows["n"] == 3


async def test_of_member_is_none_for_a_member_not_nominated(db):
    district, branch, zhang, li = await _setup(db)
    campaign_id = await _campaign(db, district)
    await _nominate(db, campaign_id, zhang, branch)
    assert await NominationRepository(db).of_member(campaign_id=campaign_id, member_id=li) is None


async def test_a_missing_nomination_raises_not_found(db):
    with pytest.raises(NotFound):
        await NominationRepository(db).get(nomination_id=404)
    async with Store(db).transaction() as tx:
        with pytest.raises(NotFound):
            await tx.nominations.get(nomination_id=404)


async def test_creating_is_the_first_timeline_step_and_is_audited(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    [event] = await NominationRepository(db).events(nomination_id=nomination.id)
    assert (event.step, event.from_state, event.to_state) == (
        Step.SUBMIT,
        None,
        NominationState.SUBMITTED,
    )
    assert (event.at, event.actor_user_id, event.level, event.comment, event.version) == (
        NOW,
        42,
        None,
        "",
        1,
    )
    [(action, before, after)] = await _audit(db, "nomination")
    assert action == "nomination.create" and before is None
    assert after == {
        "campaign_id": campaign_id,
        "member_id": zhang,
        "branch_id": branch,
        "state": "submitted",
        "self_applied": True,
    }


async def test_a_transition_raises_the_version_and_writes_its_step_and_audit_entry(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    later = NOW + timedelta(hours=3)
    ends = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    async with Store(db).transaction() as tx:
        passed = await tx.nominations.transition(
            nomination=nomination,
            step=Step.APPROVE,
            to_state=NominationState.IN_NOTICE,
            actor_user_id=CADRE,
            now=later,
            level=ReviewLevel.DISTRICT,
            comment="同意推荐 <b>",
            changes={"notice_starts_at": later, "notice_ends_at": ends, "reason": "修改后的理由"},
        )
    assert (passed.state, passed.version, passed.updated_at) == (
        NominationState.IN_NOTICE,
        2,
        later,
    )
    assert (passed.notice_ends_at, passed.reason) == (ends, "修改后的理由")
    events = await NominationRepository(db).events(nomination_id=nomination.id)
    assert [(e.step, e.from_state, e.to_state, e.version) for e in events] == [
        (Step.SUBMIT, None, NominationState.SUBMITTED, 1),
        (Step.APPROVE, NominationState.SUBMITTED, NominationState.IN_NOTICE, 1),
    ]
    assert (events[1].at, events[1].actor_user_id, events[1].level, events[1].comment) == (
        later,
        CADRE,
        ReviewLevel.DISTRICT,
        "同意推荐 <b>",
    )
    (_, _, _), (action, before, after) = await _audit(db, "nomination")
    assert action == "nomination.approve"
    assert before == {"state": "submitted", "version": 1}
    # the reason is the nominee's text, kept in the nomination and not copied into the log
    assert after == {
        "state": "in_notice",
        "version": 2,
        "level": "district",
        "notice_starts_at": later.isoformat(),
        "notice_ends_at": ends.isoformat(),
    }
    comment = await db.fetch_one(
        "SELECT comment FROM audit_log WHERE action = 'nomination.approve'"
    )
    assert comment["comment"] == "同意推荐 <b>"


async def test_a_transition_on_a_stale_version_is_a_conflict_and_changes_nothing(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    seen = await _nominate(db, campaign_id, zhang, branch)
    async with Store(db).transaction() as tx:
        returned = await tx.nominations.transition(
            nomination=seen,
            step=Step.RETURN,
            to_state=NominationState.RETURNED,
            actor_user_id=CADRE,
            now=NOW,
            level=ReviewLevel.BRANCH,
            comment="请补充材料",
        )
    # a second cadre decides on the version the first one already changed
    with pytest.raises(Conflict):
        async with Store(db).transaction() as tx:
            await tx.nominations.transition(
                nomination=seen,
                step=Step.APPROVE,
                to_state=NominationState.BRANCH_PASSED,
                actor_user_id=CADRE + 1,
                now=NOW,
                level=ReviewLevel.BRANCH,
            )
    repo = NominationRepository(db)
    assert await repo.get(nomination_id=seen.id) == returned
    assert [e.step for e in await repo.events(nomination_id=seen.id)] == [Step.SUBMIT, Step.RETURN]
    assert [action for action, _, _ in await _audit(db, "nomination")] == [
        "nomination.create",
        "nomination.return",
    ]


async def test_a_transition_may_set_only_the_fields_a_step_changes(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    async with Store(db).transaction() as tx:
        with pytest.raises(ValueError, match="branch_id"):
            await tx.nominations.transition(
                nomination=nomination,
                step=Step.APPROVE,
                to_state=NominationState.BRANCH_PASSED,
                actor_user_id=CADRE,
                now=NOW,
                changes={"branch_id": 9},
            )
    assert await NominationRepository(db).get(nomination_id=nomination.id) == nomination


async def test_an_approval_sets_the_decision_time_and_validity(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    async with Store(db).transaction() as tx:
        approved = await tx.nominations.transition(
            nomination=nomination,
            step=Step.CONFIRM,
            to_state=NominationState.APPROVED,
            actor_user_id=None,
            now=NOW,
            changes={"decided_at": NOW, "valid_until": date(2028, 11, 28)},
        )
    assert (approved.decided_at, approved.valid_until) == (NOW, date(2028, 11, 28))
    [_, event] = await NominationRepository(db).events(nomination_id=nomination.id)
    # the scheduler confirms a notice: no person acted
    assert (event.actor_user_id, event.level) == (None, None)


async def test_times_given_in_shanghai_are_stored_in_utc(db):
    district, branch, zhang, _ = await _setup(db)
    campaign_id = await _campaign(db, district)
    local = datetime(2026, 11, 29, 0, 30, tzinfo=SHANGHAI)
    nomination = await _nominate(db, campaign_id, zhang, branch, now=local)
    async with Store(db).transaction() as tx:
        await tx.nominations.transition(
            nomination=nomination,
            step=Step.APPROVE,
            to_state=NominationState.BRANCH_PASSED,
            actor_user_id=CADRE,
            now=local + timedelta(hours=1),
            level=ReviewLevel.BRANCH,
            changes={"notice_ends_at": datetime(2026, 12, 8, tzinfo=SHANGHAI)},
        )
        await tx.nominations.add_attachment(
            nomination_id=nomination.id, kind="photo", file_id="f", file_name="", now=local
        )
    row = await db.fetch_one(
        "SELECT submitted_at, state_since, updated_at, notice_ends_at FROM nominations"
    )
    assert tuple(row) == (
        "2026-11-28T16:30:00+00:00",
        "2026-11-28T17:30:00+00:00",
        "2026-11-28T17:30:00+00:00",
        "2026-12-07T16:00:00+00:00",
    )
    events = await db.fetch_all("SELECT at FROM nomination_events ORDER BY id")
    assert [event["at"] for event in events] == [
        "2026-11-28T16:30:00+00:00",
        "2026-11-28T17:30:00+00:00",
    ]
    attachment = await db.fetch_one("SELECT added_at FROM nomination_attachments")
    assert attachment["added_at"] == "2026-11-28T16:30:00+00:00"


# -- attachments ------------------------------------------------------------------------------


async def test_attachments_are_listed_in_the_order_they_were_added(db):
    district, branch, zhang, li = await _setup(db)
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, zhang, branch)
    other = await _nominate(db, campaign_id, li, branch)
    async with Store(db).transaction() as tx:
        for kind, file_id, name in (
            ("photo", "AgAD-photo", ""),
            ("document", "BQAD-doc", "志愿服务证明 <2026>.pdf"),
        ):
            await tx.nominations.add_attachment(
                nomination_id=nomination.id,
                kind=kind,
                file_id=file_id,
                file_name=name,
                now=NOW,
            )
    repo = NominationRepository(db)
    attachments = await repo.attachments(nomination_id=nomination.id)
    assert [(a.kind, a.file_id, a.file_name, a.added_at) for a in attachments] == [
        ("photo", "AgAD-photo", "", NOW),
        ("document", "BQAD-doc", "志愿服务证明 <2026>.pdf", NOW),
    ]
    assert attachments[0].id < attachments[1].id
    assert await repo.attachments(nomination_id=other.id) == []


async def test_a_member_known_only_from_the_roster_has_no_telegram_id(db):
    district, branch, _, _ = await _setup(db)
    member_id = await db.insert(
        "INSERT INTO members (telegram_user_id, name, org_unit_id, status, source, created_at,"
        " updated_at) VALUES (NULL, '王芳', ?, 'league_member', 'roster', ?, ?)",
        (branch, NOW.isoformat(), NOW.isoformat()),
    )
    campaign_id = await _campaign(db, district)
    nomination = await _nominate(db, campaign_id, member_id, branch)
    assert (nomination.nominee_user_id, nomination.nominee_name) == (None, "王芳")


async def test_leaving_the_notice_closes_the_objections_nobody_ruled_on(db):
    _, branch, member, _ = await _setup(db)
    campaign = await _campaign(db, branch)
    nomination = await _nominate(db, campaign, member, branch, state=NominationState.IN_NOTICE)
    for objector in (43, 44):
        await db.execute(
            "INSERT INTO objections (nomination_id, objector_user_id, text, created_at)"
            " VALUES (?, ?, '异议', ?)",
            (nomination.id, objector, NOW.isoformat()),
        )
    later = NOW + timedelta(days=1)
    async with Store(db).transaction() as tx:
        await tx.nominations.transition(
            nomination=nomination,
            step=Step.WITHDRAW,
            to_state=NominationState.WITHDRAWN,
            actor_user_id=42,
            now=later,
        )
        closed = await tx.review.closed_objections(nomination_id=nomination.id)
    assert [(o.objector_user_id, o.state, o.resolved_by) for o in closed] == [
        (43, ObjectionState.CLOSED, 42),
        (44, ObjectionState.CLOSED, 42),
    ]


async def test_a_meetings_votes_read_back_with_their_verdicts_even_from_before_verdicts(db):
    _, branch, member, other = await _setup(db)
    campaign = await _campaign(db, branch)
    passed = await _nominate(db, campaign, member, branch)
    tied = await _nominate(db, campaign, other, branch)
    async with Store(db).transaction() as tx:
        meeting = await tx.review.add_meeting(
            campaign_id=campaign,
            branch_id=branch,
            held_on=date(2026, 11, 28),
            entitled=10,
            present=8,
            places=1,
            recorded_by=42,
            now=NOW,
        )
        await tx.review.add_vote(
            meeting_id=meeting, nomination_id=passed.id, yes=7, verdict=MeetingVerdict.PASSED
        )
        await tx.review.add_vote(
            meeting_id=meeting, nomination_id=tied.id, yes=6, verdict=MeetingVerdict.TIED
        )
    [first, second] = await Store(db).review.campaign_votes(campaign_id=campaign)
    assert (first.nomination_id, first.yes, first.passed, first.verdict) == (
        passed.id,
        7,
        True,
        MeetingVerdict.PASSED,
    )
    assert (first.held_on, first.entitled, first.present, first.places) == (
        date(2026, 11, 28),
        10,
        8,
        1,
    )
    assert (first.recorded_by, first.recorded_at) == (42, NOW)
    assert (second.passed, second.verdict) == (False, MeetingVerdict.TIED)
    # Votes recorded before the verdicts were kept say only whether the candidate passed.
    await db.execute("UPDATE meeting_votes SET outcome = ''")
    votes = await Store(db).review.votes(nomination_id=tied.id)
    assert [vote.verdict for vote in votes] == [MeetingVerdict.NO_MAJORITY]
    votes = await Store(db).review.votes(nomination_id=passed.id)
    assert [vote.verdict for vote in votes] == [MeetingVerdict.PASSED]


async def test_the_migration_closes_objections_left_open_by_nominations_already_decided(tmp_path):
    async with Database(tmp_path / "before.db") as db:
        await db.migrate([m for m in bundled_migrations() if m.version < 11])
        _, branch, member, other = await _setup(db)
        campaign = await _campaign(db, branch)
        rejected = await _nominate(db, campaign, member, branch, state=NominationState.REJECTED)
        showing = await _nominate(db, campaign, other, branch, state=NominationState.IN_NOTICE)
        for nomination in (rejected, showing):
            await db.execute(
                "INSERT INTO objections (nomination_id, objector_user_id, text, created_at)"
                " VALUES (?, 44, '异议', ?)",
                (nomination.id, NOW.isoformat()),
            )
        assert await db.migrate([m for m in bundled_migrations() if m.version <= 11]) == [11]
        rows = await db.fetch_all("SELECT nomination_id, state FROM objections ORDER BY id")
        assert [tuple(row) for row in rows] == [(rejected.id, "closed"), (showing.id, "open")]
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("UPDATE objections SET state = 'lost'")
