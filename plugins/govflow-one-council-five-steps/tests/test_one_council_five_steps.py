"""三级联动·一会五步 as 文宾社区 (文化街道, 建华区, Qiqihar) runs it: 汇 → 定 → 议 → 示 → 评 in
the councils of the residential area, the community and the street, a matter moving up when
its level cannot settle it; 吹哨报到; 事项准入; the community ranking; 三类网格 with their codes.

Through the installed plugin (entry point ``one-council-five-steps``) and govflow's public API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from govflow_one_council_five_steps import (
    DELIBERATION,
    PUSH_DOWN,
    RULE,
    WHISTLE,
    WORKFLOW,
    DutyLists,
    add_grid,
    assess,
    grid_gaps,
    move_up,
    still_owing,
    upper_place,
)

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import (
    AccessRefusedError,
    GuardFailedError,
    InvalidRequestError,
    PermissionDeniedError,
)
from govflow.joint import location_path
from govflow.org import load_divisions
from govflow.workflow.check import check_engine

START = datetime(2026, 5, 6, 1, tzinfo=UTC)
JIANHUA = "230203000000"  # 建华区
WENHUA = "230203007000"  # 文化街道
WENBIN = "230203007009"  # 文宾社区
AREA = f"{WENBIN}-A01"
DEPT_A, DEPT_B = f"{JIANHUA}/dept-housing", f"{JIANHUA}/dept-urban"

AREA_SECRETARY = Actor("area-secretary")
COMMUNITY_SECRETARY = Actor("wenbin-secretary")
STREET_SECRETARY = Actor("wenhua-secretary")
RESIDENT = Actor("resident-zhao")  # lives in the residential area
NEIGHBOUR = Actor("resident-qian")  # lives in the community, another area
OUTSIDER = Actor("resident-of-another-street", home_unit=JIANHUA)


def _wenbin() -> OrgGraph:
    """文化街道 from the official table; below it (synthetic): the party units and councils of
    the street, 文宾社区 and one of its residential areas, departments and their officers."""
    org = load_divisions(prefix="230203007")
    org.add_unit(AREA, "residential_area", "文宾小区", parent=WENBIN)
    org.add_unit(f"{WENBIN}-A02", "residential_area", "文宾二区", parent=WENBIN)
    levels = (
        (WENHUA, "party_working_committee", "文化街道党工委", STREET_SECRETARY),
        (WENBIN, "community_party_committee", "文宾社区党委", COMMUNITY_SECRETARY),
        (AREA, "branch", "文宾小区党支部", AREA_SECRETARY),
    )
    for place, kind, name, secretary in levels:
        party = org.add_unit(f"{place}/party", kind, name)
        org.add_edge("leads", party.id, place)
        council = org.add_unit(f"{place}/council", "residents_council", f"{name}议事会")
        org.add_edge("convenes", party.id, council.id)
        org.add_person(secretary.id, secretary.id, party_member=True)
        org.assign(secretary.id, party.id, "secretary")
        org.assign(secretary.id, council.id, "head")
        for i in range(1, 6):
            councillor = f"{place}/councillor{i}"
            org.add_person(councillor, councillor, home_unit=place)
            org.assign(councillor, council.id, "councillor")
    org.add_person("resident-zhao", "赵", home_unit=AREA)
    org.add_person("resident-qian", "钱", home_unit=f"{WENBIN}-A02")
    org.assign(STREET_SECRETARY.id, WENHUA, "street_secretary")
    org.add_person("district-center-duty", "区网格协调指挥中心值班员")
    org.assign("district-center-duty", JIANHUA, "district_center")
    for dept, officer in ((DEPT_A, "housing-officer"), (DEPT_B, "urban-officer")):
        org.add_unit(dept, "department", dept, parent=JIANHUA)
        org.add_person(officer, officer, party_member=True)
        org.assign(officer, dept, "officer")
    return org


@pytest.fixture
def org() -> OrgGraph:
    return _wenbin()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock, org: OrgGraph) -> Engine:
    return govflow_engine(autoload=True, clock=clock, org=org)


def _collect(engine: Engine, place: str = AREA, by: Actor = RESIDENT) -> str:
    """汇."""
    issue = engine.open(
        "one-council-five-steps",
        reporter=by,
        location=place,
        category="小区停车",
        data={"subject": "小区道路维修"},
    )
    return issue.id


def _council(place: str) -> list[str]:
    return [f"{place}/councillor{i}" for i in range(1, 6)]


def _decide(engine: Engine, issue_id: str, place: str, secretary: Actor) -> None:
    """定 and 议: on the agenda, the council of the place votes it through."""
    engine.fire(issue_id, "set_agenda", actor=secretary)
    members = engine.get(issue_id).data["bodies"]["council"]["members"]
    assert set(_council(place)) <= set(members)
    DELIBERATION.record_vote(
        engine, issue_id, actor=secretary, attendees=members, votes_for=members[:-1]
    )


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("one-council-five-steps")
    assert engine.workflow("one-council-five-steps") == WORKFLOW
    assert engine.workflow("whistle-report") == WHISTLE


def test_five_steps_in_the_residential_area_council(engine: Engine, clock: ManualClock) -> None:
    """汇 → 定 → 议 → 示 → 评, in the council of the residential area."""
    issue_id = _collect(engine)  # 汇
    _decide(engine, issue_id, AREA, AREA_SECRETARY)  # 定, 议
    assert engine.get(issue_id).state == "carrying_out"
    engine.fire(  # 示
        issue_id, "publicize", actor=AREA_SECRETARY, payload={"result": "议定: 维修主干道"}
    )
    clock.advance(days=5, minutes=1)
    [over] = engine.tick()
    assert (over.trigger, over.destination) == ("publicity_over", "evaluating")
    event = engine.fire(  # 评
        issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    assert engine.verify(issue_id) == len(engine.history(issue_id))


def test_a_matter_the_area_cannot_settle_moves_up_to_the_community_and_the_street(
    engine: Engine, clock: ManualClock
) -> None:
    """三级联动: the area's council cannot settle it, nor the community's; the street's council
    decides it, makes it public and the street's residents evaluate it. One matter, its log
    holding the levels it passed."""
    issue_id = _collect(engine)
    clock.advance(days=5)
    move_up(engine, issue_id, actor=AREA_SECRETARY, reason="涉及两个小区, 本级议不了")
    moved = engine.get(issue_id)
    assert (moved.state, moved.location) == ("collected", WENBIN)
    assert moved.due_at == clock.now() + timedelta(days=7)  # the community's own 7 days
    # the area's secretary has no say up there; the community's council is the body now
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "set_agenda", actor=AREA_SECRETARY)
    engine.fire(issue_id, "set_agenda", actor=COMMUNITY_SECRETARY)
    members = engine.get(issue_id).data["bodies"]["council"]["members"]
    assert set(_council(WENBIN)) <= set(members)
    assert not set(_council(AREA)) & set(members)
    DELIBERATION.record_vote(  # not agreed at the community: back to collection there
        engine, issue_id, actor=COMMUNITY_SECRETARY, attendees=members, votes_for=members[:1]
    )
    move_up(engine, issue_id, actor=COMMUNITY_SECRETARY, reason="需街道统筹")
    _decide(engine, issue_id, WENHUA, STREET_SECRETARY)
    engine.fire(issue_id, "publicize", actor=STREET_SECRETARY, payload={"result": "街道统筹维修"})
    clock.advance(days=5, minutes=1)
    engine.tick()
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    history = engine.history(issue_id)
    assert location_path(history) == [AREA, WENBIN, WENHUA]
    assert [e.changes["location"] for e in history if e.trigger == "move_up"] == [WENBIN, WENHUA]
    assert engine.verify(issue_id) == len(history)


def test_the_levels_go_area_community_street_and_no_further(engine: Engine, org: OrgGraph) -> None:
    assert upper_place(org, AREA) == WENBIN
    assert upper_place(org, WENBIN) == WENHUA
    assert upper_place(org, WENHUA) is None
    street_matter = _collect(engine, place=WENHUA)
    with pytest.raises(GuardFailedError, match="upper-level"):
        move_up(engine, street_matter, actor=STREET_SECRETARY, reason="区里议")
    area_matter = _collect(engine)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(area_matter, "move_up", actor=AREA_SECRETARY, payload={"location": WENBIN})
    for skipping in (WENHUA, JIANHUA):  # one level at a time: not over the community's head
        with pytest.raises(GuardFailedError, match="upper-level"):
            engine.fire(
                area_matter,
                "move_up",
                actor=AREA_SECRETARY,
                payload={"reason": "x", "location": skipping},
            )
    assert engine.get(area_matter).location == AREA


def test_only_the_party_secretary_of_the_place_sets_the_agenda(engine: Engine) -> None:
    issue_id = _collect(engine, place=WENBIN)
    for someone in (RESIDENT, AREA_SECRETARY):  # the area's secretary has no say at the community
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, "set_agenda", actor=someone)
    engine.fire(issue_id, "set_agenda", actor=COMMUNITY_SECRETARY)


def test_the_council_not_agreeing_returns_the_matter_to_collection(engine: Engine) -> None:
    issue_id = _collect(engine)
    engine.fire(issue_id, "set_agenda", actor=AREA_SECRETARY)
    members = engine.get(issue_id).data["bodies"]["council"]["members"]
    event = DELIBERATION.record_vote(
        engine, issue_id, actor=AREA_SECRETARY, attendees=members, votes_for=members[:1]
    )
    assert (event.trigger, event.destination) == ("fail_deliberating", "collected")

    engine.fire(issue_id, "set_agenda", actor=AREA_SECRETARY)
    adjourned = DELIBERATION.record_vote(
        engine, issue_id, actor=AREA_SECRETARY, attendees=members[:1], votes_for=members[:1]
    )
    assert adjourned.trigger == "adjourn_deliberating"


def test_a_matter_is_declined_only_with_a_reason(engine: Engine) -> None:
    issue_id = _collect(engine)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "decline", actor=AREA_SECRETARY)
    event = engine.fire(issue_id, "decline", actor=AREA_SECRETARY, payload={"reason": "已办结"})
    assert event.destination == "declined"


def _publicized(engine: Engine) -> str:
    issue_id = _collect(engine)
    _decide(engine, issue_id, AREA, AREA_SECRETARY)
    engine.fire(issue_id, "publicize", actor=AREA_SECRETARY, payload={"result": "维修主干道"})
    return issue_id


def test_an_objection_in_the_publicity_period_goes_back_to_the_council(engine: Engine) -> None:
    issue_id = _publicized(engine)
    with pytest.raises(GuardFailedError, match="result"):
        engine.fire(_collect_and_decide(engine), "publicize", actor=AREA_SECRETARY)
    with pytest.raises(GuardFailedError, match="resident-of-place"):
        engine.fire(issue_id, "object", actor=OUTSIDER, payload={"reason": "x"})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(issue_id, "object", actor=AREA_SECRETARY, payload={"reason": "x"})
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "object", actor=RESIDENT)
    event = engine.fire(issue_id, "object", actor=RESIDENT, payload={"reason": "施工时间扰民"})
    assert event.destination == "deliberating"


def _collect_and_decide(engine: Engine) -> str:
    issue_id = _collect(engine)
    _decide(engine, issue_id, AREA, AREA_SECRETARY)
    return issue_id


def test_residents_of_the_place_evaluate_and_not_who_handled_it(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _publicized(engine)
    clock.advance(days=6)
    engine.tick()
    with pytest.raises(GuardFailedError, match="resident-of-place"):
        engine.fire(issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "satisfied"})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(issue_id, "evaluate", actor=AREA_SECRETARY, payload={"satisfaction": "ok"})
    with pytest.raises(GuardFailedError, match="satisfaction"):
        engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "ok"})
    clock.advance(days=8)
    [closed] = engine.tick()
    assert closed.trigger == "close_unrated"


@pytest.mark.parametrize(("days", "trigger"), [(8, "remind"), (31, "urge")])
def test_collection_and_carrying_out_have_time_limits(
    engine: Engine, clock: ManualClock, days: int, trigger: str
) -> None:
    issue_id = _collect(engine)
    if trigger == "urge":
        _decide(engine, issue_id, AREA, AREA_SECRETARY)
    clock.advance(days=days)
    assert [e.trigger for e in engine.tick()] == [trigger]


# --- 吹哨报到 -------------------------------------------------------------------------------


def _whistled(engine: Engine, *parties: object) -> str:
    issue = engine.open("whistle-report", reporter=RESIDENT, location=WENHUA, category="违建")
    engine.fire(
        issue.id,
        "whistle",
        actor=STREET_SECRETARY,
        payload={"parties": list(parties or (DEPT_A, DEPT_B))},
    )
    return issue.id


def test_the_street_whistles_and_every_department_reports_in(engine: Engine) -> None:
    issue_id = _whistled(engine)
    engine.fire(issue_id, "report_in", actor="housing-officer", payload={"outcome": "已核查产权"})
    assert engine.get(issue_id).state == "summoned"  # the join waits for every department
    assert [p.id for p in engine.parties(issue_id, pending=True)] == [DEPT_B]
    engine.fire(issue_id, "report_in", actor="urban-officer", payload={"outcome": "已拆除"})
    assert engine.get(issue_id).state == "handled"
    assert {p.id: p.outcome for p in engine.parties(issue_id)} == {
        DEPT_A: "已核查产权",
        DEPT_B: "已拆除",
    }
    engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    event = engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    assert event.destination == "closed"
    assert engine.verify(issue_id) == len(engine.history(issue_id))


def test_an_overdue_department_is_recorded_and_escalated_and_summoned_again(
    engine: Engine, clock: ManualClock
) -> None:
    """Each department its own limit: the one past it is recorded overdue and escalated to the
    district; when the summons runs out, the district center summons exactly the late ones."""
    issue_id = _whistled(engine, DEPT_A, {"id": DEPT_B, "limit": "1d"})
    engine.fire(issue_id, "report_in", actor="housing-officer", payload={"outcome": "已核查"})
    clock.advance(days=1, minutes=1)
    [late] = engine.tick()
    assert (late.trigger, late.payload["party"]) == ("party_overdue", DEPT_B)
    party = {p.id: p for p in engine.parties(issue_id)}[DEPT_B]
    assert (party.status, party.escalated_to) == ("overdue", (JIANHUA,))
    assert engine.get(issue_id).state == "summoned"  # the others are untouched
    clock.advance(days=2)
    [overdue] = engine.tick()
    assert (overdue.trigger, overdue.destination) == ("overdue", "escalated")
    assert still_owing(engine.get(issue_id)) == [DEPT_B]
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "supervise", actor=STREET_SECRETARY)
    for wrong in ([DEPT_A], [DEPT_A, DEPT_B], []):
        with pytest.raises(GuardFailedError, match="overdue-only"):
            engine.fire(
                issue_id, "supervise", actor="district-center-duty", payload={"parties": wrong}
            )
    clock.advance(days=1, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["still_overdue"]
    event = engine.fire(issue_id, "supervise", actor="district-center-duty")
    assert event.decisions["parties"].startswith("one-council-five-steps")  # chosen for it
    assert event.payload == {}
    assert [(p.id, p.round) for p in engine.parties(issue_id)] == [(DEPT_B, 2)]
    with pytest.raises(PermissionDeniedError, match="party of the round"):
        engine.fire(issue_id, "report_in", actor="housing-officer", payload={"outcome": "x"})
    engine.fire(issue_id, "report_in", actor="urban-officer", payload={"outcome": "已处置"})
    assert engine.get(issue_id).state == "handled"
    engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    clock.advance(days=8)
    assert [e.trigger for e in engine.tick()] == ["close_unrated"]


def test_the_district_center_lets_no_late_department_off(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _whistled(engine)
    clock.advance(days=3, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["party_overdue", "party_overdue", "overdue"]
    with pytest.raises(GuardFailedError, match="overdue-only"):
        engine.fire(
            issue_id, "supervise", actor="district-center-duty", payload={"parties": [DEPT_B]}
        )
    engine.fire(
        issue_id, "supervise", actor="district-center-duty", payload={"parties": [DEPT_B, DEPT_A]}
    )
    assert [(p.id, p.status, p.round) for p in engine.parties(issue_id)] == [
        (DEPT_B, "pending", 2),
        (DEPT_A, "pending", 2),
    ]


def test_only_the_street_whistles_and_only_for_departments(
    engine: Engine, clock: ManualClock
) -> None:
    issue = engine.open("whistle-report", reporter=RESIDENT, location=WENHUA)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "whistle", actor=COMMUNITY_SECRETARY, payload={"parties": [DEPT_A]})
    for wrong in ([WENBIN], [], "dept", None, [{"limit": "1d"}], [DEPT_A, JIANHUA]):
        with pytest.raises(GuardFailedError, match="departments"):
            engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"parties": wrong})
    clock.advance(days=1, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["remind"]
    engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"parties": [DEPT_A]})
    with pytest.raises(PermissionDeniedError, match="party of the round"):
        engine.fire(issue.id, "report_in", actor="urban-officer", payload={"outcome": "x"})
    with pytest.raises(GuardFailedError, match="outcome"):
        engine.fire(issue.id, "report_in", actor="housing-officer", payload={"outcome": ""})
    engine.fire(issue.id, "report_in", actor="housing-officer", payload={"outcome": "done"})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "feed_back", actor=RESIDENT)
    clock.advance(days=1, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["urge"]
    engine.fire(issue.id, "feed_back", actor=STREET_SECRETARY)
    for who, error in ((NEIGHBOUR, PermissionDeniedError), (RESIDENT, GuardFailedError)):
        with pytest.raises(error):
            engine.fire(issue.id, "evaluate", actor=who, payload={"satisfaction": "meh"})


def test_a_department_that_reported_the_matter_does_not_evaluate_it(engine: Engine) -> None:
    issue = engine.open("whistle-report", reporter="housing-officer", location=WENHUA)
    engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"parties": [DEPT_A]})
    engine.fire(issue.id, "report_in", actor="housing-officer", payload={"outcome": "done"})
    engine.fire(issue.id, "feed_back", actor=STREET_SECRETARY)
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(
            issue.id, "evaluate", actor="housing-officer", payload={"satisfaction": "satisfied"}
        )


# --- 事项准入 -------------------------------------------------------------------------------

LISTS = {WENBIN: {"环境卫生巡查", "老年人信息采集"}, f"{WENBIN}-G01": {"环境卫生巡查"}}


@pytest.fixture
def listed(govflow_engine: Callable[..., Engine], clock: ManualClock, org: OrgGraph) -> Engine:
    """The engine with 文宾社区's 权责事项清单 and one of its grids'."""
    org.add_unit(f"{WENBIN}-G01", "grid", "文宾一网格", parent=WENBIN)
    org.add_person("grid-secretary", "网格党支部书记", party_member=True)
    grid_party = org.add_unit(f"{WENBIN}-G01/party", "branch", "文宾一网格党支部")
    org.add_edge("leads", grid_party.id, f"{WENBIN}-G01")
    org.assign("grid-secretary", grid_party.id, "secretary")
    return govflow_engine(DutyLists(LISTS), autoload=True, clock=clock, org=org)


def _held(engine: Engine, item: str) -> str:
    return engine.open("push-down", reporter=STREET_SECRETARY, location=WENHUA, category=item).id


def test_only_listed_items_are_pushed_down(listed: Engine, clock: ManualClock) -> None:
    """事项准入: the street hands work down only within the unit's 权责事项清单; a grid's push
    passes its community's list too; anything else stays with the street, nothing changed."""
    land = _held(listed, "招商引资任务")
    with pytest.raises(AccessRefusedError) as refused:
        listed.fire(land, "push_down", actor=STREET_SECRETARY, payload={"location": WENBIN})
    assert (refused.value.rule, refused.value.unit) == (RULE, WENBIN)
    assert listed.get(land).location == WENHUA
    assert len(listed.history(land)) == 1
    elders = _held(listed, "老年人信息采集")  # on the community's list, not the grid's
    with pytest.raises(AccessRefusedError) as refused:
        listed.fire(
            elders, "push_down", actor=STREET_SECRETARY, payload={"location": f"{WENBIN}-G01"}
        )
    assert refused.value.unit == f"{WENBIN}-G01"
    listed.fire(elders, "push_down", actor=STREET_SECRETARY, payload={"location": WENBIN})
    with pytest.raises(PermissionDeniedError):
        listed.fire(elders, "finish", actor="grid-secretary", payload={"result": "x"})
    listed.fire(elders, "finish", actor=COMMUNITY_SECRETARY, payload={"result": "已采集"})
    listed.fire(elders, "send_back", actor=STREET_SECRETARY, payload={"reason": "信息不全"})
    listed.fire(elders, "finish", actor=COMMUNITY_SECRETARY, payload={"result": "已补全"})
    with pytest.raises(PermissionDeniedError):
        listed.fire(elders, "accept", actor=COMMUNITY_SECRETARY)
    listed.fire(elders, "accept", actor=STREET_SECRETARY)
    assert listed.get(elders).state == "closed"
    sweep = _held(listed, "环境卫生巡查")
    listed.fire(sweep, "push_down", actor=STREET_SECRETARY, payload={"location": f"{WENBIN}-G01"})
    listed.fire(sweep, "finish", actor="grid-secretary", payload={"result": "已巡查"})
    clock.advance(days=3, minutes=1)
    assert [e.trigger for e in listed.tick()] == ["remind", "accept_unchecked"]


