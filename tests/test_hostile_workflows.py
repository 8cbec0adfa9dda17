"""Hostile workflow definitions never escape as bare TypeError, OverflowError or
RecursionError: each is an InvalidWorkflowError naming the element, and ``govflow check``
reports it in one line, without a traceback."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govflow import Engine
from govflow.errors import InvalidWorkflowError
from govflow.testing.hostile import hostile_values
from govflow.workflow.check import check
from govflow.workflow.load import workflow_from_dict, workflow_to_dict

BASE = workflow_to_dict(Engine(autoload=False).workflow("closed-loop"))


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _set(path: tuple[Any, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


HOSTILE = {
    "states=None": (_set(("states",), None), "states: must be a list of tables"),
    "transitions=None": (_set(("transitions",), None), "transitions: must be a list of tables"),
    "a list as dest": (_set(("transitions", 0, "dest"), ["a"]), "dest: must be text"),
    "a table as dest": (_set(("transitions", 0, "dest"), {"a": 1}), "dest: must be text"),
    "an integer trigger": (_set(("transitions", 0, "trigger"), 5), "trigger: must be text"),
    "time_limit 99999999999d": (
        _set(("states", 0, "time_limit"), "99999999999d"),
        "state 'collected'",
    ),
    "time_limit infinite": (_set(("states", 0, "time_limit"), float("inf")), "time_limit"),
    "time_limit 1e300 s": (_set(("states", 0, "time_limit"), 1e300), "time_limit"),
    "arrays 1,000 deep": (_set(("transitions", 0, "roles"), _nested(1000)), "nests deeper"),
    "label 1,000 deep": (_set(("label",), _nested(1000)), "nests deeper"),
    '"evaluation": "no"': (
        _set(("transitions", -1, "evaluation"), "no"),
        "evaluation: must be true or false",
    ),
    "roles as one text": (_set(("transitions", 0, "roles"), "operator"), "roles: must be a list"),
    "a version that is a bool": (_set(("version",), value=True), "version: must be a whole number"),
    "a version beyond int32": (_set(("version",), 10**30), "version: must be a whole number"),
    "a state named by a list": (_set(("states", 0, "name"), ["x"]), "name: must be text"),
    "a state that is a number": (_set(("states",), {"a": 1}), "states['a']: must be a table"),
    "on_timeout as text": (_set(("transitions", 0, "on_timeout"), "yes"), "on_timeout"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_definition_is_an_invalid_workflow_naming_the_element(case: str) -> None:
    edit, message = HOSTILE[case]
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(InvalidWorkflowError, match=message.replace("[", r"\[")):
        workflow_from_dict(data)
    report = check(data)
    assert not report.ok
    assert report.problems[0].rule == "valid"


FIELDS = st.sampled_from(
    [
        ("name",),
        ("version",),
        ("initial",),
        ("label",),
        ("states",),
        ("transitions",),
        ("states", 0),
        ("states", 0, "name"),
        ("states", 0, "kind"),
        ("states", 0, "time_limit"),
        ("states", 0, "terminal"),
        ("transitions", 0),
        ("transitions", 0, "trigger"),
        ("transitions", 0, "source"),
        ("transitions", 0, "dest"),
        ("transitions", 0, "roles"),
        ("transitions", 0, "requires"),
        ("transitions", 0, "guards"),
        ("transitions", 0, "assigns"),
        ("transitions", -1, "evaluation"),
    ]
)


@given(path=FIELDS, value=hostile_values() | st.just(_nested(1000)))
def test_no_value_anywhere_escapes_as_a_bare_exception(path: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(BASE)
    _set(path, value)(data)
    with contextlib.suppress(InvalidWorkflowError):  # refusing is fine; nothing else is
        workflow_from_dict(data)
    check(data)  # a report, whatever the data
