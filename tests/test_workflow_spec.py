"""Workflow specs: built in Python or loaded from data, and refused when malformed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from govflow import CLOSED_LOOP, Relation, State, StateKind, Transition, Workflow
from govflow.errors import DefinitionError, InvalidWorkflowError
from govflow.workflow import format_duration, parse_duration, workflow_from_dict


def small(**overrides: object) -> Workflow:
    """report → handle → done, the smallest useful loop."""
    spec: dict[str, object] = {
        "name": "small",
        "initial": "reported",
        "states": [
            State("reported", "上报", StateKind.OPEN, time_limit="1d"),
            State("handling", "处理中", StateKind.PROCESSING),
            State("done", "办结", StateKind.CLOSED),
        ],
        "transitions": [
            Transition("take", "reported", "handling"),
            Transition("finish", "handling", "done"),
        ],
    }
    spec.update(overrides)
    return Workflow(**spec)  # type: ignore[arg-type]


def test_a_valid_workflow_answers_questions_about_itself() -> None:
    wf = small()
    assert wf.key == ("small", 1)
    assert wf.state("reported").label == "上报"
    assert wf.state("reported").time_limit == timedelta(days=1)
    assert wf.transition("reported", "take") == Transition("take", "reported", "handling")
    assert wf.transition("reported", "finish") is None
    assert [t.trigger for t in wf.outgoing("handling")] == ["finish"]
    assert wf.triggers == {"take", "finish"}


def test_terminal_defaults_follow_the_kind() -> None:
    assert State("x", kind=StateKind.CLOSED).terminal
    assert State("x", kind=StateKind.CANCELLED).terminal
    assert not State("x", kind=StateKind.FEEDBACK).terminal
    assert State("x", kind="open").kind is StateKind.OPEN


def test_chinese_labels_survive_everything() -> None:
    wf = CLOSED_LOOP
    assert wf.state("collected").label.startswith("信息收集")
    assert Workflow.from_dict(wf.to_dict()) == wf


def test_evaluation_moves_always_exclude_the_handler() -> None:
    move = Transition("rate", "a", "b", requires={Relation.REPORTER}, evaluation=True)
    assert move.relations == (Relation.REPORTER, Relation.NOT_HANDLER)
    assert Transition("x", "a", "b").relations == ()


@pytest.mark.parametrize(
    ("overrides", "element", "problem"),
    [
        ({"name": ""}, "name", "non-empty name"),
        ({"version": 0}, "version", "integer ≥ 1"),
        ({"initial": "nowhere"}, "initial state 'nowhere'", "is not declared"),
        ({"states": []}, "states", "at least one state"),
        (
            {
                "states": [
                    State("reported", kind=StateKind.OPEN),
                    State("reported", kind=StateKind.OPEN),
                ]
            },
            "state 'reported'",
            "declared twice",
        ),
        (
            {"transitions": [Transition("take", "reported", "limbo")]},
            "transition 'take'",
            "unknown state 'limbo'",
        ),
        (
            {
                "transitions": [
                    Transition("take", "reported", "handling"),
                    Transition("finish", "nowhere", "done"),
                ]
            },
            "transition 'finish'",
            "leaves unknown state 'nowhere'",
        ),
        (
            {
                "transitions": [
                    Transition("take", "reported", "handling"),
                    Transition("take", "reported", "done"),
                    Transition("finish", "handling", "done"),
                ]
            },
            "transition 'take'",
            "declared twice from state 'reported'",
        ),
        (
            {"transitions": [Transition("take", "reported", "handling")]},
            "state 'handling'",
            "dead end",
        ),
        (
            {"transitions": [Transition("finish", "reported", "done")]},
            "state 'handling'",
            "unreachable",
        ),
        (
            {
                "transitions": [
                    Transition("take", "reported", "handling"),
                    Transition("finish", "handling", "done"),
                    Transition("reopen", "done", "handling"),
                ]
            },
            "transition 'reopen'",
            "leaves terminal state 'done'",
        ),
        (
            {
                "transitions": [
                    Transition("take", "reported", "handling"),
                    Transition("finish", "handling", "done", on_timeout=True),
                ]
            },
            "transition 'finish'",
            "has no time limit",
        ),
        (
            {
                "transitions": [
                    Transition("take", "reported", "handling", on_timeout=True),
                    Transition("drop", "reported", "done", on_timeout=True),
                    Transition("finish", "handling", "done"),
                ]
            },
            "state 'reported'",
            "more than one timeout transition",
        ),
        (
            {
                "transitions": [
                    Transition("open", "reported", "handling"),
                    Transition("finish", "handling", "done"),
                ]
            },
            "transition 'open'",
            "other than 'open'",
        ),
        (
            {
                "states": [
                    State("reported", kind=StateKind.OPEN),
                    State("handling"),
                    State("done", kind=StateKind.PROCESSING),
                ]
            },
            "states",
            "no state is terminal",
        ),
    ],
)
def test_invalid_workflows_are_refused_naming_the_element(
    overrides: dict[str, object], element: str, problem: str
) -> None:
    with pytest.raises(InvalidWorkflowError) as caught:
        small(**overrides)
    assert caught.value.element == element
    assert problem in caught.value.problem
    assert isinstance(caught.value, DefinitionError)


def test_a_terminal_state_cannot_have_a_time_limit() -> None:
    with pytest.raises(InvalidWorkflowError, match="terminal and so cannot have a time limit"):
        small(
            states=[
                State("reported", kind=StateKind.OPEN),
                State("handling"),
                State("done", kind=StateKind.CLOSED, time_limit="1h"),
            ]
        )


SMALL_TOML = """
name = "small"
version = 2
initial = "reported"
label = "小闭环"

