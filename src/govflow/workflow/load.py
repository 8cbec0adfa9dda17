"""Workflows as plain data: read from a dict or a TOML file, write back to a dict.

The data form mirrors the attrs specs one to one::

    name = "closed-loop"
    version = 1
    initial = "collected"

    [[states]]
    name = "collected"
    label = "信息收集"
    kind = "open"
    time_limit = "2h"

    [[transitions]]
    trigger = "file"
    source = "collected"        # or a list of states
    dest = "filed"
    roles = ["operator"]

Unknown keys are errors, not silently ignored: a misspelt ``time_limt`` would otherwise remove a
deadline without anyone noticing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govflow.errors import InvalidWorkflowError
from govflow.workflow.durations import format_duration
from govflow.workflow.joins import Branch, Join, Link, Update
from govflow.workflow.limits import policy_from_data
from govflow.workflow.shape import check_shape
from govflow.workflow.spec import (
    TERMINAL_KINDS,
    Body,
    Opening,
    Privacy,
    Scope,
    State,
    Transition,
    Workflow,
)

_WORKFLOW_KEYS = frozenset(
    {
        "name",
        "version",
        "initial",
        "label",
        "states",
        "transitions",
        "opening",
        "privacy",
        "deadlines",
    }
)
_STATE_KEYS = frozenset(
    {
        "name",
        "label",
        "kind",
        "terminal",
        "time_limit",
        "timeout_exempt",
        "bodies",
        "join",
        "limits",
    }
)
_BODY_KEYS = frozenset({"key", "source", "member_role", "supplied"})
_OPENING_KEYS = frozenset({"roles", "scope", "channels", "proxy_roles"})
_PRIVACY_KEYS = frozenset({"fields", "permission"})
_TRANSITION_KEYS = frozenset(
    {
        "trigger",
        "source",
        "sources",
        "dest",
        "destination",
        "roles",
        "requires",
        "guards",
        "evaluation",
        "assigns",
        "assign_role",
        "on_timeout",
        "label",
        "scope",
        "conflicts",
        "reports",
        "branches",
        "updates",
        "max_times",
        "opens",
        "awaits",
        "relocate",
        "restarts_deadline",
    }
)


def _check_keys(
    workflow: str, where: str, data: Mapping[str, Any], allowed: frozenset[str]
) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidWorkflowError(
            workflow, where, f"unknown keys {unknown}; allowed are {sorted(allowed)}"
        )


def _state(workflow: str, index: int, data: Any) -> State:
    if not isinstance(data, Mapping):
        raise InvalidWorkflowError(workflow, f"states[{index}]", "must be a table")
    where = f"state {data.get('name', f'#{index}')!r}"
    _check_keys(workflow, where, data, _STATE_KEYS)
    if "name" not in data:
        raise InvalidWorkflowError(workflow, where, "needs a name")
    fields = dict(data)
    if "bodies" in fields:
        if not isinstance(fields["bodies"], list | tuple):
            raise InvalidWorkflowError(workflow, f"{where}: bodies", "must be a list of tables")
        fields["bodies"] = [
            _part(workflow, f"{where}: bodies[{i}]", body, _BODY_KEYS, Body)
            for i, body in enumerate(fields["bodies"])
        ]
    try:
        return State(**fields)
    except InvalidWorkflowError as err:
        raise InvalidWorkflowError(workflow, where, err.problem) from None
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidWorkflowError(workflow, where, str(err)) from None


def _transition(workflow: str, index: int, data: Any) -> Transition:
    if not isinstance(data, Mapping):
        raise InvalidWorkflowError(workflow, f"transitions[{index}]", "must be a table")
    where = f"transition {data.get('trigger', f'#{index}')!r}"
    _check_keys(workflow, where, data, _TRANSITION_KEYS)
    fields = dict(data)
    sources = fields.pop("source", None) or fields.pop("sources", None)
    destination = fields.pop("dest", None) or fields.pop("destination", None)
    if "trigger" not in fields or sources is None or destination is None:
        raise InvalidWorkflowError(workflow, where, "needs trigger, source and dest")
    try:
        return Transition(sources=sources, destination=destination, **fields)
    except InvalidWorkflowError as err:
        raise InvalidWorkflowError(workflow, where, err.problem) from None
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidWorkflowError(workflow, where, str(err)) from None


def _part(workflow: str, where: str, data: Any, allowed: frozenset[str], kind: Any) -> Any:
    """A nested table (a state's body, the workflow's opening or privacy) as its attrs class."""
    if not isinstance(data, Mapping):
        raise InvalidWorkflowError(workflow, where, "must be a table")
    _check_keys(workflow, where, data, allowed)
    try:
        return kind(**data)
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidWorkflowError(workflow, where, str(err)) from None


def workflow_from_dict(data: Mapping[str, Any]) -> Workflow:
    """Build and validate a :class:`Workflow` from plain data (see the module docstring)."""
    check_shape(data)  # hostile types and nesting: named errors before any constructor runs
    name = str(data.get("name", "?"))
    _check_keys(name, "workflow", data, _WORKFLOW_KEYS)
    for key in ("name", "initial", "states", "transitions"):
        if key not in data:
            raise InvalidWorkflowError(name, "workflow", f"needs {key!r}")
    states = data["states"]
    if isinstance(states, Mapping):  # {name: {...}} is accepted as a shorthand
        states = [{"name": key, **value} for key, value in states.items()]
    try:
        deadlines = policy_from_data(data.get("deadlines"))
    except InvalidWorkflowError as err:
        raise InvalidWorkflowError(name, "deadlines", err.problem) from None
    extra: dict[str, Any] = {"deadlines": deadlines}
    if "opening" in data:
        extra["opening"] = _part(name, "opening", data["opening"], _OPENING_KEYS, Opening)
    if "privacy" in data:
        extra["privacy"] = _part(name, "privacy", data["privacy"], _PRIVACY_KEYS, Privacy)
    try:
        return _build(name, data, states, extra)
    except (TypeError, ValueError, OverflowError, RecursionError, KeyError) as err:
        # What the shape check cannot foresee still leaves as the error of the workflow.
        raise InvalidWorkflowError(name, "workflow", f"{type(err).__name__}: {err}") from None


def _build(name: str, data: Mapping[str, Any], states: Any, extra: dict[str, Any]) -> Workflow:
    return Workflow(
        name=data["name"],
        version=data.get("version", 1),
        initial=data["initial"],
        label=data.get("label", ""),
        **extra,
        states=[_state(name, i, s) for i, s in enumerate(states)],
        transitions=[_transition(name, i, t) for i, t in enumerate(data["transitions"])],
    )


def workflow_from_toml(source: str | Path) -> Workflow:
    """Build a :class:`Workflow` from TOML text, or from a ``.toml`` file given as a Path."""
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
        origin = str(source)
    else:
        text, origin = source, "<toml>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidWorkflowError(origin, "toml", str(err)) from None
    return workflow_from_dict(data)


def _state_to_dict(state: State) -> dict[str, Any]:
    out: dict[str, Any] = {"name": state.name, "kind": str(state.kind)}
    if state.label:
        out["label"] = state.label
    if state.terminal != (state.kind in TERMINAL_KINDS):
        out["terminal"] = state.terminal
    if state.time_limit is not None:
        out["time_limit"] = format_duration(state.time_limit)
    if state.timeout_exempt:
        out["timeout_exempt"] = True
    if state.limits:
        out["limits"] = [row.to_dict() for row in state.limits]
    if state.bodies:
        out["bodies"] = [_body_to_dict(body) for body in state.bodies]
    if state.join is not None:
        out["join"] = _join_to_dict(state.join)
    return out


def _body_to_dict(body: Body) -> dict[str, Any]:
    out: dict[str, Any] = {"key": body.key, "source": body.source}
    if body.member_role is not None:
        out["member_role"] = body.member_role
    if body.supplied:
        out["supplied"] = True
    return out


def _join_to_dict(join: Join) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": join.rule}
    if join.party_limit is not None:
        out["party_limit"] = format_duration(join.party_limit)
    if join.min_parties != 1:
        out["min_parties"] = join.min_parties
    if join.overdue_trigger != "party_overdue":
        out["overdue_trigger"] = join.overdue_trigger
    return out


def _update_to_dict(update: Update) -> dict[str, Any]:
    out: dict[str, Any] = {"field": update.field}
    for name in ("key", "value", "from_payload"):
        if getattr(update, name) is not None:
            out[name] = getattr(update, name)
    return out


def _branch_to_dict(branch: Branch) -> dict[str, Any]:
    out: dict[str, Any] = {"dest": branch.destination}
    if branch.when:
        out["when"] = dict(branch.when)
    if branch.updates:
        out["updates"] = [_update_to_dict(u) for u in branch.updates]
    if branch.max_times is not None:
        out["max_times"] = branch.max_times
    if branch.label:
        out["label"] = branch.label
    return out


def _link_to_dict(link: Link) -> dict[str, Any]:
    out: dict[str, Any] = {"name": link.name, "workflow": link.workflow}
    if link.location != "same":
        out["location"] = link.location
    if link.up_to:
        out["up_to"] = list(link.up_to)
    if link.label:
        out["label"] = link.label
    return out


def _joint_move_to_dict(move: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if move.reports:
        out["reports"] = True
    if move.branches:
        out["branches"] = [_branch_to_dict(b) for b in move.branches]
    if move.updates:
        out["updates"] = [_update_to_dict(u) for u in move.updates]
    if move.opens:
        out["opens"] = [_link_to_dict(link) for link in move.opens]
    for name in ("max_times", "awaits", "relocate"):
        if getattr(move, name) is not None:
            out[name] = getattr(move, name)
    return out


def _transition_to_dict(move: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "trigger": move.trigger,
        "source": move.sources[0] if len(move.sources) == 1 else list(move.sources),
        "dest": move.destination,
    }
    if move.roles:
        out["roles"] = sorted(move.roles)
    if move.requires:
        out["requires"] = sorted(str(r) for r in move.requires)
    if move.guards:
        out["guards"] = list(move.guards)
    out.update(
        {
            flag: True
            for flag in ("evaluation", "assigns", "on_timeout", "restarts_deadline")
            if getattr(move, flag)
        }
    )
    if move.assign_role is not None:
        out["assign_role"] = move.assign_role
    if move.label:
        out["label"] = move.label
    if move.scope is not Scope.LOCATION:
        out["scope"] = str(move.scope)
    if move.conflicts:
        out["conflicts"] = sorted(move.conflicts)
    out.update(_joint_move_to_dict(move))
    return out


def workflow_to_dict(workflow: Workflow) -> dict[str, Any]:
    """Plain data that :func:`workflow_from_dict` turns back into an equal workflow."""
    out: dict[str, Any] = {
        "name": workflow.name,
        "version": workflow.version,
        "initial": workflow.initial,
        "states": [_state_to_dict(s) for s in workflow.states],
        "transitions": [_transition_to_dict(t) for t in workflow.transitions],
    }
    if workflow.label:
        out["label"] = workflow.label
    policy = workflow.deadlines.to_dict()
    if policy:
        out["deadlines"] = policy
    if workflow.opening != Opening():
        opening = workflow.opening
        out["opening"] = {
            "roles": sorted(opening.roles),
            "scope": str(opening.scope),
            "channels": sorted(str(c) for c in opening.channels),
            "proxy_roles": sorted(opening.proxy_roles),
        }
    if workflow.privacy != Privacy():
        out["privacy"] = {
            "fields": sorted(workflow.privacy.fields),
            "permission": workflow.privacy.permission,
        }
    return out