def test_pushing_down_is_the_street_s_move_and_needs_a_place_below(listed: Engine) -> None:
    sweep = _held(listed, "环境卫生巡查")
    with pytest.raises(PermissionDeniedError):
        listed.fire(sweep, "push_down", actor=COMMUNITY_SECRETARY, payload={"location": WENBIN})
    with pytest.raises(InvalidRequestError, match="not below"):
        listed.fire(sweep, "push_down", actor=STREET_SECRETARY, payload={"location": JIANHUA})
    listed.fire(sweep, "push_down", actor=STREET_SECRETARY, payload={"location": WENBIN})
    with pytest.raises(GuardFailedError, match="result"):
        listed.fire(sweep, "finish", actor=COMMUNITY_SECRETARY, payload={"result": " "})


def test_who_carried_the_work_out_does_not_check_it(listed: Engine, clock: ManualClock) -> None:
    """A street cadre who is also the community's secretary (兼职) finishes the work: another
    checks it. The community cannot check its own work either, nor send it back."""
    org = listed.org
    assert org is not None
    org.add_person("double-hat", "街道干部兼社区书记", party_member=True)
    org.assign("double-hat", f"{WENBIN}/party", "secretary")
    org.assign("double-hat", WENHUA, "street_secretary")
    sweep = _held(listed, "环境卫生巡查")
    listed.fire(sweep, "push_down", actor=STREET_SECRETARY, payload={"location": WENBIN})
    clock.advance(days=15, minutes=1)
    assert [e.trigger for e in listed.tick()] == ["urge"]
    listed.fire(sweep, "finish", actor="double-hat", payload={"result": "已巡查"})
    for trigger in ("accept", "send_back"):
        with pytest.raises(PermissionDeniedError, match="did not handle"):
            listed.fire(sweep, trigger, actor="double-hat", payload={"reason": "x"})
    with pytest.raises(PermissionDeniedError):
        listed.fire(sweep, "send_back", actor=COMMUNITY_SECRETARY, payload={"reason": "x"})
    with pytest.raises(GuardFailedError, match="reason"):
        listed.fire(sweep, "send_back", actor=STREET_SECRETARY)
    listed.fire(sweep, "accept", actor=STREET_SECRETARY)


