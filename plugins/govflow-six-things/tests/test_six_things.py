"""六事工作法, step by step, as 喻义巷社区 runs it: residents ask for a charging shed for e-bikes.

百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事. Through the installed plugin
(entry point ``six-things``) and govflow's public API only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from govflow_six_things import CONSULTATION, WORKFLOW

from govflow import Actor, Engine, ManualClock, OrgGraph, workflow_to_mermaid
from govflow.errors import GuardFailedError, PermissionDeniedError, TransitionNotAllowedError

START = datetime(2026, 5, 6, 9, tzinfo=UTC)
YUYIXIANG = "340303001001"  # 喻义巷社区, 天桥街道, 蚌山区

RESIDENT = Actor("resident-zhang", home_unit=YUYIXIANG)
NEIGHBOUR = Actor("resident-liu", home_unit=YUYIXIANG)
# Without an org graph a claimed post counts (the org-based form: tests/test_composition_bengbu.py)
COMMITTEES = Actor("yuyixiang-two-committees", roles={"director"}, home_unit=YUYIXIANG)
COUNCIL = [f"councillor-{i}" for i in range(1, 10)]  # 居民议事会, 9 members
MEETING = [*COUNCIL[:5], "property-company", "owners-committee", "street-office", "power-supply"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock) -> Engine:
    # govflow.testing's engine (its moves count towards --govflow-coverage), with installed
    # plugins autoloaded: the plugin is found through its entry point.
    return govflow_engine(autoload=True, clock=clock)


def _raise_matter(engine: Engine) -> str:
    """百姓点事: a resident raises the matter."""
    issue = engine.open(
        "six-things",
        reporter=RESIDENT,
        location=None,
        data={
            "subject": "小区电动车集中充电棚",
            "community": YUYIXIANG,
            "bodies": {"residents_council": COUNCIL, "meeting": MEETING},
        },
    )
    return issue.id


def _to_decision(engine: Engine, issue_id: str) -> None:
    engine.fire(issue_id, "table", actor=COMMITTEES)
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:7]
    )


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("six-things")
    assert engine.workflow("six-things") == WORKFLOW


def test_six_things_from_raising_to_public_evaluation(engine: Engine) -> None:
    """百姓点事 → '两委'提事 → 居民议事 → 与会决事 → 多元办事 → 公众评事."""
    issue_id = _raise_matter(engine)  # 百姓点事
    assert engine.get(issue_id).state == "raised"
    engine.fire(issue_id, "table", actor=COMMITTEES)  # '两委'提事
    assert engine.get(issue_id).state == "residents_deliberation"
    event = CONSULTATION.record_vote(  # 居民议事
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    assert event.destination == "meeting_decision"
    event = CONSULTATION.record_vote(  # 与会决事
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:7]
    )
    assert event.destination == "decided"
    parties = ["property-company", "power-supply", "grid-worker-5"]
    event = engine.fire(  # 多元办事
        issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": parties}
    )
    assert engine.get(issue_id).assignees == tuple(parties)
    # every party carries out its part: one party's report does not move the matter on
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    assert engine.get(issue_id).state == "carrying_out"
    assert [p.id for p in engine.parties(issue_id, pending=True)] == [
        "property-company",
        "grid-worker-5",
    ]
    engine.fire(issue_id, "report_done", actor=Actor("property-company"))
    engine.fire(issue_id, "report_done", actor=Actor("grid-worker-5"))
    assert engine.get(issue_id).state == "evaluating"
    event = engine.fire(  # 公众评事
        issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"
    history = engine.history(issue_id)
    assert all(e.plugin is not None and e.plugin.name == "six-things" for e in history)
    assert engine.verify(issue_id) == len(history)


def test_deliberation_and_decision_cannot_be_skipped(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    for trigger in ("pass_meeting_decision", "dispatch"):
        with pytest.raises(TransitionNotAllowedError):
            engine.fire(
                issue_id,
                trigger,
                actor=COMMITTEES,
                payload={"outcome": "passed", "assignees": ["x"]},
            )


def test_the_two_committees_decline_only_with_a_reason(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "decline", actor=COMMITTEES)
    event = engine.fire(
        issue_id, "decline", actor=COMMITTEES, payload={"reason": "属物业合同范围, 转物业办理"}
    )
    assert event.destination == "declined"


def test_only_the_two_committees_table_a_matter(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "table", actor=RESIDENT)


def test_residents_not_agreeing_return_the_matter_to_the_two_committees(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    event = CONSULTATION.record_vote(
        engine,
        issue_id,
        actor=COMMITTEES,
        attendees=COUNCIL[:6],
        votes_for=COUNCIL[:3],
        against=COUNCIL[3:6],
    )
    assert (event.trigger, event.destination) == ("fail_residents_deliberation", "raised")


def test_a_meeting_that_does_not_decide_returns_to_deliberation(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
    )
    event = CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=MEETING, votes_for=MEETING[:4]
    )
    assert (event.trigger, event.destination) == ("fail_meeting_decision", "residents_deliberation")


def test_those_who_carried_it_out_do_not_evaluate_it(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    worker = Actor("property-company")
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": [worker.id]})
    engine.fire(issue_id, "report_done", actor=worker)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "evaluate", actor=worker, payload={"satisfaction": "satisfied"})


def test_the_public_may_send_the_work_back(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": ["power-supply"]})
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    event = engine.fire(issue_id, "send_back", actor=NEIGHBOUR, payload={"reason": "充电桩不足"})
    assert event.destination == "carrying_out"


def test_unrated_work_closes_after_seven_days(engine: Engine, clock: ManualClock) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": ["power-supply"]})
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    clock.advance(days=7)
    [event] = engine.tick()
    assert (event.trigger, event.destination) == ("close_unrated", "closed")


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "六事工作法" in readme


@pytest.mark.parametrize(
    ("gate", "members"), [("residents_deliberation", COUNCIL), ("meeting_decision", MEETING)]
)
def test_a_meeting_without_quorum_adjourns_and_meets_again(
    engine: Engine, gate: str, members: list[str]
) -> None:
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    if gate == "meeting_decision":
        CONSULTATION.record_vote(
            engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
        )
    event = CONSULTATION.record_vote(
        engine, issue_id, actor=COMMITTEES, attendees=members[:1], votes_for=members[:1]
    )
    assert event.trigger == f"adjourn_{gate}"
    assert engine.get(issue_id).state == gate


def test_a_matter_nobody_tables_is_brought_back_every_week(
    engine: Engine, clock: ManualClock
) -> None:
    """百姓点事 must not be left lying: after 7 days the clock reminds the two committees."""
    issue_id = _raise_matter(engine)
    clock.advance(days=7, minutes=1)
    (reminder,) = engine.tick()
    assert (reminder.trigger, reminder.actor) == ("remind", "system:clock")
    assert engine.get(issue_id).state == "raised"
    assert engine.tick() == []  # the next reminder is a week away
    clock.advance(days=7)
    assert [e.trigger for e in engine.tick()] == ["remind"]


def test_a_decision_nobody_dispatches_is_brought_back(engine: Engine, clock: ManualClock) -> None:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    assert engine.get(issue_id).state == "decided"
    clock.advance(days=3, minutes=1)
    assert [e.trigger for e in engine.tick()] == ["overdue_dispatch"]
    assert engine.get(issue_id).state == "decided"


# --- 多元办事 waits for every party; 公众评事 is the public's ---------------------------------


def _carrying_out(engine: Engine, parties: list[str]) -> str:
    issue_id = _raise_matter(engine)
    _to_decision(engine, issue_id)
    engine.fire(issue_id, "dispatch", actor=COMMITTEES, payload={"assignees": parties})
    return issue_id


def test_every_party_must_report_and_only_the_parties_report(engine: Engine) -> None:
    """多元办事: the matter waits for the last party; a stranger's report is refused, and a
    party's second report does not stand for another's."""
    parties = ["property-company", "power-supply"]
    issue_id = _carrying_out(engine, parties)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "report_done", actor=Actor("street-office"))
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    with pytest.raises(PermissionDeniedError, match="has not reported"):
        engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    assert engine.get(issue_id).state == "carrying_out"
    assert [p.id for p in engine.parties(issue_id, pending=True)] == ["property-company"]
    engine.fire(issue_id, "report_done", actor=Actor("property-company"))
    assert engine.get(issue_id).state == "evaluating"


def test_a_party_late_with_its_part_is_recorded_and_still_owes_it(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _carrying_out(engine, ["property-company", "power-supply"])
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    clock.advance(days=30, minutes=1)
    events = engine.tick()
    assert [e.payload.get("party") for e in events if e.trigger == "party_overdue"] == [
        "property-company"
    ]
    assert engine.get(issue_id).state == "carrying_out"  # the join still waits for it
    engine.fire(issue_id, "report_done", actor=Actor("property-company"))
    assert engine.get(issue_id).state == "evaluating"


@pytest.mark.parametrize(
    ("evaluator", "why"),
    [
        (Actor("resident-from-elsewhere", home_unit="340303001002"), "lives elsewhere"),
        (Actor("nobody-knows-where"), "says nowhere"),
        (COMMITTEES, "sits on the two committees that dispatched the work"),
    ],
)
def test_the_public_evaluates_not_the_two_committees_nor_outsiders(
    engine: Engine, evaluator: Actor, why: str
) -> None:
    issue_id = _carrying_out(engine, ["power-supply"])
    engine.fire(issue_id, "report_done", actor=Actor("power-supply"))
    for trigger, payload in (
        ("evaluate", {"satisfaction": "satisfied"}),
        ("send_back", {"reason": "充电桩不足"}),
    ):
        with pytest.raises(GuardFailedError, match="six-things:public"):
            engine.fire(issue_id, trigger, actor=evaluator, payload=payload)
    assert engine.get(issue_id).state == "evaluating", why
    with pytest.raises(GuardFailedError, match="six-things:satisfaction"):
        engine.fire(issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "great"})
    with pytest.raises(GuardFailedError, match="six-things:reason"):
        engine.fire(issue_id, "send_back", actor=NEIGHBOUR, payload={})
    engine.fire(issue_id, "evaluate", actor=NEIGHBOUR, payload={"satisfaction": "satisfied"})


# --- with the org graph: the two committees, the bodies and the public are the graph's ------


def _yuyixiang() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("340303001000", "street", "天桥街道")
    for community, name in ((YUYIXIANG, "喻义巷社区"), ("340303001002", "邻近社区")):
        org.add_unit(community, "community", name, parent="340303001000")
    org.add_unit(f"{YUYIXIANG}-G01", "grid", "第1网格", parent=YUYIXIANG)
    party = org.add_unit(f"{YUYIXIANG}/party", "community_party_committee", "喻义巷社区党委")
    org.add_edge("leads", party.id, YUYIXIANG)
    branch = org.add_unit(f"{YUYIXIANG}-G01/party", "branch", "第1网格党支部", parent=party.id)
    org.add_edge("leads", branch.id, f"{YUYIXIANG}-G01")
    council = org.add_unit(f"{YUYIXIANG}/council", "residents_council", "喻义巷居民议事会")
    org.add_edge("convenes", party.id, council.id)
    people = [
        ("secretary", party.id, "secretary", YUYIXIANG),
        ("director", YUYIXIANG, "director", YUYIXIANG),
        ("grid-secretary", branch.id, "secretary", f"{YUYIXIANG}-G01"),
        *((f"councillor-{i}", council.id, "councillor", YUYIXIANG) for i in range(5)),
        ("property-manager", "property", "manager", None),
        ("power-officer", "power", "officer", None),
    ]
    org.add_unit("340303/dept-power", "department", "供电公司", parent=None)
    org.add_edge("pairs_with", "340303/dept-power", YUYIXIANG)
    org.add_unit("property", "work_unit", "物业公司")
    org.add_edge("pairs_with", "property", YUYIXIANG)
    for pid, unit, role, home in people:
        org.add_person(pid, pid, home_unit=home)
        org.assign(pid, "340303/dept-power" if unit == "power" else unit, role)
    org.add_person("resident-liu", "刘", home_unit=f"{YUYIXIANG}-G01")
    org.add_person("resident-ma", "马", home_unit="340303001002")
    return org


def test_six_things_over_the_org_graph(
    govflow_engine: Callable[..., Engine], clock: ManualClock
) -> None:
    org = _yuyixiang()
    engine = govflow_engine(autoload=True, clock=clock, org=org)
    with pytest.raises(PermissionDeniedError, match="may not supply the body"):
        engine.open(
            "six-things",
            reporter="resident-liu",
            location=YUYIXIANG,
            data={"bodies": {"residents_council": ["resident-liu"]}},
        )
    issue = engine.open(
        "six-things",
        reporter="resident-liu",
        location=f"{YUYIXIANG}-G01",
        data={"subject": "充电棚"},
    )
    with pytest.raises(PermissionDeniedError):  # a grid's branch is not the two committees
        engine.fire(issue.id, "table", actor="grid-secretary")
    engine.fire(issue.id, "table", actor="director")
    council = engine.get(issue.id).data["bodies"]["residents_council"]["members"]
    assert council == [f"councillor-{i}" for i in range(5)]
    CONSULTATION.record_vote(
        engine, issue.id, actor="secretary", attendees=council[:3], votes_for=council[:3]
    )
    meeting = engine.get(issue.id).data["bodies"]["meeting"]["members"]
    assert set(meeting) == {*council, "secretary", "director", "property-manager", "power-officer"}
    CONSULTATION.record_vote(
        engine, issue.id, actor="director", attendees=meeting, votes_for=meeting
    )
    engine.fire(
        issue.id,
        "dispatch",
        actor="director",
        payload={"assignees": ["340303/dept-power", "property"]},
    )
    engine.fire(issue.id, "report_done", actor="power-officer")  # a unit acts through its people
    status = {p.id: p.status for p in engine.parties(issue.id)}
    assert status == {"340303/dept-power": "reported", "property": "pending"}
    assert engine.get(issue.id).state == "carrying_out"
    engine.fire(issue.id, "report_done", actor="property-manager")
    for outsider in ("resident-ma", "director", "secretary", "power-officer"):
        with pytest.raises((GuardFailedError, PermissionDeniedError)):
            engine.fire(issue.id, "evaluate", actor=outsider, payload={"satisfaction": "satisfied"})
    event = engine.fire(
        issue.id, "evaluate", actor="resident-liu", payload={"satisfaction": "satisfied"}
    )
    assert event.destination == "closed"


GATES = {"residents_deliberation": COUNCIL, "meeting_decision": MEETING}


def _vote(gate: str, present: list[str], votes_for: list[str]) -> dict[str, object]:
    return {
        "gate": gate,
        "attendees": sorted(present),
        "for": sorted(votes_for),
        "against": sorted(set(present) - set(votes_for)),
        "abstain": [],
    }


@pytest.mark.parametrize("gate", sorted(GATES))
def test_every_meeting_is_recorded_by_the_two_committees_and_recounted(
    engine: Engine, gate: str
) -> None:
    """A resident cannot record a meeting; the two committees cannot claim an outcome the
    ballots do not give. Nothing changes either way."""
    issue_id = _raise_matter(engine)
    engine.fire(issue_id, "table", actor=COMMITTEES)
    if gate == "meeting_decision":
        CONSULTATION.record_vote(
            engine, issue_id, actor=COMMITTEES, attendees=COUNCIL[:7], votes_for=COUNCIL[:6]
        )
    members = GATES[gate]
    before = (engine.get(issue_id), engine.history(issue_id))
    unanimous, rejected = _vote(gate, members, members), _vote(gate, members, [])
    for trigger, meeting in (
        (f"pass_{gate}", unanimous),
        (f"fail_{gate}", rejected),
        (f"adjourn_{gate}", _vote(gate, members[:1], [])),
    ):
        with pytest.raises(PermissionDeniedError):
            engine.fire(issue_id, trigger, actor=RESIDENT, payload=meeting)
    for trigger, meeting in (
        (f"pass_{gate}", rejected),
        (f"fail_{gate}", unanimous),
        (f"adjourn_{gate}", unanimous),
    ):
        with pytest.raises(GuardFailedError):
            engine.fire(issue_id, trigger, actor=COMMITTEES, payload=meeting)
    assert (engine.get(issue_id), engine.history(issue_id)) == before


def test_only_the_two_committees_decline_and_dispatch(engine: Engine) -> None:
    issue_id = _raise_matter(engine)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "decline", actor=RESIDENT, payload={"reason": "不想办"})
    _to_decision(engine, issue_id)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "dispatch", actor=RESIDENT, payload={"assignees": ["x"]})
    assert engine.get(issue_id).state == "decided"


def test_those_who_carried_it_out_do_not_send_it_back(engine: Engine) -> None:
    issue_id = _carrying_out(engine, ["power-supply"])
    worker = Actor("power-supply", home_unit=YUYIXIANG)  # a resident, too
    engine.fire(issue_id, "report_done", actor=worker)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "send_back", actor=worker, payload={"reason": "还要再修"})
