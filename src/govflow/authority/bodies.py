"""Deliberating bodies from the org graph: who is due at a gate, frozen into the log.

A gate state declares its :class:`~govflow.workflow.spec.Body` (``GateSequence`` does it for a
:class:`~govflow.gates.Gate` with a ``source``). When an issue enters the state from another
one, the engine asks the body's resolver for the composition *at the issue's location* and
writes it into the issue's ``data["bodies"][key]`` as part of that move's changes: the log then
says who was due, the gate's guards count the vote against exactly those people, and a later
change of the org graph does not rewrite a meeting that was already called.

A composition supplied in the issue's data is refused when the issue is opened, unless the body
says ``supplied=True``; without an org graph there is nothing to resolve from, so supplied
compositions are what the gates read (scripts and tests).

Resolvers shipped here:

``council``
    the council (议事会 / 理事会) convened by the party unit nearest the location
    (:meth:`OrgGraph.council_for`); its ``head`` chairs.
``party_unit``
    the party unit leading the location or its nearest ancestor (:meth:`OrgGraph.party_unit_for`);
    its ``secretary`` chairs.

Plugins add resolvers with the ``govflow_body_resolvers`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from govflow.errors import InvalidRequestError, PermissionDeniedError
from govflow.gates import BODIES_KEY, Composition
from govflow.org.graph import OrgGraph
from govflow.records import Issue
from govflow.workflow.spec import OPEN_TRIGGER, Body, Workflow

#: A body resolver: the composition of ``body`` for ``issue`` (at its location), or None.
BodyResolver = Callable[[Issue, OrgGraph, Body], Composition | None]


def unit_composition(
    org: OrgGraph, unit_id: str, member_role: str | None = None, chair_role: str | None = None
) -> Composition:
    """The members of ``unit_id`` (holding ``member_role`` if given), each once, in assignment
    order; the chair is the first holder of ``chair_role`` there, if any."""
    posts = org.members(unit_id) if member_role is None else org.members(unit_id, member_role)
    members = tuple(dict.fromkeys(post.person.id for post in posts))
    chair = None
    if chair_role is not None:
        chairs = org.members(unit_id, chair_role)
        chair = chairs[0].person.id if chairs else None
    return Composition(members, chair)


def council(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """The council serving the issue's location; its head chairs."""
    if issue.location is None:
        return None
    found = org.council_for(issue.location)
    return None if found is None else unit_composition(org, found.id, body.member_role, "head")


def party_unit(issue: Issue, org: OrgGraph, body: Body) -> Composition | None:
    """The party unit answering for the issue's location; its secretary chairs."""
    if issue.location is None:
        return None
    found = org.party_unit_for(issue.location)
    if found is None:
        return None
    return unit_composition(org, found.id, body.member_role, "secretary")


#: The resolvers every engine knows, by the name a body's ``source`` uses.
BUILTIN_RESOLVERS: Mapping[str, BodyResolver] = {"council": council, "party_unit": party_unit}


def gate_bodies(workflow: Workflow) -> dict[str, Body]:
    """The bodies the workflow's gate states declare, by their data key."""
    return {body.key: body for state in workflow.states for body in state.bodies}


def check_supplied(workflow: Workflow, data: Mapping[str, Any], issue_id: str, opener: str) -> None:
    """Refuse an opening whose data supplies a body the org graph resolves.

    :raises PermissionDeniedError: naming the body (nothing is opened).
    """
    supplied = data.get(BODIES_KEY)
    if not isinstance(supplied, Mapping):
        return
    for key, body in gate_bodies(workflow).items():
        if key in supplied and not body.supplied:
            raise PermissionDeniedError(
                issue_id,
                OPEN_TRIGGER,
                opener,
                reason=(
                    f"may not supply the body {key!r}: it is resolved from the org graph "
                    f"({body.source}) at the issue's location when the gate opens"
                ),
            )


def frozen_data(
    issue: Issue,
    bodies: tuple[Body, ...],
    org: OrgGraph,
    resolvers: Mapping[str, BodyResolver],
) -> dict[str, Any] | None:
    """The issue's data with the compositions of ``bodies`` resolved and written in, or None
    when there is nothing to resolve (every body is ``supplied`` and the data has it).

    :raises InvalidRequestError: no resolver of a body's source, or it finds nobody.
    """
    known = issue.data.get(BODIES_KEY)
    given = dict(known) if isinstance(known, Mapping) else {}
    resolved: dict[str, Any] = {}
    for body in bodies:
        if body.supplied and body.key in given:
            continue
        resolver = resolvers.get(body.source)
        if resolver is None:
            raise InvalidRequestError(f"no body resolver {body.source!r} is registered")
        found = resolver(issue, org, body)
        if found is None or not found.members:
            raise InvalidRequestError(
                f"issue {issue.id!r}: the org graph has no {body.source!r} body with members "
                f"at {issue.location!r} for {body.key!r}"
            )
        entry: dict[str, Any] = {"members": list(found.members), "source": body.source}
        if found.chair is not None:
            entry["chair"] = found.chair
        resolved[body.key] = entry
    if not resolved:
        return None
    data = dict(issue.data)
    data[BODIES_KEY] = {**given, **resolved}
    return data


__all__ = [
    "BUILTIN_RESOLVERS",
    "BodyResolver",
    "check_supplied",
    "council",
    "frozen_data",
    "gate_bodies",
    "party_unit",
    "unit_composition",
]