def test_every_shipped_workflow_passes_the_checks(listed: Engine) -> None:
    reports = {report.workflow: report for report in check_engine(listed)}
    for workflow in (WORKFLOW, WHISTLE, PUSH_DOWN):
        assert reports[workflow.name].ok, reports[workflow.name].problems


# --- the assessment, 三类网格 ---------------------------------------------------------------


def test_communities_are_ranked_on_figures_and_scores(engine: Engine, clock: ManualClock) -> None:
    """定量考核与定性评价相结合, one 大排名 of the street's communities."""
    issue_id = _publicized(engine)
    clock.advance(days=6)
    engine.tick()
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    communities = [u.id for u in engine.org.units(kind="community", under=WENHUA)]  # type: ignore[union-attr]
    runner_up = next(c for c in communities if c != WENBIN)
    ranking = assess(engine, {WENBIN: 80, runner_up: 95}, under=WENHUA)
    assert [a.community for a in ranking[:2]] == [WENBIN, runner_up]
    first = ranking[0]
    assert first.rank == 1
    # Completed, on time and satisfied (100 each): the publicity period (示) ends by the clock,
    # and a notice period passed on schedule is not lateness (按期办结率 counts handling states).
    assert first.quantitative == pytest.approx(100)
    assert first.total == pytest.approx(0.6 * 100 + 0.4 * 80)
    assert ranking[1].total == pytest.approx(0.4 * 95)
    assert len(ranking) == len(communities)
    with pytest.raises(ValueError, match=r"0\.\.100"):
        assess(engine, {WENBIN: 120})
    with pytest.raises(ValueError, match="sum to 1"):
        assess(engine, {}, weights=(0.5, 0.6))


