"""红色联盟 and 双联系双报到 as 东柿社区 (湖东街道, 吴兴区, Huzhou) runs them: a 盟事 tabled by the
chair of the day, contracted to member units and registered party members, reported part by part,
evaluated by residents; the 四方会谈 twice a month; the 8-minute circle; the party net.

Through the installed plugin (entry point ``dual-report``) and govflow's public API only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from govflow_dual_report import (
    WORKFLOW,
    alliance_of,
    chair_on,
    check_four_party,
    dual_report,
    form_alliance,
    hold_four_party_meeting,
    members_of,
    party_net_gaps,
    service_circle_gaps,
)

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import GuardFailedError, InvalidRequestError, PermissionDeniedError
from govflow.org import load_divisions

START = datetime(2026, 5, 6, 1, tzinfo=UTC)  # in the second quarter of 2026
WUXING = "330502000000"  # 吴兴区
HUDONG = "330502013000"  # 湖东街道
DONGSHI = "330502013007"  # 东柿社区
LIUHE = "330502013006"  # 六合家园社区
AREA, FAR_AREA = f"{DONGSHI}-A01", f"{DONGSHI}-A02"
GRID, B1, B2 = f"{DONGSHI}-G01", f"{AREA}-B1", f"{AREA}-B2"
LEAD, BANK, SCHOOL, OUTSIDER_UNIT = "dept-wuxing-tax", "unit-bank", "unit-school", "unit-far"

RESIDENT = Actor("resident-shen", home_unit=B1)
NEIGHBOUR = Actor("resident-lu", home_unit=B2)
STRANGER = Actor("resident-of-liuhe", home_unit=LIUHE)
#: Units act through the people holding their posts: each unit's party secretary.
BANK_REP = Actor("bank-party-secretary")
LEAD_REP = Actor("tax-party-secretary")
SCHOOL_REP = Actor("school-party-secretary")
MEMBER = Actor("member-ye")


def _dongshi() -> OrgGraph:
    """湖东街道 from the official table; below 东柿社区 (synthetic): a grid, two residential
    areas, two buildings, a 党群服务中心, the party net, a red alliance of three units."""
    org = load_divisions(prefix="330502013")
    org.add_unit(GRID, "grid", "东柿一网格", parent=DONGSHI)
    org.add_unit(AREA, "residential_area", "东柿小区", parent=GRID)
    org.add_unit(FAR_AREA, "residential_area", "东柿新村", parent=DONGSHI)
    org.add_unit(B1, "building", "1幢", parent=AREA)
    org.add_unit(B2, "building", "2幢", parent=AREA)
    org.add_unit(f"{DONGSHI}/center", "service_center", "东柿社区党群服务中心", parent=DONGSHI)
    org.add_edge("serves", f"{DONGSHI}/center", AREA, minutes=5)
    org.add_edge("serves", f"{DONGSHI}/center", FAR_AREA, minutes=12)
    org.add_unit(f"{DONGSHI}/party", "community_party_committee", "东柿社区党委")
    org.add_edge("leads", f"{DONGSHI}/party", DONGSHI)
    org.add_unit(f"{GRID}/party", "branch", "网格党支部", parent=f"{DONGSHI}/party")
    org.add_edge("leads", f"{GRID}/party", GRID)
    org.add_unit(f"{AREA}/party", "group", "小区党小组", parent=f"{GRID}/party")
    org.add_edge("leads", f"{AREA}/party", AREA)
    org.add_person("head-b1", "楼道长", party_member=True)
    org.assign("head-b1", B1, "corridor_head")
    org.add_unit(LEAD, "department", "吴兴区税务局", parent=WUXING)
    for unit, name in ((BANK, "农商银行"), (SCHOOL, "东柿小学"), (OUTSIDER_UNIT, "外区单位")):
        org.add_unit(unit, "work_unit", name)
    for person, home in (("resident-shen", B1), ("resident-lu", B2)):
        org.add_person(person, person, home_unit=home)
    for rep, unit, home in (
        (BANK_REP, BANK, None),
        (LEAD_REP, LEAD, None),
        (SCHOOL_REP, SCHOOL, B2),  # the school's secretary lives in 东柿小区
    ):
        org.add_person(rep.id, rep.id, party_member=True, home_unit=home)
        org.assign(rep.id, unit, "party_secretary")
    org.add_person("member-ye", "叶", party_member=True)
    org.assign("member-ye", LEAD, "staff")  # an in-service member of the tax bureau
    org.add_person("member-unregistered", "未报到党员", party_member=True)
    org.add_person("citizen-wang", "王", party_member=False)
    dual_report(org, "member-ye", community=DONGSHI)
    form_alliance(
        org,
        "dongshi-alliance",
        name="东柿社区红色联盟",
        community=DONGSHI,
        lead=LEAD,
        members=[BANK, SCHOOL],
        rotation_start=date(2026, 1, 1),
    )
    return org


@pytest.fixture
def org() -> OrgGraph:
    return _dongshi()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock, org: OrgGraph) -> Engine:
    return govflow_engine(autoload=True, clock=clock, org=org)


def _raise(engine: Engine) -> str:
    issue = engine.open(
        "alliance-matter",
        reporter=RESIDENT,
        location=AREA,
        category="课后托管",
        data={"subject": "双职工家庭孩子放学后无人看管"},
    )
    return issue.id


def _contracted(engine: Engine) -> str:
    issue_id = _raise(engine)
    engine.fire(issue_id, "table", actor=BANK_REP)
    engine.fire(issue_id, "contract", actor=BANK_REP, payload={"parties": [SCHOOL, "member-ye"]})
    return issue_id


def _reported(engine: Engine) -> str:
    issue_id = _contracted(engine)
    engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": "开放教室"})
    engine.fire(issue_id, "report_part", actor=MEMBER, payload={"outcome": "志愿辅导作业"})
    return issue_id


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("dual-report")
    assert engine.workflow("alliance-matter") == WORKFLOW
    assert "four-party-meetings" in engine.ledgers.specs


def test_a_key_small_matter_from_raising_to_the_residents_verdict(engine: Engine) -> None:
    """关键小事 → 轮值主席 tables it → 契约共建 → 齐领盟事 → 群众评议."""
    issue_id = _raise(engine)
    engine.fire(issue_id, "table", actor=BANK_REP)  # the bank chairs in the second quarter
    event = engine.fire(
        issue_id,
        "contract",
        actor=BANK_REP,
        payload={"parties": [SCHOOL, {"id": "member-ye", "limit": "14d"}]},
    )
    assert event.destination == "working"
    assert [p.id for p in engine.parties(issue_id, pending=True)] == [SCHOOL, "member-ye"]
    engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": "开放教室"})
    assert engine.get(issue_id).state == "working"  # the member's part is still to come
    engine.fire(issue_id, "report_part", actor=MEMBER, payload={"outcome": "志愿辅导作业"})
    assert engine.get(issue_id).state == "evaluating"
    assert {p.id: p.outcome for p in engine.parties(issue_id)} == {
        SCHOOL: "开放教室",
        "member-ye": "志愿辅导作业",
    }
    event = engine.fire(
        issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    assert engine.verify(issue_id) == len(engine.history(issue_id))


def test_the_chair_rotates_every_quarter_in_the_order_of_joining(org: OrgGraph) -> None:
    chairs = [chair_on(org, "dongshi-alliance", date(2026, month, 15)) for month in range(1, 13)]
    assert chairs == [LEAD] * 3 + [BANK] * 3 + [SCHOOL] * 3 + [LEAD] * 3
    assert chair_on(org, "dongshi-alliance", date(2025, 12, 31)) is None
    assert chair_on(org, "dongshi-alliance", date(2026, 4, 1)) == BANK
    assert members_of(org, "dongshi-alliance") == [LEAD, BANK, SCHOOL]
    alliance = alliance_of(org, DONGSHI)
    assert alliance is not None
    assert alliance.id == "dongshi-alliance"
    assert alliance_of(org, LIUHE) is None
    assert DONGSHI in {u.id for u in org.paired(LEAD)}  # the lead agency is paired (结对)


def test_only_the_chair_of_the_day_tables_contracts_and_declines(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _raise(engine)
    # Last quarter's chair, next quarter's, a resident, and someone claiming the bank as home.
    for someone in (LEAD_REP, SCHOOL_REP, RESIDENT, Actor("impostor", home_unit=BANK)):
        with pytest.raises(GuardFailedError, match="chair-on-duty"):
            engine.fire(issue_id, "table", actor=someone)
    engine.fire(issue_id, "table", actor=BANK_REP)
    with pytest.raises(GuardFailedError, match="chair-on-duty"):
        engine.fire(issue_id, "contract", actor=SCHOOL_REP, payload={"parties": [SCHOOL]})
    clock.advance(days=60)  # July: the school chairs now
    with pytest.raises(GuardFailedError, match="chair-on-duty"):
        engine.fire(issue_id, "decline", actor=BANK_REP, payload={"reason": "x"})
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "decline", actor=SCHOOL_REP)
    event = engine.fire(issue_id, "decline", actor=SCHOOL_REP, payload={"reason": "属物业职责"})
    assert event.destination == "declined"


@pytest.mark.parametrize(
    "parties",
    [
        None,
        [],
        [OUTSIDER_UNIT],
        ["member-unregistered"],
        ["citizen-wang"],
        [SCHOOL, "nobody"],
        [{"limit": "3d"}],
        SCHOOL,
    ],
)
def test_a_matter_is_contracted_to_alliance_units_and_registered_members_only(
    engine: Engine, parties: object
) -> None:
    issue_id = _raise(engine)
    engine.fire(issue_id, "table", actor=BANK_REP)
    with pytest.raises(GuardFailedError, match="parties"):
        engine.fire(issue_id, "contract", actor=BANK_REP, payload={"parties": parties})


def test_only_a_party_reports_its_part_with_its_outcome(engine: Engine) -> None:
    issue_id = _contracted(engine)
    with pytest.raises(PermissionDeniedError, match="party of the round"):
        engine.fire(issue_id, "report_part", actor=BANK_REP, payload={"outcome": "x"})
    with pytest.raises(GuardFailedError, match="outcome"):
        engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": ""})
    engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": "done"})
    with pytest.raises(PermissionDeniedError, match="party of the round"):
        engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": "again"})
    engine.fire(issue_id, "report_part", actor=MEMBER, payload={"outcome": "done"})
    assert engine.get(issue_id).state == "evaluating"


def test_a_late_party_is_recorded_and_escalated_to_its_own_unit(
    engine: Engine, clock: ManualClock
) -> None:
    """Each party its own limit: the in-service member past it is escalated to the agency he
    works in; the school, on time, is untouched."""
    issue_id = _raise(engine)
    engine.fire(issue_id, "table", actor=BANK_REP)
    engine.fire(
        issue_id,
        "contract",
        actor=BANK_REP,
        payload={"parties": [SCHOOL, {"id": "member-ye", "limit": "7d"}]},
    )
    engine.fire(issue_id, "report_part", actor=SCHOOL_REP, payload={"outcome": "开放教室"})
    clock.advance(days=7, minutes=1)
    [late] = engine.tick()
    assert (late.trigger, late.payload["party"]) == ("party_overdue", "member-ye")
    member = {p.id: p for p in engine.parties(issue_id)}["member-ye"]
    assert (member.status, member.escalated_to) == ("overdue", (LEAD,))
    engine.fire(issue_id, "report_part", actor=MEMBER, payload={"outcome": "补上辅导"})
    assert engine.get(issue_id).state == "evaluating"


def test_residents_of_the_community_evaluate_and_not_the_parties(engine: Engine) -> None:
    issue_id = _reported(engine)
    with pytest.raises(GuardFailedError, match="resident-of-community"):
        engine.fire(issue_id, "evaluate", actor=STRANGER, payload={"satisfaction": "satisfied"})
    with pytest.raises(GuardFailedError, match="resident-of-community"):
        engine.fire(issue_id, "evaluate", actor=Actor("walk-in"), payload={"satisfaction": "x"})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(
            issue_id,
            "evaluate",
            actor=SCHOOL_REP,
            payload={"satisfaction": "satisfied"},
        )
    with pytest.raises(GuardFailedError, match="satisfaction"):
        engine.fire(issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "ok"})
    event = engine.fire(
        issue_id, "evaluate", actor=Actor("resident-lu"), payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"


def test_residents_send_the_work_back(engine: Engine) -> None:
    issue_id = _reported(engine)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "send_back", actor=NEIGHBOUR)
    with pytest.raises(GuardFailedError, match="resident-of-community"):
        engine.fire(issue_id, "send_back", actor=STRANGER, payload={"reason": "x"})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(issue_id, "send_back", actor=SCHOOL_REP, payload={"reason": "x"})
    event = engine.fire(issue_id, "send_back", actor=NEIGHBOUR, payload={"reason": "只开放周一"})
    assert event.destination == "working"
    # the same parties take it up again, in a new round
    assert event.decisions["parties"].startswith("dual-report")
    assert [(p.id, p.status, p.round) for p in engine.parties(issue_id)] == [
        (SCHOOL, "pending", 2),
        ("member-ye", "pending", 2),
    ]


@pytest.mark.parametrize(
    ("step", "days", "trigger", "state"),
    [
        (0, 8, "remind", "raised"),
        (1, 15, "remind_consult", "consulting"),
        (3, 8, "close_unrated", "closed"),
    ],
)
def test_every_step_has_its_time_limit(  # noqa: PLR0917  (the parameters of one case)
    engine: Engine, clock: ManualClock, step: int, days: int, trigger: str, state: str
) -> None:
    [_raise, _tabled, _contracted, _reported][step](engine)
    clock.advance(days=days)
    [event] = engine.tick()
    assert (event.trigger, event.destination) == (trigger, state)


def _tabled(engine: Engine) -> str:
    issue_id = _raise(engine)
    engine.fire(issue_id, "table", actor=BANK_REP)
    return issue_id


PARTIES = {
    "community_party": "东柿社区党委",
    "owners_committee": "东柿小区业委会",
    "property_company": "东柿物业",
    "social_organization": "夕阳红服务社",
}


def test_every_community_holding_fewer_than_two_four_party_meetings_a_month_is_named(
    engine: Engine,
) -> None:
    may = datetime(2026, 5, 6, 2, tzinfo=UTC)
    for day in (0, 14):
        hold_four_party_meeting(
            engine,
            DONGSHI,
            parties=PARTIES,
            topic="小区停车",
            actor="dongshi-secretary",
            at=may + timedelta(days=day),
        )
    hold_four_party_meeting(
        engine, LIUHE, parties=PARTIES, topic="电梯加装", actor="liuhe-secretary", at=may
    )
    report = check_four_party(engine, date(2026, 5, 1), date(2026, 6, 1), under=HUDONG)
    missed = {s.who: s.found for s in report.shortfalls}
    assert DONGSHI not in missed
    assert missed[LIUHE] == 1
    assert len(missed) == len(engine.org.units(kind="community", under=HUDONG)) - 1  # type: ignore[union-attr]
    whole = check_four_party(engine, date(2026, 5, 1), date(2026, 7, 1))
    assert DONGSHI in whole.missed()  # June: no meeting at all


@pytest.mark.parametrize(
    ("parties", "problem"),
    [
        ({k: v for k, v in PARTIES.items() if k != "property_company"}, "物业公司"),
        ({**PARTIES, "owners_committee": ""}, "业主委员会"),
        ({**PARTIES, "street_office": "街道"}, "four parties"),
    ],
)
def test_a_four_party_meeting_needs_all_four_at_the_table(
    engine: Engine, parties: dict[str, str], problem: str
) -> None:
    with pytest.raises(InvalidRequestError, match=problem):
        hold_four_party_meeting(engine, DONGSHI, parties=parties, topic="x", actor="sec")
    with pytest.raises(InvalidRequestError, match="topic"):
        hold_four_party_meeting(engine, DONGSHI, parties=PARTIES, topic=" ", actor="sec")
    with pytest.raises(InvalidRequestError, match="not a community"):
        hold_four_party_meeting(engine, AREA, parties=PARTIES, topic="x", actor="sec")
    assert engine.ledgers.entries("four-party-meetings") == []


def test_the_eight_minute_service_circle(org: OrgGraph) -> None:
    assert [u.id for u in service_circle_gaps(org)] == [FAR_AREA]  # 12 minutes away
    assert service_circle_gaps(org, minutes=15) == []


def test_the_three_level_party_net_and_its_corridor_heads(org: OrgGraph) -> None:
    reports = {r.rule.name: r for r in party_net_gaps(org, under=DONGSHI)}
    assert reports["网格党支部"].ok
    assert [g.unit.id for g in reports["小区党组织"].gaps] == [FAR_AREA]
    assert [g.unit.id for g in reports["楼道长"].gaps] == [B2]


def test_dual_report_is_for_party_members(org: OrgGraph) -> None:
    with pytest.raises(ValueError, match="not a party member"):
        dual_report(org, "citizen-wang", community=DONGSHI)
    with pytest.raises(ValueError, match="not a community"):
        dual_report(org, "member-ye", community=AREA)
    dual_report(org, "member-ye", community=DONGSHI)  # again: no second registration
    assert [p.id for p in org.registered(DONGSHI)] == ["member-ye"]


def test_an_alliance_forms_around_a_community(org: OrgGraph) -> None:
    day = date(2026, 1, 1)
    with pytest.raises(ValueError, match="community"):
        form_alliance(org, "a", name="a", community=AREA, lead=LEAD, members=[], rotation_start=day)
    with pytest.raises(ValueError, match="once"):
        form_alliance(
            org, "a", name="a", community=LIUHE, lead=LEAD, members=[LEAD], rotation_start=day
        )
    with pytest.raises(ValueError, match="month"):
        form_alliance(
            org,
            "a",
            name="a",
            community=LIUHE,
            lead=LEAD,
            members=[],
            rotation_start=day,
            term_months=0,
        )


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "双联系双报到" in readme
