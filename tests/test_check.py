"""The workflow checker: each rule has a workflow that breaks it, and the counterexample shows."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import govflow
from govflow import (
    CLOSED_LOOP,
    Engine,
    Problem,
    State,
    StateKind,
    Transition,
    Workflow,
    check,
    hookimpl,
)
from govflow.cli import main
from govflow.errors import PluginError
from govflow.workflow.check import RULES, check_engine, workflow_graph

P, F, C, X, OPEN = (
    StateKind.PROCESSING,
    StateKind.FEEDBACK,
    StateKind.CLOSED,
    StateKind.CANCELLED,
    StateKind.OPEN,
)


def good() -> Workflow:
    """A small workflow that passes every rule."""
    return Workflow(
        name="good",
        initial="new",
        states=[
            State("new", kind=OPEN, time_limit="1h"),
            State("working", kind=P, time_limit="2d"),
            State("reported", kind=F, time_limit="1d"),
            State("done", kind=C),
            State("dropped", kind=X),
        ],
        transitions=[
            Transition("take", "new", "working", roles={"clerk"}),
            Transition("drop", "new", "dropped", roles={"clerk"}),
            Transition("report", "working", "reported"),
            Transition("rate", "reported", "done", evaluation=True),
            Transition("redo", "reported", "working", evaluation=True),
        ],
    )


def data(**changes: Any) -> dict[str, Any]:
    spec = good().to_dict()
    spec.update(changes)
    return spec


def only(problems: Iterable[Problem], rule: str) -> Problem:
    found = [p for p in problems if p.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_a_good_workflow_passes_every_rule() -> None:
    report = check(good(), {"clerk"})
    assert report.ok, report.format()
    assert set(report.rules) == set(RULES)
    assert report.format() == f"good v1: ok ({len(RULES)} rules)"


def test_the_graph_has_a_node_per_state_and_an_edge_per_move() -> None:
    graph = workflow_graph(good())
    assert set(graph) == {"new", "working", "reported", "done", "dropped"}
    assert set(graph["reported"]["working"]) == {"redo"}
    assert graph.number_of_edges() == 5


def test_unreachable_state_is_reported_with_who_leads_to_it() -> None:
    spec = data()
    spec["states"].append({"name": "limbo", "kind": "processing", "time_limit": "1d"})
    spec["transitions"].append({"trigger": "leave", "source": "limbo", "dest": "done"})
    problem = only(check(spec).problems, "reachable")
    assert "'limbo'" in problem.message
    assert "no transition leads to it" in problem.message
    assert problem.path == ()


def test_dead_end_is_reported_with_the_path_into_it() -> None:
    spec = data()
    spec["states"].append({"name": "stuck", "kind": "processing", "time_limit": "1d"})
    spec["transitions"].append({"trigger": "park", "source": "working", "dest": "stuck"})
    report = check(spec)
    problem = only(report.problems, "dead-end")
    assert problem.states == ["new", "working", "stuck"]
    assert problem.triggers == ["take", "park"]
    assert not report.by_rule("terminal-reachable")  # one fault, one report


def test_a_trap_cycle_breaks_terminal_reachability() -> None:
    wf = Workflow(
        name="trap",
        initial="new",
        states=[
            State("new", kind=OPEN, time_limit="1h"),
            State("ping", kind=P, time_limit="1h"),
            State("pong", kind=P, time_limit="1h"),
            State("done", kind=C),
        ],
        transitions=[
            Transition("close", "new", "done"),
            Transition("start", "new", "ping"),
            Transition("hit", "ping", "pong"),
            Transition("back", "pong", "ping"),
        ],
    )
    problems = check(wf).by_rule("terminal-reachable")
    assert [p.states for p in problems] == [["new", "ping"], ["new", "ping", "pong"]]
    assert "['ping', 'pong']" in problems[0].message


def test_closing_without_feedback_breaks_the_closed_loop() -> None:
    spec = data()
    spec["transitions"].append({"trigger": "shortcut", "source": "working", "dest": "done"})
    problem = only(check(spec).problems, "closed-loop")
    assert problem.format_path() == "new --take--> working --shortcut--> done"
    assert "'take'" in problem.message


def test_closing_straight_from_intake_breaks_the_closed_loop() -> None:
    spec = data()
    spec["transitions"].append({"trigger": "settle", "source": "new", "dest": "done"})
    problem = only(check(spec).problems, "closed-loop")
    assert problem.triggers == ["settle"]


def test_a_workflow_starting_past_intake_is_accepted_on_opening() -> None:
    spec = data(initial="working")
    spec["transitions"].append({"trigger": "shortcut", "source": "working", "dest": "done"})
    spec["transitions"].append({"trigger": "reopen", "source": "working", "dest": "new"})
    problem = only(check(spec).problems, "closed-loop")
    assert problem.format_path() == "working --shortcut--> done"
    assert problem.message.startswith("from opening,")


def test_cancelling_from_intake_does_not_break_the_closed_loop() -> None:
    assert not check(good()).by_rule("closed-loop")


def test_an_evaluation_the_handler_may_fire_breaks_separation_of_duties() -> None:
    spec = data()
    spec["transitions"][3] = {"trigger": "rate", "source": "reported", "dest": "done"}
    problem = only(check(spec).problems, "separation-of-duties")
    assert problem.triggers == ["take", "report", "rate"]
    assert problem.states == ["new", "working", "reported", "done"]
    assert "'report'" in problem.message


def test_requiring_not_handler_satisfies_separation_of_duties() -> None:
    spec = data()
    spec["transitions"][3] = {
        "trigger": "rate",
        "source": "reported",
        "dest": "done",
        "requires": ["not_handler"],
    }
    assert check(spec).ok


def test_roles_unknown_to_the_org_schema_are_reported() -> None:
    class Schema:
        roles = frozenset({"secretary"})

    problems = check(good(), Schema()).by_rule("roles")
    assert [p.triggers for p in problems] == [["take"], ["drop"]]
    assert "['clerk']" in problems[0].message
    assert "roles" not in check(good()).rules  # without a schema the rule is skipped


def test_roles_may_come_from_a_method() -> None:
    class Graph:
        def roles(self) -> set[str]:
            return {"clerk"}

    assert check(good(), Graph()).ok


def test_a_string_is_not_a_set_of_roles() -> None:
    with pytest.raises(TypeError, match="collection of role names"):
        check(good(), "clerk")


def test_open_ended_states_break_time_limits_unless_exempt() -> None:
    spec = data()
    spec["states"][1] = {"name": "working", "kind": "processing"}
    problem = only(check(spec).problems, "time-limits")
    assert problem.states == ["new", "working"]
    spec["states"][1]["timeout_exempt"] = True
    assert check(spec).ok


def test_unreadable_data_is_one_problem_not_a_crash() -> None:
    spec = data()
    spec["states"][0]["colour"] = "red"
    report = check(spec)
    assert [p.rule for p in report.problems] == ["valid"]
    assert "colour" in report.problems[0].message


def test_a_constructor_objection_the_rules_miss_is_reported_as_invalid() -> None:
    spec = data()
    spec["transitions"].append({"trigger": "take", "source": "new", "dest": "dropped"})
    report = check(spec)
    assert [p.rule for p in report.problems] == ["valid"]
    assert "declared twice" in report.problems[0].message


def no_drop(workflow: Workflow) -> list[Problem]:
    return [
        Problem("no-drop", f"{t.trigger!r} drops issues", [(t.sources[0], t.trigger), "x"])
        for t in workflow.transitions
        if t.destination == "dropped"
    ]


def test_extra_checks_run_and_are_attributed() -> None:
    problem = only(check(good(), checks=[no_drop]).problems, "no-drop")
    assert problem.workflow == "good"
    assert problem.states == ["new", "x"]
    assert str(problem).startswith("good: [no-drop] 'drop' drops issues")


def test_a_crashing_check_is_reported_not_raised() -> None:
    def broken(workflow: Workflow) -> list[Problem]:
        raise RuntimeError("boom")

    def liar(workflow: Workflow) -> list[str]:
        return ["not a problem"]

    report = check(good(), checks=[broken, liar])  # type: ignore[list-item]
    assert [p.rule for p in report.problems] == ["plugin-check-crashed"] * 2
    assert "boom" in report.problems[0].message


class CheckPlugin:
    govflow_name = "no-drop-plugin"

    @hookimpl
    def govflow_checks(self) -> list[object]:
        return [no_drop]

    @hookimpl
    def govflow_workflows(self) -> list[Workflow]:
        return [good()]


def test_engine_check_runs_plugin_checks_on_every_workflow() -> None:
    engine = Engine(plugins=[CheckPlugin()], autoload=False)
    reports = {r.workflow: r for r in check_engine(engine)}
    assert set(reports) == {"closed-loop", "good"}
    assert [p.rule for p in reports["good"].problems] == ["no-drop"]


def test_a_plugin_check_that_is_not_callable_names_the_plugin() -> None:
    class Bad:
        govflow_name = "bad-checks"

        @hookimpl
        def govflow_checks(self) -> list[object]:
            return ["nope"]

    with pytest.raises(PluginError, match="bad-checks"):
        check_engine(Engine(plugins=[Bad()], autoload=False))


# --- the shipped workflows ---------------------------------------------------------------------


def test_a_clock_only_closing_move_is_no_breach_but_one_with_roles_is() -> None:
    # close_unrated (on_timeout, no roles) can only be fired by Engine.tick: the clock handled
    # nothing. Give it a role and a handler holding that role could close the issue unrated.
    assert check(CLOSED_LOOP).ok, check(CLOSED_LOOP).format()
    data = CLOSED_LOOP.to_dict()
    for move in data["transitions"]:  # type: ignore[union-attr]
        if move["trigger"] == "close_unrated":
            move["roles"] = ["grid_worker"]
    problem = only(check(Workflow.from_dict(data)).problems, "separation-of-duties")
    assert problem.triggers[-1] == "close_unrated"
    assert "its roles may also fire it by hand" in problem.message


def shipped() -> list[Workflow]:
    return sorted(Engine(autoload=True).workflows.values(), key=lambda w: w.name)


@pytest.mark.parametrize(
    "workflow",
    [
        pytest.param(
            w,
            id=w.name,
        )
        for w in shipped()
    ],
)
def test_every_shipped_workflow_passes_the_checker(workflow: Workflow) -> None:
    report = check(workflow)
    assert report.ok, report.format()


# --- the command line ------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_checks_a_good_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(
        """