def test_three_kinds_of_grid_each_with_its_code(org: OrgGraph) -> None:
    grids = [
        add_grid(org, f"{WENBIN}-G0{n}", name, community=WENBIN, grid_type=kind)
        for n, (kind, name) in enumerate(
            (("residential", "文宾小区网格"), ("commercial", "商圈网格"), ("unit", "学校网格")),
            start=1,
        )
    ]
    codes = [grid.code for grid in grids]
    assert all(code is not None and code.startswith(WENBIN) for code in codes)
    assert len(set(codes)) == 3
    assert grid_gaps(org, under=WENBIN) == []
    org.add_unit(f"{WENBIN}-G09", "grid", "未分类网格", parent=WENBIN)
    assert [(g.id, why) for g, why in grid_gaps(org, under=WENBIN)] == [
        (f"{WENBIN}-G09", "no code (网格赋码)"),
        (f"{WENBIN}-G09", "no grid type (三类网格)"),
    ]
    with pytest.raises(ValueError, match="grid type"):
        add_grid(org, "g", "g", community=WENBIN, grid_type="rural")
    with pytest.raises(ValueError, match="not a community"):
        add_grid(org, "g", "g", community=AREA, grid_type="unit")


def test_the_readme_shows_the_workflows_as_the_code_draws_them() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for workflow in (WORKFLOW, WHISTLE, PUSH_DOWN):
        assert f"```mermaid\n{workflow_to_mermaid(workflow)}```" in readme
    assert "汇、定、议、示、评" in readme


