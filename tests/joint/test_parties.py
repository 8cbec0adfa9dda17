"""吹哨报到: the street summons departments at once; each reports within its own limit; the
street's step ends when the join rule holds; a second whistle after 督办 starts clean."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govflow import Actor, Engine, ManualClock, State, StateKind, Transition, Workflow, hookimpl
from govflow.audit import replay
from govflow.errors import (
    InvalidRequestError,
    InvalidWorkflowError,
    PermissionDeniedError,
    PluginError,
    TransitionNotAllowedError,
)
from govflow.testing import Scenario
from govflow.workflow.joins import Join

from .conftest import (
    DEPARTMENTS,
    HOUSING,
    POLICE,
    RESIDENT,
    START,
    STREET,
    URBAN,
    WHISTLE,
    street_org,
)

CAST = {
    "resident": RESIDENT,
    "street": STREET,
    "police": POLICE,
    "housing": HOUSING,
    "urban": URBAN,
}


def _summoned(engine: Engine, *parties: object) -> Scenario:
    scenario = Scenario(engine, "whistle", actors=CAST)
    scenario.as_("resident").open(location="community")
    return scenario.as_("street").fire("whistle", parties=list(parties or DEPARTMENTS))


def test_the_street_step_ends_only_when_every_department_has_reported(whistle: Engine) -> None:
    scenario = _summoned(whistle)
    scenario.assert_state("summoned").assert_pending(*DEPARTMENTS)
    scenario.report("police", outcome="查处到位").assert_state("summoned")
    scenario.assert_pending("dept-housing", "dept-urban")
    scenario.assert_party("dept-police", "reported", "查处到位")
    scenario.report("housing", outcome="已维修").assert_state("summoned")
    scenario.assert_pending("dept-urban")
    scenario.report("urban", outcome="已清理").assert_state("reviewing")
    assert whistle.parties(scenario.issue.id, pending=True) == ()
    assert [p.outcome for p in whistle.parties(scenario.issue.id)] == [
        "查处到位",
        "已维修",
        "已清理",
    ]
    assert whistle.verify(scenario.issue.id) == 5


def test_a_department_reports_once_and_only_a_summoned_one_reports(whistle: Engine) -> None:
    scenario = _summoned(whistle, "dept-police", "dept-housing")
    scenario.report("police")
    scenario.as_("police").assert_refused("report", error=PermissionDeniedError, match="party")
    scenario.as_("urban").assert_refused("report", error=PermissionDeniedError)
    scenario.as_("police").assert_available()  # nothing left to report


def test_a_second_whistle_after_supervision_is_not_satisfied_by_the_first_rounds_reports(
    whistle: Engine,
) -> None:
    scenario = _summoned(whistle)
    for alias in ("police", "housing", "urban"):
        scenario.report(alias, outcome="first round")
    scenario.assert_state("reviewing")
    # 督办: the street is not satisfied and whistles again, for the same departments
    scenario.as_("street").fire("supervise", parties=list(DEPARTMENTS))
    scenario.assert_state("summoned").assert_pending(*DEPARTMENTS)
    assert {p.round for p in whistle.parties(scenario.issue.id)} == {2}
    scenario.report("police", outcome="second round").assert_state("summoned")
    scenario.report("housing").assert_state("summoned")
    scenario.report("urban").assert_state("reviewing")
    assert whistle.get(scenario.issue.id).joint["rounds"] == 2


def test_an_overdue_department_is_escalated_alone(whistle: Engine, clock: ManualClock) -> None:
    scenario = _summoned(
        whistle,
        {"id": "dept-police", "limit": "1d"},
        "dept-housing",  # the join's own 2d
        "dept-urban",
    )
    by_id = {p.id: p for p in whistle.parties(scenario.issue.id)}
    assert by_id["dept-police"].due_at == START + timedelta(days=1)
    assert by_id["dept-housing"].due_at == START + timedelta(days=2)
    assert whistle.get(scenario.issue.id).due_at == START + timedelta(days=1)
    scenario.report("urban")
    clock.advance(hours=25)
    (event,) = whistle.tick()
    assert event.trigger == "party_overdue"
    assert event.payload["party"] == "dept-police"
    assert event.actor == "system:clock"
    scenario.assert_state("summoned")
    scenario.assert_party("dept-police", "overdue").assert_party("dept-housing", "pending")
    assert by_id["dept-police"].escalated_to == ()
    police = {p.id: p for p in whistle.parties(scenario.issue.id)}["dept-police"]
    assert police.escalated_to == ("district",)  # the department's superior hears of it
    assert whistle.tick() == []  # escalated once, not on every tick
    assert whistle.get(scenario.issue.id).due_at == START + timedelta(days=2)
    # the late department still owes its report, and it counts
    scenario.report("police", outcome="late").assert_state("summoned")
    scenario.report("housing").assert_state("reviewing")
    assert whistle.verify(scenario.issue.id) == 6


def test_the_state_limit_still_ends_a_round_nobody_finishes(
    whistle: Engine, clock: ManualClock
) -> None:
    scenario = _summoned(whistle)
    clock.advance(days=6)
    events = whistle.tick()
    assert [e.trigger for e in events] == [
        "party_overdue",
        "party_overdue",
        "party_overdue",
        "overdue",
    ]
    assert [e.payload.get("party") for e in events[:3]] == list(DEPARTMENTS)
    scenario.assert_state("reviewing")


def test_a_report_does_not_restart_the_states_limit(whistle: Engine, clock: ManualClock) -> None:
    scenario = _summoned(
        whistle, {"id": "dept-police", "limit": "5d"}, {"id": "dept-urban", "limit": "5d"}
    )
    assert whistle.get(scenario.issue.id).due_at == START + timedelta(days=5)
    clock.advance(days=3)
    scenario.report("police")
    assert whistle.get(scenario.issue.id).due_at == START + timedelta(days=5)


@pytest.mark.parametrize(
    ("rule", "reports_to_leave"),
    [("any", 1), (2, 2), ("all", 3)],
)
def test_the_join_rule_decides_when_the_state_is_left(
    clock: ManualClock, rule: str | int, reports_to_leave: int
) -> None:
    states = list(WHISTLE.states)
    states[1] = State(
        "summoned",
        "部门报到",
        StateKind.PROCESSING,
        time_limit="5d",
        join=Join(rule, party_limit="2d"),
    )
    workflow = Workflow(
        "whistle", states=states, transitions=WHISTLE.transitions, initial="street", version=2
    )
    engine = Engine(org=street_org(), clock=clock, autoload=False, workflows=[workflow])
    scenario = _summoned(engine)
    for n, alias in enumerate(("police", "housing", "urban"), start=1):
        scenario.report(alias)
        assert (scenario.issue.state == "reviewing") == (n >= reports_to_leave)
        if n >= reports_to_leave:
            break


def test_a_person_may_hold_a_party_task(whistle: Engine) -> None:
    volunteer = Actor("volunteer-zhao")
    scenario = _summoned(whistle, "volunteer-zhao", "dept-police")
    scenario.actors["volunteer"] = volunteer
    scenario.report("volunteer").assert_pending("dept-police")


def test_an_actor_acting_for_two_parties_names_which(whistle: Engine) -> None:
    scenario = _summoned(whistle, "dept-police", "police-zhang")
    scenario.as_("police").assert_refused("report", error=InvalidRequestError, match="party")
    scenario.fire("report", party="police-zhang").assert_pending("dept-police")
    scenario.as_("police").assert_refused(
        "report", error=InvalidRequestError, party="dept-urban", match="dept-urban"
    )


def test_a_round_needs_its_parties(whistle: Engine) -> None:
    scenario = Scenario(whistle, "whistle", actors=CAST).as_("resident").open(location="community")
    scenario.as_("street").assert_refused("whistle", error=InvalidRequestError, match="parties")
    scenario.assert_refused(
        "whistle", error=InvalidRequestError, parties=["dept-police", "dept-police"], match="twice"
    )
    scenario.assert_refused(
        "whistle", error=InvalidRequestError, parties=[{"limit": "1d"}], match="party id"
    )
    scenario.assert_refused(
        "whistle",
        error=InvalidRequestError,
        parties=[{"id": "dept-police", "limit": "soon"}],
        match="limit",
    )


def test_the_clock_alone_escalates_a_party(whistle: Engine) -> None:
    scenario = _summoned(whistle)
    scenario.as_("street").assert_refused("party_overdue", error=TransitionNotAllowedError)


class _ByCategory:
    """A local method that summons the departments its rules name for a category."""

    govflow_name = "by-category"

    @hookimpl
    def govflow_parties(self, issue: object, state: State) -> list[object] | None:
        if state.name != "summoned":
            return None
        return ["dept-urban", {"id": "dept-housing", "limit": "3d"}]


def test_a_plugin_may_choose_the_parties(clock: ManualClock) -> None:
    engine = Engine(
        org=street_org(), clock=clock, autoload=False, workflows=[WHISTLE], plugins=[_ByCategory()]
    )
    issue = engine.open("whistle", reporter=RESIDENT, location="community")
    event = engine.fire(issue.id, "whistle", actor=STREET)
    assert event.decisions["parties"] == "by-category"
    assert [(p.id, p.due_at) for p in engine.parties(issue.id)] == [
        ("dept-urban", START + timedelta(days=2)),
        ("dept-housing", START + timedelta(days=3)),
    ]
    assert engine.verify(issue.id) == 2


def test_a_plugin_choosing_nonsense_is_named(clock: ManualClock) -> None:
    class Sloppy:
        govflow_name = "sloppy"

        @hookimpl
        def govflow_parties(self) -> list[object]:
            return [""]

    engine = Engine(clock=clock, autoload=False, workflows=[WHISTLE], plugins=[Sloppy()])
    issue = engine.open("whistle", reporter=RESIDENT)
    with pytest.raises(PluginError, match="sloppy"):
        engine.fire(issue.id, "whistle", actor=STREET)
    assert len(engine.history(issue.id)) == 1


def test_replay_rebuilds_every_partys_state(whistle: Engine, clock: ManualClock) -> None:
    scenario = _summoned(whistle, {"id": "dept-police", "limit": "1d"}, "dept-housing")
    scenario.report("housing", outcome="ok")
    clock.advance(days=1, hours=1)
    whistle.tick()
    rebuilt = replay(scenario.history)
    assert rebuilt == scenario.issue
    assert rebuilt.joint == scenario.issue.joint


def test_a_join_is_declared_soundly() -> None:
    with pytest.raises(InvalidWorkflowError, match="no join"):
        Workflow(
            "w",
            states=[State("a"), State("b", kind="closed")],
            transitions=[Transition("report", "a", "b", reports=True)],
            initial="a",
        )
    with pytest.raises(InvalidWorkflowError, match="rule"):
        Join("most")
    with pytest.raises(InvalidWorkflowError, match="k ≥ 1"):
        Join(0)
    with pytest.raises(InvalidWorkflowError, match="overdue parties"):
        Workflow(
            "w",
            states=[State("a", join=Join()), State("b", kind="closed")],
            transitions=[
                Transition("report", "a", "b", reports=True),
                Transition("party_overdue", "a", "b"),
            ],
            initial="a",
        )
    with pytest.raises(InvalidWorkflowError, match="not the join state itself"):
        Workflow(
            "w",
            states=[State("a", join=Join()), State("b", kind="closed")],
            transitions=[Transition("report", "a", "a", reports=True), Transition("x", "a", "b")],
            initial="a",
        )