[[states]]
name = "reported"
label = "上报"
kind = "open"
time_limit = "1d12h"

[[states]]
name = "handling"
kind = "processing"
timeout_exempt = true

[[states]]
name = "done"
kind = "closed"

[[transitions]]
trigger = "take"
source = "reported"
dest = "handling"
roles = ["grid_worker"]

[[transitions]]
trigger = "finish"
source = ["handling"]
dest = "done"
requires = ["assignee"]
guards = ["photo_attached"]
"""


def test_toml_and_dict_forms_round_trip(tmp_path: Path) -> None:
    wf = Workflow.from_toml(SMALL_TOML)
    assert wf.version == 2
    assert wf.label == "小闭环"
    assert wf.state("reported").time_limit == timedelta(days=1, hours=12)
    assert wf.state("handling").timeout_exempt
    assert wf.transition("handling", "finish").requires == {Relation.ASSIGNEE}  # type: ignore[union-attr]
    assert wf.guard_names == {"photo_attached"}
    assert wf.roles == {"grid_worker"}
    path = tmp_path / "small.toml"
    path.write_text(SMALL_TOML, encoding="utf-8")
    assert Workflow.from_toml(path) == wf
    assert workflow_from_dict(wf.to_dict()) == wf


def test_states_may_be_given_as_a_table_keyed_by_name() -> None:
    wf = workflow_from_dict(
        {
            "name": "t",
            "initial": "a",
            "states": {"a": {"kind": "open"}, "b": {"kind": "closed"}},
            "transitions": [{"trigger": "go", "source": "a", "dest": "b"}],
        }
    )
    assert [s.name for s in wf.states] == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "t", "initial": "a", "states": [], "transitions": [], "colour": 1}, "colour"),
        ({"name": "t", "states": [], "transitions": []}, "needs 'initial'"),
        (
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a", "time_limt": "1h"}],
                "transitions": [],
            },
            "time_limt",
        ),
        (
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a", "time_limit": "soon"}],
                "transitions": [],
            },
            "'soon' is not a duration",
        ),
        (
            {"name": "t", "initial": "a", "states": [{"name": "a", "kind": "pending"}]},
            "needs 'transitions'",
        ),
        (
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a", "kind": "pending"}],
                "transitions": [],
            },
            "'pending' is not a valid StateKind",
        ),
        (
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a"}],
                "transitions": [{"trigger": "go", "source": "a"}],
            },
            "needs trigger, source and dest",
        ),
        (
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a"}, {"name": "b", "kind": "closed"}],
                "transitions": [
                    {"trigger": "go", "source": "a", "dest": "b", "requires": ["mayor"]}
                ],
            },
            "'mayor' is not a valid Relation",
        ),
        ("not a table", "must be a table"),
    ],
)
def test_bad_data_is_refused_with_the_reason(data: object, message: str) -> None:
    with pytest.raises(InvalidWorkflowError, match=message):
        workflow_from_dict(data)  # type: ignore[arg-type]


def test_broken_toml_is_a_workflow_error() -> None:
    with pytest.raises(InvalidWorkflowError, match="toml"):
        Workflow.from_toml("name = ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("72h", timedelta(hours=72)),
        ("3d", timedelta(days=3)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("30m", timedelta(minutes=30)),
        ("1w", timedelta(weeks=1)),
        (90, timedelta(seconds=90)),
        (timedelta(hours=2), timedelta(hours=2)),
    ],
)
def test_durations_read_as_people_write_them(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "3", "h", "3x", "-1h", 0, True, None, "1h garbage"])
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(InvalidWorkflowError):
        parse_duration(bad)  # type: ignore[arg-type]


def test_formatted_durations_parse_back() -> None:
    for value in (timedelta(days=1, hours=12), timedelta(minutes=5), timedelta(seconds=61)):
        assert parse_duration(format_duration(value)) == value


def test_an_assign_role_needs_an_assigning_move() -> None:
    with pytest.raises(InvalidWorkflowError, match="names an assign_role but does not assign"):
        Transition("take", "a", "b", assign_role="grid_worker")
    with pytest.raises(InvalidWorkflowError, match=r"workflow 't'.*does not assign"):
        workflow_from_dict(
            {
                "name": "t",
                "initial": "a",
                "states": [{"name": "a"}, {"name": "b", "kind": "closed"}],
                "transitions": [
                    {"trigger": "go", "source": "a", "dest": "b", "assign_role": "grid_worker"}
                ],
            }
        )
    dispatch = CLOSED_LOOP.transition("filed", "dispatch")
    assert dispatch is not None
    assert dispatch.assign_role == "grid_worker"
