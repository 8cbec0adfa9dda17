"""Default routing and escalation, through the organization graph.

An assigning move goes to the actors named in its payload's ``assignees``; failing that, when
the transition names an ``assign_role`` and the engine has an org graph, to the nearest holder
of that role up the chain from the issue's location. An escalation with no local rule climbs
one level: to the parent of the issue's location.

Registered ``trylast`` so that local methods (route by category, by grid, by pairing) answer
first; see :func:`govflow.escalation.escalation_targets` for how the escalation fallback yields
to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govflow.errors import InvalidRequestError
from govflow.hookspecs import hookimpl
from govflow.org import OrgGraph
from govflow.records import Issue
from govflow.workflow.spec import Transition

#: The name this plugin registers under; escalation treats its answer as a fallback.
NAME = "govflow.routing"


@hookimpl(trylast=True)
def govflow_resolve_assignees(
    issue: Issue, transition: Transition, payload: Mapping[str, Any], org: OrgGraph | None
) -> Sequence[str] | None:
    assignees = payload.get("assignees")
    if assignees is None:
        return _by_role(issue, transition, org)
    if isinstance(assignees, str):
        assignees = [assignees]
    if not isinstance(assignees, list | tuple) or not all(
        isinstance(a, str) and a for a in assignees
    ):
        raise InvalidRequestError(
            f"payload 'assignees' must be a list of actor ids, got {assignees!r}"
        )
    return list(assignees)


def _by_role(issue: Issue, transition: Transition, org: OrgGraph | None) -> list[str] | None:
    if transition.assign_role is None or org is None or issue.location is None:
        return None
    post = org.responsible(issue.location, transition.assign_role)
    return None if post is None else [post.person.id]


@hookimpl(trylast=True)
def govflow_escalation_targets(issue: Issue, org: OrgGraph | None) -> list[str] | None:
    if org is None or issue.location is None:
        return None
    parent = org.parent(issue.location)
    return None if parent is None else [parent.id]