name = "tiny"
initial = "new"
[[states]]
name = "new"
kind = "open"
time_limit = "1h"
[[states]]
name = "gone"
kind = "cancelled"
[[transitions]]
trigger = "drop"
source = "new"
dest = "gone"
""",
        encoding="utf-8",
    )
    status, out, _ = run("check", "--no-autoload", str(path))
    assert status == 0, out
    assert "tiny v1: ok" in out


def test_cli_prints_counterexamples_and_exits_1(tmp_path: Path) -> None:
    spec = data()
    spec["transitions"].append({"trigger": "shortcut", "source": "working", "dest": "done"})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    status, out, _ = run("check", "--no-autoload", "--roles", "clerk", str(path))
    assert status == 1
    assert "[closed-loop]" in out
    assert "path: new --take--> working --shortcut--> done" in out
    assert "1 workflow(s) checked, 1 with problems" in out


def test_cli_roles_option_feeds_the_roles_rule(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(data()), encoding="utf-8")
    status, out, _ = run("check", "--no-autoload", "--roles", "mayor", str(path))
    assert status == 1
    assert "[roles]" in out


def test_cli_checks_registered_workflows_by_name_and_all_by_default() -> None:
    status, out, _ = run("check", "--no-autoload", "closed-loop")
    assert status == 0, out
    assert "closed-loop v1" in out
    _, everything, _ = run("check")
    assert "closed-loop v1" in everything


def test_cli_unknown_target_and_unreadable_file_exit_2(tmp_path: Path) -> None:
    status, _, err = run("check", "--no-autoload", "nowhere")
    assert status == 2
    assert "registered: closed-loop" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    status, _, err = run("check", str(broken))
    assert status == 2
    assert "cannot read" in err


def test_cli_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run()
    assert status == 2
    assert err == ""
    assert "Usage: govflow [OPTIONS] COMMAND" in capsys.readouterr().out


def test_check_is_exported() -> None:
    assert govflow.check is check


def test_python_dash_m_govflow_runs_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(data()), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "govflow", "check", "--no-autoload", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "good v1: ok" in done.stdout
