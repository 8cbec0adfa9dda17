"""One trigger, several destinations (满意 / 不满意); rework at most once; reclassifying."""

from __future__ import annotations

import pytest

from govflow import Actor, Engine, ManualClock, State, StateKind, Transition, Workflow
from govflow.errors import GuardFailedError, InvalidRequestError, InvalidWorkflowError
from govflow.testing import Scenario
from govflow.workflow.joins import Branch, Update

from .conftest import DEPARTMENTS, HOUSING, POLICE, RESIDENT, STREET, URBAN

CAST = {
    "resident": RESIDENT,
    "street": STREET,
    "police": POLICE,
    "housing": HOUSING,
    "urban": URBAN,
}


def _fed_back(engine: Engine, scenario: Scenario | None = None) -> Scenario:
    if scenario is None:
        scenario = (
            Scenario(engine, "whistle", actors=CAST).as_("resident").open(location="community")
        )
        scenario.as_("street").fire("whistle", parties=list(DEPARTMENTS))
        for alias in ("police", "housing", "urban"):
            scenario.report(alias)
    return scenario.as_("street").fire("accept").assert_state("fed_back")


def test_satisfied_and_dissatisfied_are_one_trigger(whistle: Engine) -> None:
    satisfied = _fed_back(whistle)
    satisfied.as_("resident").fire("evaluate", verdict="满意").assert_state("closed")
    dissatisfied = _fed_back(whistle)
    dissatisfied.as_("resident").fire("evaluate", verdict="不满意").assert_state("reviewing")
    assert whistle.workflow("whistle").outgoing("fed_back")[0].trigger == "evaluate"


def test_rework_is_bounded_to_once(whistle: Engine) -> None:
    scenario = _fed_back(whistle)
    scenario.as_("resident").fire("evaluate", verdict="不满意").assert_state("reviewing")
    assert scenario.issue.joint["loops"] == {"evaluate->reviewing": 1}
    _fed_back(whistle, scenario)
    # the rework branch is spent: the next 不满意 takes the next branch
    scenario.as_("resident").fire("evaluate", verdict="不满意").assert_state("unresolved")
    assert scenario.path()[-3:] == ["reviewing", "fed_back", "unresolved"]
    assert whistle.verify(scenario.issue.id) == 9


def test_a_bounded_move_is_refused_once_spent(clock: ManualClock) -> None:
    workflow = Workflow(
        "rework",
        initial="handling",
        states=[
            State("handling", time_limit="1d"),
            State("checking", kind="feedback", time_limit="1d"),
            State("done", kind="closed"),
        ],
        transitions=[
            Transition("finish", "handling", "checking"),
            Transition("send_back", "checking", "handling", max_times=1, label="返工一次"),
            Transition("accept", "checking", "done", evaluation=True),
        ],
    )
    engine = Engine(clock=clock, autoload=False, workflows=[workflow])
    scenario = Scenario(engine, "rework", actors={"w": "worker", "c": "checker"})
    scenario.as_("w").open().fire("finish").as_("c").fire("send_back")
    scenario.as_("w").fire("finish").as_("c")
    scenario.assert_refused("send_back", error=GuardFailedError, match="max_times=1")
    scenario.fire("accept").assert_state("done")


def test_a_move_reclassifies_the_issue_in_its_changes(clock: ManualClock) -> None:
    """A 停车难 issue filed as 噪音 is corrected, not dropped: the change is in the log."""
    workflow = Workflow(
        "intake",
        initial="filed",
        states=[
            State("filed", kind="open", time_limit="1d"),
            State("handling", time_limit="3d"),
            State("done", kind="closed"),
        ],
        transitions=[
            Transition(
                "reclassify",
                "filed",
                "filed",
                updates=[Update("category", from_payload="category")],
                label="更正分类",
            ),
            Transition(
                "dispatch",
                "filed",
                "handling",
                updates=[Update("data", key="stage", value="dispatched")],
            ),
            Transition("finish", "handling", "done"),
        ],
    )
    engine = Engine(clock=clock, autoload=False, workflows=[workflow])
    scenario = Scenario(engine, "intake", actors={"op": Actor("op")}).as_("op")
    scenario.open(category="噪音", data={"text": "小区车位不够"})
    scenario.assert_refused("reclassify", error=InvalidRequestError, match="category")
    scenario.assert_refused("reclassify", error=InvalidRequestError, category="")
    scenario.fire("reclassify", category="停车难")
    assert scenario.issue.category == "停车难"
    assert scenario.history[-1].changes["category"] == "停车难"
    scenario.fire("dispatch")
    assert dict(scenario.issue.data) == {"text": "小区车位不够", "stage": "dispatched"}
    assert engine.verify(scenario.issue.id) == 3


def test_branches_are_declared_soundly() -> None:
    with pytest.raises(InvalidWorkflowError, match="unknown state 'nowhere'"):
        Workflow(
            "w",
            states=[State("a"), State("b", kind="closed")],
            transitions=[Transition("go", "a", "b", branches=[Branch("nowhere", when={"x": 1})])],
            initial="a",
        )
    with pytest.raises(InvalidWorkflowError, match="field"):
        Update("state", value="closed")
    with pytest.raises(InvalidWorkflowError, match="key"):
        Update("data", value=1)
    with pytest.raises(InvalidWorkflowError, match="max_times"):
        Transition("go", "a", "b", max_times=0)
    # a branch's destination counts for reachability
    Workflow(
        "w",
        states=[State("a"), State("b", kind="closed"), State("c", kind=StateKind.CANCELLED)],
        transitions=[Transition("go", "a", "b", branches=[Branch("c", when={"no": True})])],
        initial="a",
    )