def test_only_the_secretary_declines_moves_up_and_publicizes(engine: Engine) -> None:
    issue_id = _collect(engine)
    for trigger in ("decline", "move_up"):
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, trigger, actor=RESIDENT, payload={"reason": "x"})
    _decide(engine, issue_id, AREA, AREA_SECRETARY)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "publicize", actor=RESIDENT, payload={"result": "x"})


@pytest.mark.parametrize("outcome", ["pass", "fail", "adjourn"])
def test_a_vote_stands_only_as_counted_and_recorded_by_the_secretary(
    engine: Engine, outcome: str
) -> None:
    """A forged tally is refused by the gate's count; a resident cannot record a vote."""
    issue_id = _collect(engine)
    engine.fire(issue_id, "set_agenda", actor=AREA_SECRETARY)
    members = engine.get(issue_id).data["bodies"]["council"]["members"]
    # What the meeting really did, for each claimed outcome: something else.
    really = {
        "pass": (members, members[:1]),  # failed
        "fail": (members, members),  # passed
        "adjourn": (members, members),  # quorate
    }[outcome]
    payload = {
        "gate": "deliberating",
        "outcome": {"pass": "passed", "fail": "failed", "adjourn": "adjourned"}[outcome],
        "attendees": sorted(really[0]),
        "for": sorted(really[1]),
        "against": [],
        "abstain": [],
    }
    trigger = f"{outcome}_deliberating"
    with pytest.raises(GuardFailedError, match="deliberating"):
        engine.fire(issue_id, trigger, actor=AREA_SECRETARY, payload=payload)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, trigger, actor=RESIDENT, payload=payload)
