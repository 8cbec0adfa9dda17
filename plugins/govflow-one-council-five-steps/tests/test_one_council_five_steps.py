"""三级联动·一会五步 as 文宾社区 (文化街道, 建华区, Qiqihar) runs it: 汇 → 定 → 议 → 示 → 评 in
the councils of the residential area, the community and the street, a matter moving up when
its level cannot settle it; 吹哨报到; 事项准入; the community ranking; 三类网格 with their codes.

Through the installed plugin (entry point ``one-council-five-steps``) and govflow's public API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from govflow_one_council_five_steps import (
    DELIBERATION,
    WHISTLE,
    WORKFLOW,
    access_list,
    add_grid,
    assess,
    conclude_above,
    delist_item,
    grid_gaps,
    list_item,
    move_up,
    overdue_parties,
    push_down,
    upper_place,
)

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import GuardFailedError, InvalidRequestError, PermissionDeniedError
from govflow.org import load_divisions

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


def test_a_matter_the_area_cannot_settle_moves_up_and_comes_back_decided(engine: Engine) -> None:
    """三级联动: the area's council cannot settle it; the community's council decides it; the area
    makes it public."""
    issue_id = _collect(engine)
    upper = move_up(engine, issue_id, actor=AREA_SECRETARY, reason="涉及两个小区, 本级议不了")
    assert engine.get(issue_id).state == "referred_up"
    assert (upper.location, upper.data["moved_up_from"]) == (WENBIN, issue_id)
    with pytest.raises(InvalidRequestError, match="not decided"):
        conclude_above(engine, issue_id, upper.id, actor=AREA_SECRETARY)
    _decide(engine, upper.id, WENBIN, COMMUNITY_SECRETARY)  # the community's council votes
    other = _collect(engine, by=NEIGHBOUR)
    with pytest.raises(InvalidRequestError, match="not moved up from"):
        conclude_above(engine, other, upper.id, actor=AREA_SECRETARY)
    conclude_above(engine, issue_id, upper.id, actor=AREA_SECRETARY)
    assert engine.get(issue_id).state == "publicized"


def test_the_levels_go_area_community_street_and_no_further(engine: Engine, org: OrgGraph) -> None:
    assert upper_place(org, AREA) == WENBIN
    assert upper_place(org, WENBIN) == WENHUA
    assert upper_place(org, WENHUA) is None
    street_matter = _collect(engine, place=WENHUA)
    with pytest.raises(GuardFailedError, match="upper-level"):
        move_up(engine, street_matter, actor=STREET_SECRETARY, reason="区里议")
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(_collect(engine), "move_up", actor=AREA_SECRETARY)


def test_only_the_party_secretary_of_the_place_sets_the_agenda(engine: Engine) -> None:
    issue_id = _collect(engine, place=WENBIN)
    for someone in (RESIDENT, AREA_SECRETARY):  # the area's secretary has no say at the community
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, "set_agenda", actor=someone)
    engine.fire(issue_id, "set_agenda", actor=COMMUNITY_SECRETARY)
    moved = _collect(engine)
    upper = move_up(engine, moved, actor=AREA_SECRETARY, reason="本级议不了")
    payload = {"upper_issue": upper.id, "outcome": "decided"}
    with pytest.raises(PermissionDeniedError):
        engine.fire(moved, "settled_above", actor=RESIDENT, payload=payload)
    with pytest.raises(GuardFailedError, match="upper-outcome"):
        engine.fire(moved, "settled_above", actor=AREA_SECRETARY, payload={"outcome": "x"})


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


def _whistled(engine: Engine) -> str:
    issue = engine.open("whistle-report", reporter=RESIDENT, location=WENHUA, category="违建")
    engine.fire(
        issue.id, "whistle", actor=STREET_SECRETARY, payload={"assignees": [DEPT_A, DEPT_B]}
    )
    return issue.id


def test_the_street_whistles_and_every_department_reports_in(engine: Engine) -> None:
    issue_id = _whistled(engine)
    engine.fire(issue_id, "report_in", actor="housing-officer", payload={"result": "已核查产权"})
    with pytest.raises(GuardFailedError, match="all-reported"):
        engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    engine.fire(issue_id, "report_in", actor="urban-officer", payload={"result": "已拆除"})
    engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    event = engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    assert event.destination == "closed"


def test_overdue_departments_are_recorded_and_escalated(engine: Engine, clock: ManualClock) -> None:
    issue_id = _whistled(engine)
    engine.fire(issue_id, "report_in", actor="housing-officer", payload={"result": "已核查"})
    clock.advance(days=2, minutes=1)
    [overdue] = engine.tick()
    assert (overdue.trigger, overdue.destination) == ("overdue", "escalated")
    assert overdue_parties(engine, issue_id) == [DEPT_B]
    for wrong in ([DEPT_A], [DEPT_A, DEPT_B], []):
        with pytest.raises(GuardFailedError, match="names-overdue"):
            engine.fire(
                issue_id, "escalate", actor="district-center-duty", payload={"overdue": wrong}
            )
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "escalate", actor=STREET_SECRETARY, payload={"overdue": [DEPT_B]})
    clock.advance(days=1, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["still_overdue"]
    engine.fire(issue_id, "escalate", actor="district-center-duty", payload={"overdue": [DEPT_B]})
    engine.fire(issue_id, "report_in", actor="urban-officer", payload={"result": "已处置"})
    assert overdue_parties(engine, issue_id) == []
    engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    clock.advance(days=8)
    assert [e.trigger for e in engine.tick()] == ["close_unrated"]


def test_only_the_street_whistles_and_only_for_departments(
    engine: Engine, clock: ManualClock
) -> None:
    issue = engine.open("whistle-report", reporter=RESIDENT, location=WENHUA)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "whistle", actor=COMMUNITY_SECRETARY, payload={"assignees": [DEPT_A]})
    with pytest.raises(GuardFailedError, match="departments"):
        engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"assignees": [WENBIN]})
    clock.advance(days=1, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["remind"]
    engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"assignees": [DEPT_A]})
    with pytest.raises(PermissionDeniedError, match="assignee"):
        engine.fire(issue.id, "report_in", actor="urban-officer", payload={"result": "x"})
    with pytest.raises(GuardFailedError, match="result"):
        engine.fire(issue.id, "report_in", actor="housing-officer", payload={"result": ""})
    engine.fire(issue.id, "report_in", actor="housing-officer", payload={"result": "done"})
    engine.fire(issue.id, "feed_back", actor=STREET_SECRETARY)
    for who, error in ((NEIGHBOUR, PermissionDeniedError), (RESIDENT, GuardFailedError)):
        with pytest.raises(error):
            engine.fire(issue.id, "evaluate", actor=who, payload={"satisfaction": "meh"})


def test_a_handler_who_reported_the_matter_does_not_evaluate_it(engine: Engine) -> None:
    issue = engine.open("whistle-report", reporter="housing-officer", location=WENHUA)
    engine.fire(issue.id, "whistle", actor=STREET_SECRETARY, payload={"assignees": [DEPT_A]})
    engine.fire(issue.id, "report_in", actor="housing-officer", payload={"result": "done"})
    engine.fire(issue.id, "feed_back", actor=STREET_SECRETARY)
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(
            issue.id, "evaluate", actor="housing-officer", payload={"satisfaction": "satisfied"}
        )


# --- 事项准入, the assessment, 三类网格 ------------------------------------------------------


def test_only_listed_items_are_pushed_down_to_a_community(engine: Engine) -> None:
    list_item(engine, WENBIN, "环境卫生巡查", actor=STREET_SECRETARY)
    list_item(engine, WENBIN, "老年人信息采集", actor=STREET_SECRETARY)
    with pytest.raises(PermissionDeniedError, match="not on the access list"):
        push_down(engine, WENBIN, "招商引资任务", by="housing-officer")
    assert list(engine.issues()) == []
    issue = push_down(engine, WENBIN, "环境卫生巡查", by="housing-officer")
    assert (issue.location, issue.category, issue.data["pushed_down_by"]) == (
        WENBIN,
        "环境卫生巡查",
        "housing-officer",
    )
    delist_item(engine, WENBIN, "环境卫生巡查", actor=STREET_SECRETARY)
    assert access_list(engine, WENBIN) == ("老年人信息采集",)
    with pytest.raises(PermissionDeniedError):
        push_down(engine, WENBIN, "环境卫生巡查", by="housing-officer")
    with pytest.raises(InvalidRequestError, match="already"):
        list_item(engine, WENBIN, "老年人信息采集", actor=STREET_SECRETARY)
    with pytest.raises(InvalidRequestError, match="not on the access list"):
        delist_item(engine, WENBIN, "招商引资任务", actor=STREET_SECRETARY)
    with pytest.raises(InvalidRequestError, match="not a community"):
        push_down(engine, AREA, "环境卫生巡查", by="housing-officer")
    assert engine.ledgers.verify("access-lists") == 3


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


def test_the_readme_shows_both_workflows_as_the_code_draws_them() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for workflow in (WORKFLOW, WHISTLE):
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


def test_departments_report_in_while_escalated_and_the_street_feeds_back(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _whistled(engine)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "feed_back", actor=RESIDENT)
    clock.advance(days=2, minutes=1)
    engine.tick()  # overdue: both departments
    assert engine.get(issue_id).state == "escalated"
    with pytest.raises(GuardFailedError, match="result"):
        engine.fire(issue_id, "report_in", actor="housing-officer", payload={})
    with pytest.raises(PermissionDeniedError, match="assignee"):
        engine.fire(issue_id, "report_in", actor=RESIDENT, payload={"result": "x"})
    engine.fire(issue_id, "report_in", actor="housing-officer", payload={"result": "已核查"})
    clock.advance(days=2, minutes=1)
    engine.tick()
    assert engine.get(issue_id).state == "escalated"
    with pytest.raises(GuardFailedError, match="all-reported"):
        engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "feed_back", actor=RESIDENT)
    engine.fire(issue_id, "report_in", actor="urban-officer", payload={"result": "已拆除"})
    # Reporting in from escalation brings the matter back to the summoned state; the street
    # feeds back from there. From escalation it can too, once all have reported:
    clock.advance(days=2, minutes=1)
    engine.tick()
    assert engine.get(issue_id).state == "escalated"
    event = engine.fire(issue_id, "feed_back", actor=STREET_SECRETARY)
    assert (event.source, event.destination) == ("escalated", "fed_back")
