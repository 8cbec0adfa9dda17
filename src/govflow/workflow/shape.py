"""The shape of a workflow's plain data, checked before anything is built from it.

A workflow file is input: it may come from anyone. :func:`check_shape` checks every value's
type (and the nesting of the whole) so that a hostile definition -- ``states = None``, a list as
a ``dest``, ``"evaluation": "no"`` (a non-empty string is true to Python), arrays nested a
thousand deep -- is an :class:`~govflow.errors.InvalidWorkflowError` naming the element, never
a TypeError, OverflowError or RecursionError from deep inside the constructors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from govflow.errors import InvalidWorkflowError

#: How deeply a workflow's data may nest (tables in lists in tables...).
MAX_DEPTH: Final = 16
#: The largest version number a workflow may have.
MAX_VERSION: Final = 2**31 - 1

_TEXT = "text"
_FLAG = "true or false"
_TEXTS = "a list of text"
_TEXT_OR_TEXTS = "text or a list of text"
_LIMIT = "a duration (text such as '3d', or a number of seconds)"

_STATE_TYPES: Final = {
    "name": _TEXT,
    "label": _TEXT,
    "kind": _TEXT,
    "terminal": _FLAG,
    "time_limit": _LIMIT,
    "timeout_exempt": _FLAG,
}
_TRANSITION_TYPES: Final = {
    "trigger": _TEXT,
    "source": _TEXT_OR_TEXTS,
    "sources": _TEXT_OR_TEXTS,
    "dest": _TEXT,
    "destination": _TEXT,
    "roles": _TEXTS,
    "requires": _TEXTS,
    "guards": _TEXTS,
    "evaluation": _FLAG,
    "assigns": _FLAG,
    "assign_role": _TEXT,
    "on_timeout": _FLAG,
    "label": _TEXT,
    "scope": _TEXT,
}


#: Keys whose value may be None (no time limit, no role to assign, no scope, no label).
_MAY_BE_NONE: Final = frozenset({"time_limit", "assign_role", "scope", "label"})


def _fits(value: Any, kind: str) -> bool:  # noqa: PLR0911  (one answer per kind)
    if kind == _TEXT:
        return isinstance(value, str)
    if kind == _FLAG:
        return isinstance(value, bool)
    if kind == _TEXTS:
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    if kind == _TEXT_OR_TEXTS:
        return isinstance(value, str) or _fits(value, _TEXTS)
    # a duration: text, or a finite, non-negative number of seconds below a century
    if isinstance(value, str):
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and 0 <= value < 100 * 366 * 86400


def _depth_problem(data: Any) -> str | None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        if isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((item, depth + 1) for item in value)
    return None


def _check_fields(
    workflow: str, where: str, data: Mapping[str, Any], types: Mapping[str, str]
) -> None:
    for key, kind in types.items():
        if key not in data or (data[key] is None and key in _MAY_BE_NONE):
            continue
        if not _fits(data[key], kind):
            raise InvalidWorkflowError(
                workflow, f"{where}: {key}", f"must be {kind}, not {data[key]!r:.60}"
            )


def _tables(workflow: str, where: str, value: Any) -> list[Any]:
    if isinstance(value, Mapping) and where == "states":
        for key, item in value.items():
            if not isinstance(item, Mapping):
                raise InvalidWorkflowError(workflow, f"states[{key!r}]", "must be a table")
        return [{"name": key, **item} for key, item in value.items()]
    if not isinstance(value, list | tuple):
        raise InvalidWorkflowError(workflow, where, f"must be a list of tables, not {value!r:.60}")
    return list(value)


def check_shape(data: Any) -> None:
    """Refuse ``data`` unless every value has the type the workflow format gives it.

    :raises InvalidWorkflowError: naming the workflow and the element at fault.
    """
    if not isinstance(data, Mapping):
        raise InvalidWorkflowError("?", "workflow", "must be a table")
    raw_name = data.get("name", "?")
    name = raw_name if isinstance(raw_name, str) else "?"
    problem = _depth_problem(data)
    if problem is not None:
        raise InvalidWorkflowError(name, "workflow", problem)
    if not isinstance(raw_name, str) or not raw_name:
        raise InvalidWorkflowError(name, "workflow: name", f"must be text, not {raw_name!r:.60}")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise InvalidWorkflowError(
            name, "workflow: version", f"must be a whole number from 1 to {MAX_VERSION}"
        )
    _check_fields(name, "workflow", data, {"initial": _TEXT, "label": _TEXT})
    for index, state in enumerate(_tables(name, "states", data.get("states", []))):
        if isinstance(state, Mapping):
            _check_fields(name, f"states[{index}]", state, _STATE_TYPES)
    for index, move in enumerate(_tables(name, "transitions", data.get("transitions", []))):
        if isinstance(move, Mapping):
            _check_fields(name, f"transitions[{index}]", move, _TRANSITION_TYPES)


__all__ = ["MAX_DEPTH", "MAX_VERSION", "check_shape"]
