"""The checker covers joint work: parties' deadlines, reports reaching the join, loop bounds
that end loops, and child workflows that close their own loop."""

from __future__ import annotations

from govflow import Engine, State, StateKind, Transition, Workflow, check
from govflow.workflow.check import check_engine
from govflow.workflow.joins import Branch, Join

from .conftest import WHISTLE
from .test_links import CHILD, PARENT


def test_the_whistle_method_passes_every_rule() -> None:
    report = check(WHISTLE)
    assert report.ok, report.format()
    assert {"join-deadlines", "join-reports", "loop-bounds"} <= set(report.rules)


def test_a_join_without_party_deadlines_is_reported() -> None:
    workflow = Workflow(
        "w",
        initial="a",
        states=[State("a", time_limit="1d", join=Join("all")), State("b", kind="closed")],
        transitions=[Transition("report", "a", "b", reports=True)],
    )
    (problem,) = check(workflow).by_rule("join-deadlines")
    assert "'a'" in problem.message
    assert problem.states == ["a"]


def test_a_join_its_parties_cannot_report_to_is_reported() -> None:
    workflow = Workflow(
        "w",
        initial="a",
        states=[
            State("a", time_limit="1d"),
            State("j", time_limit="1d", join=Join("all", party_limit="1d")),
            State("b", kind="closed"),
        ],
        transitions=[Transition("summon", "a", "j"), Transition("give_up", "j", "b")],
    )
    (problem,) = check(workflow).by_rule("join-reports")
    assert problem.path[-1].state == "j"
    assert problem.triggers == ["summon"]


def test_a_bound_that_traps_the_issue_once_spent_is_reported() -> None:
    workflow = Workflow(
        "w",
        initial="handling",
        states=[
            State("handling", time_limit="1d"),
            State("checking", kind="feedback", time_limit="1d"),
            State("done", kind="closed"),
        ],
        transitions=[
            Transition("finish", "handling", "checking"),
            Transition(
                "judge",
                "checking",
                "handling",
                branches=[Branch("done", when={"ok": True}, max_times=1)],
            ),
        ],
    )
    problems = check(workflow).by_rule("loop-bounds")
    assert {p.path[-1].state for p in problems} == {"handling", "checking"}
    # with the bound on the rework instead, the default way on ends the loop
    fixed = Workflow(
        "w",
        initial="handling",
        states=workflow.states,
        transitions=[
            Transition("finish", "handling", "checking"),
            Transition(
                "judge",
                "checking",
                "done",
                branches=[Branch("handling", when={"ok": False}, max_times=1)],
            ),
        ],
    )
    assert check(fixed).by_rule("loop-bounds") == []


def test_a_branch_is_a_move_for_the_other_rules() -> None:
    workflow = Workflow(
        "w",
        initial="handling",
        states=[
            State("handling", time_limit="1d"),
            State("done", kind="closed"),
            State("fed_back", kind=StateKind.FEEDBACK, time_limit="1d"),
        ],
        transitions=[
            Transition(
                "finish", "handling", "fed_back", branches=[Branch("done", when={"skip": True})]
            ),
            Transition("rate", "fed_back", "done", evaluation=True),
        ],
    )
    (problem,) = check(workflow).by_rule("closed-loop")
    assert problem.triggers == ["finish"]


def test_child_workflows_are_checked_with_their_parent() -> None:
    engine = Engine(autoload=False, workflows=[PARENT, CHILD])
    by_name = {r.workflow: r for r in check_engine(engine)}
    assert by_name["group-council"].by_rule("linked-workflows") == []
    assert "linked-workflows" in by_name["group-council"].rules
    orphan = Engine(autoload=False, workflows=[PARENT])
    (problem,) = {r.workflow: r for r in check_engine(orphan)}["group-council"].by_rule(
        "linked-workflows"
    )
    assert "'deliberation'" in problem.message
    assert problem.triggers == ["refer_up"]
    open_loop = Workflow(
        "deliberation",
        initial="proposed",
        states=[State("proposed", time_limit="1d"), State("passed", kind="closed")],
        transitions=[Transition("resolve", "proposed", "passed")],
    )
    broken = Engine(autoload=False, workflows=[PARENT, open_loop])
    (problem,) = {r.workflow: r for r in check_engine(broken)}["group-council"].by_rule(
        "linked-workflows"
    )
    assert "closed-loop" in problem.message
