"""四步工作法 as 全椒路社区 (明光路街道, 瑶海区, Hefei) runs it: needs gathered into the 需求清单,
matched against the 资源清单, taken up as problems (基层出题), answered by departments (部门答题),
solved jointly (联动解题), evaluated by the residents (群众评议).

Through the installed plugin (entry point ``four-step``) and govflow's public API only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from govflow_four_step import (
    CHIEF_CONVENER,
    SCHEMA,
    STANDING_MEMBER,
    WORKFLOW,
    add_need,
    add_resource,
    council_of,
    five_micro_count,
    four_lists,
    fulfil_wish,
    match_needs,
    open_wishes,
    set_up_council,
    take_up,
    unmatched_report,
)

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import (
    GuardFailedError,
    InvalidRequestError,
    PermissionDeniedError,
    UnknownUnitError,
)
from govflow.metrics import accountability
from govflow.org import DEFAULT_SCHEMA, load_divisions

START = datetime(2026, 5, 6, 1, tzinfo=UTC)
YAOHAI = "340102000000"  # 瑶海区
MINGGUANGLU = "340102001000"  # 明光路街道
QUANJIAOLU = "340102001003"  # 全椒路社区
JINDATANG = "340102001002"  # 金大塘社区, the neighbouring community
AREA = f"{QUANJIAOLU}-A01"  # a residential area of 全椒路社区 (synthetic)
CIVIL, URBAN, JUSTICE = "dept-civil-affairs", "dept-urban-management", "dept-justice"

SECRETARY = Actor("quanjiaolu-secretary", home_unit=QUANJIAOLU)  # holds the post in the graph


def staff_of(dept: str) -> str:
    """The person who acts for a department (units act through their people)."""
    return f"{dept}/staff"


GRID_WORKER = Actor("grid-worker-li", home_unit=AREA)
RESIDENT = Actor("resident-zhang", home_unit=AREA)
OUTSIDER = Actor("resident-of-jindatang", home_unit=JINDATANG)


def _yaohai() -> OrgGraph:
    """明光路街道 of 瑶海区 from the official table, with three district departments (全椒路社区
    paired with two of them), the party units, and a residential area (synthetic)."""
    org = load_divisions(prefix="340102001", graph=OrgGraph(DEFAULT_SCHEMA.merge(SCHEMA)))
    org.add_unit(AREA, "residential_area", "全椒路小区", parent=QUANJIAOLU)
    for dept, name in ((CIVIL, "区民政局"), (URBAN, "区城管局"), (JUSTICE, "区司法局")):
        org.add_unit(dept, "department", name, parent=YAOHAI)
    org.add_edge("pairs_with", CIVIL, QUANJIAOLU)  # 结对帮扶: 让社区多个帮手
    org.add_edge("pairs_with", URBAN, QUANJIAOLU)
    org.add_unit("mingguanglu/party", "party_working_committee", "明光路街道党工委")
    org.add_edge("leads", "mingguanglu/party", MINGGUANGLU)
    org.add_unit("quanjiaolu/party", "community_party_committee", "全椒路社区党委")
    org.add_edge("leads", "quanjiaolu/party", QUANJIAOLU)
    for person, home in (("resident-zhang", AREA), ("resident-of-jindatang", JINDATANG)):
        org.add_person(person, person, home_unit=home)
    # Authority comes from the graph: the community secretary's post in the community's party
    # committee, and a member of staff in each department (a unit acts through its people).
    org.add_person(SECRETARY.id, "全椒路社区书记", party_member=True, home_unit=QUANJIAOLU)
    org.assign(SECRETARY.id, "quanjiaolu/party", "community_secretary")
    for dept in (CIVIL, URBAN, JUSTICE):
        org.add_person(staff_of(dept), f"{dept}工作人员")
        org.assign(staff_of(dept), dept, "staff")
    return org


@pytest.fixture
def org() -> OrgGraph:
    return _yaohai()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock, org: OrgGraph) -> Engine:
    return govflow_engine(autoload=True, clock=clock, org=org)


def _lists(engine: Engine) -> None:
    """需求清单 and 资源清单 of 全椒路社区."""
    add_need(
        engine,
        "need-1",
        category="环境整治",
        place=AREA,
        text="小区楼道堆物, 消防通道堵塞",
        source="网格员入户走访",
        actor=GRID_WORKER,
    )
    add_need(
        engine,
        "need-2",
        category="法律援助",
        place=AREA,
        text="老人赡养纠纷, 需法律咨询",
        source="党群议事会",
        actor=SECRETARY,
    )
    add_need(
        engine,
        "need-3",
        category="党的建设",
        place=AREA,
        text="老党员希望开展党史学习",
        source="调查问卷",
        actor=SECRETARY,
    )
    add_resource(
        engine,
        "res-urban",
        kind="service",
        category="环境整治",
        provider=URBAN,
        place=YAOHAI,  # a district service, offered to its paired communities
        text="城管执法队清理楼道",
        actor=URBAN,
    )
    add_resource(
        engine,
        "res-lawyer",
        kind="skill",
        category="法律援助",
        provider=JUSTICE,
        place=MINGGUANGLU,  # offered to every community of the street
        text="律师每周坐班",
        actor=JUSTICE,
    )
    add_resource(
        engine,
        "res-room",
        kind="room",
        category="党的建设",
        provider="unit-power-company",
        place=JINDATANG,  # another community's: does not cover 全椒路
        text="供电公司党员活动室",
        actor="unit-power-company",
    )
    add_resource(
        engine,
        "res-funds",
        kind="funds",
        category="民生保障",
        provider=CIVIL,
        place=QUANJIAOLU,
        text="困难家庭临时救助金",
        actor=CIVIL,
        amount=20000,
    )


def _posed(engine: Engine) -> str:
    """基层出题: the community poses a problem of its own."""
    issue = engine.open(
        "four-step",
        reporter=SECRETARY,
        location=AREA,
        category="社区治理",
        data={"text": "小区停车难, 车辆乱停"},
    )
    return issue.id


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("four-step")
    assert engine.workflow("four-step") == WORKFLOW
    assert {"needs", "resources", "micro-wishes"} <= set(engine.ledgers.specs)
    assert engine.plugins.org_schema(DEFAULT_SCHEMA).layer_of("party_masses_council") == "council"


def test_needs_are_matched_by_category_and_place_and_the_rest_reported(engine: Engine) -> None:
    _lists(engine)
    matching = match_needs(engine)
    assert [(m.need.subject, [r.subject for r in m.resources]) for m in matching.matched] == [
        ("need-1", ["res-urban"]),  # 城管局 is paired with 全椒路社区
        ("need-2", ["res-lawyer"]),  # the street's lawyer covers its communities
    ]
    assert [n.subject for n in matching.unmatched] == ["need-3"]  # the room is 金大塘's
    assert unmatched_report(matching) == [f"need-3 @ {AREA}: 党的建设 — 老党员希望开展党史学习"]
    assert engine.ledgers.verify("needs") == 3
    assert engine.ledgers.verify("resources") == 4


def test_a_department_resource_covers_only_its_paired_communities(engine: Engine) -> None:
    add_need(
        engine,
        "need-j",
        category="环境整治",
        place=JINDATANG,
        text="垃圾分类亭破损",
        source="居民代表会议",
        actor=SECRETARY,
    )
    _lists(engine)
    assert "need-j" in {n.subject for n in match_needs(engine).unmatched}


def test_a_matched_need_is_taken_up_as_a_problem_for_its_providers(engine: Engine) -> None:
    _lists(engine)
    [first, _] = match_needs(engine).matched
    issue = take_up(engine, first, actor=SECRETARY)
    assert (issue.state, issue.location, issue.category) == ("posed", AREA, "环境整治")
    assert issue.data["providers"] == [URBAN]
    assert [m.need.subject for m in match_needs(engine).matched] == ["need-2"]
    with pytest.raises(InvalidRequestError, match="taken up already"):
        take_up(engine, first, actor=SECRETARY)
    engine.fire(issue.id, "assign", actor=SECRETARY)
    assert engine.get(issue.id).assignees == (URBAN,)


def test_four_steps_from_a_need_to_the_residents_verdict(engine: Engine) -> None:
    """需求清单 → 基层出题 → 部门答题 → 群众评议, and the four lists the seed names."""
    _lists(engine)
    issue = take_up(engine, match_needs(engine).matched[0], actor=SECRETARY)  # 基层出题
    engine.fire(issue.id, "assign", actor=SECRETARY)  # to the provider: 城管局
    engine.fire(  # 部门答题
        issue.id,
        "answer",
        actor=Actor(staff_of(URBAN)),
        payload={"answer": "已清理楼道, 设立堆物巡查"},
    )
    event = engine.fire(  # 群众评议
        issue.id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    lists = four_lists(engine)
    assert all(
        lists[name] == [issue.id] for name in ("问题清单", "责任清单", "服务清单", "成效清单")
    )
    report = accountability(engine)
    assert report.plugin_metrics["four-step.lists"] == {
        "问题清单": 1,
        "责任清单": 1,
        "服务清单": 1,
        "成效清单": 1,
    }


def test_a_problem_of_the_communitys_own_goes_to_its_paired_departments(engine: Engine) -> None:
    issue_id = _posed(engine)
    engine.fire(issue_id, "assign", actor=SECRETARY)
    assert engine.get(issue_id).assignees == (CIVIL, URBAN)  # 让社区多个帮手
    engine.fire(
        issue_id, "answer", actor=Actor(staff_of(CIVIL)), payload={"answer": "划定临时停车位"}
    )
    assert engine.get(issue_id).state == "evaluating"


def test_a_community_without_helpers_names_its_departments(engine: Engine, org: OrgGraph) -> None:
    secretary = "jindatang-secretary"  # 金大塘社区's own: 全椒路's secretary has no post here
    org.add_person(secretary, secretary, party_member=True)
    org.assign(secretary, JINDATANG, "community_secretary")
    issue = engine.open("four-step", reporter=secretary, location=JINDATANG, category="社区治理")
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "assign", actor=SECRETARY)
    with pytest.raises(GuardFailedError, match="departments"):
        engine.fire(issue.id, "assign", actor=secretary)
    engine.fire(issue.id, "assign", actor=secretary, payload={"assignees": [JUSTICE]})
    assert engine.get(issue.id).assignees == (JUSTICE,)


def test_departments_solve_jointly_and_it_moves_on_once_all_have_reported(
    engine: Engine,
) -> None:
    """联动解题: several departments, each reports its part; only then to the residents."""
    issue_id = _posed(engine)
    engine.fire(issue_id, "assign", actor=SECRETARY)
    with pytest.raises(GuardFailedError, match="several-parties"):
        engine.fire(issue_id, "call_joint", actor=SECRETARY, payload={"assignees": [URBAN]})
    engine.fire(issue_id, "call_joint", actor=SECRETARY, payload={"assignees": [URBAN, JUSTICE]})
    assert engine.get(issue_id).state == "joint"
    with pytest.raises(PermissionDeniedError, match="assignee"):
        engine.fire(issue_id, "report_part", actor=Actor(staff_of(CIVIL)), payload={"answer": "x"})
    with pytest.raises(GuardFailedError, match="answer"):
        engine.fire(issue_id, "report_part", actor=Actor(staff_of(URBAN)))
    engine.fire(
        issue_id, "report_part", actor=Actor(staff_of(URBAN)), payload={"answer": "整治乱停"}
    )
    with pytest.raises(GuardFailedError, match="all-reported"):
        engine.fire(issue_id, "conclude", actor=SECRETARY)
    engine.fire(
        issue_id, "report_part", actor=Actor(staff_of(JUSTICE)), payload={"answer": "调解车位纠纷"}
    )
    event = engine.fire(issue_id, "conclude", actor=SECRETARY)
    assert event.destination == "evaluating"


def test_only_the_community_poses_assigns_calls_and_concludes(engine: Engine) -> None:
    issue_id = _posed(engine)
    for trigger in ("assign", "withdraw"):
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, trigger, actor=RESIDENT, payload={"reason": "x"})
    engine.fire(issue_id, "assign", actor=SECRETARY)
    with pytest.raises(PermissionDeniedError):
        engine.fire(
            issue_id,
            "call_joint",
            actor=Actor(staff_of(CIVIL)),
            payload={"assignees": [CIVIL, URBAN]},
        )
    engine.fire(issue_id, "call_joint", actor=SECRETARY, payload={"assignees": [CIVIL, URBAN]})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "conclude", actor=Actor(staff_of(CIVIL)))


def test_only_an_assigned_department_answers(engine: Engine) -> None:
    issue_id = _posed(engine)
    engine.fire(issue_id, "assign", actor=SECRETARY)
    with pytest.raises(PermissionDeniedError, match="assignee"):
        engine.fire(issue_id, "answer", actor=Actor(staff_of(JUSTICE)), payload={"answer": "x"})
    with pytest.raises(GuardFailedError, match="answer"):
        engine.fire(issue_id, "answer", actor=Actor(staff_of(CIVIL)), payload={"answer": " "})


def test_a_problem_is_withdrawn_only_with_a_reason(engine: Engine) -> None:
    issue_id = _posed(engine)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "withdraw", actor=SECRETARY)
    event = engine.fire(issue_id, "withdraw", actor=SECRETARY, payload={"reason": "已由物业解决"})
    assert event.destination == "withdrawn"


def _answered(engine: Engine) -> str:
    issue_id = _posed(engine)
    engine.fire(issue_id, "assign", actor=SECRETARY)
    engine.fire(
        issue_id, "answer", actor=Actor(staff_of(CIVIL)), payload={"answer": "划定临时停车位"}
    )
    return issue_id


def test_the_residents_of_the_place_evaluate_and_nobody_else(engine: Engine) -> None:
    issue_id = _answered(engine)
    for who, error, match in (
        (OUTSIDER, GuardFailedError, "resident-of-place"),  # lives in 金大塘社区
        (Actor("walk-in"), GuardFailedError, "resident-of-place"),  # unknown: no home
        (Actor(staff_of(CIVIL), home_unit=AREA), PermissionDeniedError, "did not handle"),
    ):
        with pytest.raises(error, match=match):
            engine.fire(issue_id, "evaluate", actor=who, payload={"satisfaction": "satisfied"})
    with pytest.raises(GuardFailedError, match="satisfaction"):
        engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "great"})
    # A resident known to the org graph by id, without an Actor home_unit, counts as well.
    event = engine.fire(
        issue_id, "evaluate", actor=Actor("resident-zhang"), payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"


def test_residents_send_an_answer_back_to_the_departments(engine: Engine) -> None:
    issue_id = _answered(engine)
    with pytest.raises(GuardFailedError, match="reason"):
        engine.fire(issue_id, "send_back", actor=RESIDENT)
    with pytest.raises(GuardFailedError, match="resident-of-place"):
        engine.fire(issue_id, "send_back", actor=OUTSIDER, payload={"reason": "x"})
    with pytest.raises(PermissionDeniedError, match="did not handle"):
        engine.fire(issue_id, "send_back", actor=Actor(staff_of(CIVIL)), payload={"reason": "x"})
    event = engine.fire(issue_id, "send_back", actor=RESIDENT, payload={"reason": "车位不够"})
    assert event.destination == "answering"
    assert "成效清单" not in {k for k, v in four_lists(engine).items() if issue_id in v}


@pytest.mark.parametrize(
    ("moves", "hours", "trigger", "state"),
    [
        ([], 73, "remind", "posed"),
        (["assign"], 121, "urge", "answering"),
        (["assign", "call_joint"], 241, "urge_joint", "joint"),
        (["assign", "answer"], 169, "close_unrated", "closed"),
    ],
)
def test_every_step_has_its_time_limit(  # noqa: PLR0917  (the parameters of one case)
    engine: Engine, clock: ManualClock, moves: list[str], hours: int, trigger: str, state: str
) -> None:
    issue_id = _posed(engine)
    payloads = {
        "assign": (SECRETARY, {}),
        "call_joint": (SECRETARY, {"assignees": [CIVIL, URBAN]}),
        "answer": (Actor(staff_of(CIVIL)), {"answer": "已答复"}),
    }
    for move in moves:
        actor, payload = payloads[move]
        engine.fire(issue_id, move, actor=actor, payload=payload)
    clock.advance(hours=hours)
    [event] = engine.tick()
    assert (event.trigger, event.destination) == (trigger, state)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("category", "文体活动", "category"),
        ("source", "微信群", "source"),
        ("place", "no-such-unit", "no-such-unit"),
    ],
)
def test_a_malformed_need_is_refused(engine: Engine, field: str, value: str, problem: str) -> None:
    fields = {
        "category": "环境整治",
        "place": AREA,
        "text": "x",
        "source": "调查问卷",
        "actor": SECRETARY,
    }
    fields[field] = value
    with pytest.raises(InvalidRequestError, match=problem):
        add_need(engine, "need-x", **fields)  # type: ignore[arg-type]
    assert engine.ledgers.entries("needs") == []


def test_a_need_or_resource_is_listed_once(engine: Engine) -> None:
    _lists(engine)
    with pytest.raises(InvalidRequestError, match="already"):
        add_need(
            engine,
            "need-1",
            category="环境整治",
            place=AREA,
            text="x",
            source="调查问卷",
            actor=SECRETARY,
        )
    with pytest.raises(InvalidRequestError, match="already"):
        add_resource(
            engine,
            "res-urban",
            kind="service",
            category="环境整治",
            provider=URBAN,
            place=YAOHAI,
            text="x",
            actor=URBAN,
        )
    with pytest.raises(InvalidRequestError, match="kind"):
        add_resource(
            engine,
            "res-new",
            kind="promise",
            category="环境整治",
            provider=URBAN,
            place=YAOHAI,
            text="x",
            actor=URBAN,
        )


def test_the_five_micro_ledgers(engine: Engine) -> None:
    """五微台账: 微实事, 微心愿, 微团队, 微创投, 微网格, counted per street."""
    ledgers = engine.ledgers
    ledgers.record(
        "micro-projects",
        "project",
        actor=SECRETARY,
        unit=AREA,
        subject="p-1",
        data={"title": "加装楼道声控灯", "funds": 3000},
    )
    ledgers.record(
        "micro-wishes", "wish", actor=GRID_WORKER, unit=AREA, subject="w-1", data={"wish": "轮椅"}
    )
    ledgers.record(
        "micro-wishes", "wish", actor=GRID_WORKER, unit=AREA, subject="w-2", data={"wish": "助听器"}
    )
    ledgers.record(
        "micro-teams",
        "team",
        actor=SECRETARY,
        unit=QUANJIAOLU,
        subject="永久牌志愿服务队",
        data={"team": "永久牌志愿服务队", "volunteers": 36},
    )
    ledgers.record(
        "micro-ventures",
        "project",
        actor=SECRETARY,
        unit=QUANJIAOLU,
        subject="v-1",
        data={"title": "老年助餐", "funds": 50000},
    )
    ledgers.record(
        "micro-grids", "grid", actor=SECRETARY, unit=AREA, subject="g-1", data={"grid": "一网格"}
    )
    ledgers.record(
        "micro-grids", "grid", actor=SECRETARY, unit=JINDATANG, subject="g-9", data={"grid": "九"}
    )
    fulfil_wish(engine, "w-1", by="unit-power-company", note="供电公司党支部认领")
    assert [e.subject for e in open_wishes(engine)] == ["w-2"]
    with pytest.raises(InvalidRequestError, match="already"):
        fulfil_wish(engine, "w-1", by="someone")
    with pytest.raises(InvalidRequestError, match="no 微心愿"):
        fulfil_wish(engine, "w-404", by="someone")
    with pytest.raises(InvalidRequestError, match="title"):
        ledgers.record("micro-projects", "project", actor=SECRETARY, data={"funds": 1})
    assert five_micro_count(engine, under=QUANJIAOLU) == {
        "micro-projects": 1,
        "micro-wishes": 3,
        "micro-teams": 1,
        "micro-ventures": 1,
        "micro-grids": 1,
    }
    assert five_micro_count(engine)["micro-grids"] == 2
    assert all(ledgers.verify(name) >= 1 for name in five_micro_count(engine))


def test_the_party_masses_council_at_street_and_community_level(org: OrgGraph) -> None:
    """党群议事会: 总召集人 (a district leader, a district-managed leader) and 常任议事委员."""
    for person in ("district-leader-huang", "leader-wang", "dept-head-1", "unit-head-2"):
        org.add_person(person, person, party_member=True)
    street = set_up_council(
        org, MINGGUANGLU, convener="district-leader-huang", standing_members=["dept-head-1"]
    )
    community = set_up_council(
        org, QUANJIAOLU, convener="leader-wang", standing_members=["dept-head-1", "unit-head-2"]
    )
    assert council_of(org, QUANJIAOLU) == community
    assert org.convener(street.id) == org.unit("mingguanglu/party")
    assert [p.person.id for p in org.members(community.id, CHIEF_CONVENER)] == ["leader-wang"]
    assert [p.person.id for p in org.members(community.id, STANDING_MEMBER)] == [
        "dept-head-1",
        "unit-head-2",
    ]
    assert council_of(org, JINDATANG) is None
    with pytest.raises(ValueError, match="street or a community"):
        set_up_council(org, AREA, convener="leader-wang")
    with pytest.raises(ValueError, match="no party unit"):
        set_up_council(org, JINDATANG, convener="leader-wang")
    with pytest.raises(UnknownUnitError):
        set_up_council(org, "nowhere", convener="leader-wang")


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "基层出题、部门答题、联动解题、群众评议" in readme
