"""Conflict-of-interest rules: who may not make a move because of their ties to the issue.

Separation of duties itself (``Relation.NOT_HANDLER``, implied by ``evaluation=True``) compares
*persons*: with an org graph every account of a person resolves to the same id, so one person
under a second id is still the handler. The rules here go further, and a transition opts into
them by name in ``Transition.conflicts``:

``handling_unit``
    the actor holds no post in a unit that handled the issue: a unit one of its people acted
    for, or a unit it is assigned to (a 派出所 may not verify its own work, nor may a colleague
    of the officer who did it for the station). A person assigned in their own name handles in
    their own name: their other posts do not taint their units.
``reporter``
    the actor did not report the issue (nobody verifies their own complaint).
``assignee``
    the actor is not among the issue's assignees, in person or through a unit's post.

Plugins add rules with the ``govflow_conflict_rules`` hook: a rule is a callable taking a
:class:`ConflictContext` and returning None (no conflict) or the reason for refusing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from govflow.authority.identity import Principal
from govflow.org.graph import OrgGraph
from govflow.records import Issue
from govflow.workflow.spec import Transition


@attrs.frozen(slots=True)
class ConflictContext:
    """What a conflict rule sees: the issue, the move, who wants to make it, and the org graph
    (None when the engine has none; the principal then has no posts)."""

    issue: Issue
    transition: Transition
    principal: Principal
    org: OrgGraph | None


#: A conflict rule: None when there is no conflict, else the reason (a sentence fragment).
ConflictRule = Callable[[ConflictContext], str | None]


def _units_of(org: OrgGraph, ids: tuple[str, ...]) -> list[str]:
    return [i for i in ids if i in org and i not in org.people]


def handling_units(issue: Issue, org: OrgGraph | None) -> frozenset[str]:
    """The units that handled ``issue``: the units among its handlers (acted for by one of
    their people) and among its assignees."""
    if org is None:
        return frozenset()
    return frozenset(_units_of(org, (*issue.handlers, *issue.assignees)))


def handling_unit(context: ConflictContext) -> str | None:
    """The actor holds no post in a unit that handled the issue."""
    principal = context.principal
    if context.org is None:
        home = principal.actor.home_unit
        if home is not None and home in context.issue.handlers:
            return f"belongs to {home!r}, which handled the issue"
        return None
    shared = sorted(principal.units & handling_units(context.issue, context.org))
    if shared:
        return f"holds a post in {shared[0]!r}, which handled the issue"
    return None


def reporter(context: ConflictContext) -> str | None:
    """The actor did not report the issue."""
    if context.principal.id == context.issue.reporter:
        return "reported the issue"
    return None


def assignee(context: ConflictContext) -> str | None:
    """The actor is not an assignee of the issue, in person or through a post."""
    issue, principal = context.issue, context.principal
    if principal.id in issue.assignees:
        return "is an assignee of the issue"
    shared = sorted(principal.units & frozenset(issue.assignees))
    if shared:
        return f"holds a post in {shared[0]!r}, which the issue is assigned to"
    return None


#: The rules every engine knows, by the name a transition's ``conflicts`` uses.
BUILTIN_RULES: Mapping[str, ConflictRule] = {
    "handling_unit": handling_unit,
    "reporter": reporter,
    "assignee": assignee,
}


__all__ = [
    "BUILTIN_RULES",
    "ConflictContext",
    "ConflictRule",
    "assignee",
    "handling_unit",
    "handling_units",
    "reporter",
]
