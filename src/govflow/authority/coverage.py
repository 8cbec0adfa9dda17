"""Static proof that an org can staff a workflow: role coverage per unit, duties per person.

``govflow check --org FILE`` runs these as extra checks of :func:`govflow.workflow.check.check`:

``role-coverage``
    for every transition whose roles count at the issue's location (``Scope.LOCATION``), and
    for the workflow's opening roles, every administrative unit of the org where an issue may
    lie has someone holding one of the roles in a unit whose jurisdiction covers it; a
    transition of ``Scope.ANYWHERE`` needs a holder somewhere. Assigned and named scopes depend
    on the issue and the plugins, so they are not checked here.
``separation-by-person``
    at every such unit, some person who may make each evaluation move is not the person an
    assigning move with an ``assign_role`` routes the issue to (the nearest holder up the
    chain): otherwise the one who does the work is the only one who could judge it.

Each problem names the transition, the roles and (up to a few) units; it carries no path,
because the fault is in the org, not in a route through the workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from govflow.authority.scope import jurisdiction
from govflow.org.graph import OrgGraph
from govflow.org.load import from_json
from govflow.org.schema import ADMINISTRATIVE, OrgSchema
from govflow.workflow.check import Problem
from govflow.workflow.spec import Scope, Workflow

_SHOWN = 5


def _units_text(units: list[str]) -> str:
    more = f" and {len(units) - _SHOWN} more" if len(units) > _SHOWN else ""
    return ", ".join(units[:_SHOWN]) + more


class _Holders:
    """Who holds which role where, read once from the graph."""

    def __init__(self, org: OrgGraph) -> None:
        self.by_role: dict[str, dict[str, set[str]]] = {}  # role -> unit -> people
        for person in org.people:
            for post in org.posts_of(person):
                self.by_role.setdefault(post.role, {}).setdefault(post.unit.id, set()).add(person)

    def in_units(self, roles: Iterable[str], units: Iterable[str]) -> set[str]:
        people: set[str] = set()
        places = tuple(units)
        for role in roles:
            held = self.by_role.get(role, {})
            for unit in places:
                people |= held.get(unit, set())
        return people

    def anywhere(self, roles: Iterable[str]) -> bool:
        return any(self.by_role.get(role) for role in roles)


def _locations(org: OrgGraph) -> list[str]:
    return [unit.id for unit in org.units() if unit.layer == ADMINISTRATIVE]


def _coverage(workflow: Workflow, org: OrgGraph, holders: _Holders) -> Iterator[Problem]:
    places = {unit: jurisdiction(org, unit) for unit in _locations(org)}
    needs: list[tuple[str, frozenset[str], Scope]] = [
        (f"transition {m.trigger!r}", m.roles, m.scope) for m in workflow.transitions if m.roles
    ]
    if workflow.opening.roles:
        needs.append(("opening", workflow.opening.roles, workflow.opening.scope))
    for what, roles, scope in needs:
        names = sorted(roles)
        if scope is Scope.ANYWHERE and not holders.anywhere(roles):
            yield Problem("role-coverage", f"{what} needs one of {names}: nobody holds one")
        if scope is not Scope.LOCATION:
            continue
        uncovered = [u for u, covering in places.items() if not holders.in_units(roles, covering)]
        if uncovered:
            yield Problem(
                "role-coverage",
                f"{what} needs one of {names} at the issue's location; nobody holds one in "
                f"scope of {len(uncovered)} unit(s): {_units_text(uncovered)}",
            )


def _separation(workflow: Workflow, org: OrgGraph, holders: _Holders) -> Iterator[Problem]:
    routed = sorted({m.assign_role for m in workflow.transitions if m.assign_role is not None})
    judges = [m for m in workflow.transitions if m.evaluation and m.roles]
    if not routed or not judges:
        return
    for move in judges:
        if move.scope is not Scope.LOCATION:
            continue
        alone: list[str] = []
        for unit in _locations(org):
            evaluators = holders.in_units(move.roles, jurisdiction(org, unit))
            workers = {
                post.person.id
                for role in routed
                if (post := org.responsible(unit, role)) is not None
            }
            if evaluators and evaluators <= workers:
                alone.append(unit)
        if alone:
            yield Problem(
                "separation-by-person",
                f"transition {move.trigger!r}: at {len(alone)} unit(s) the only holders of "
                f"{sorted(move.roles)} in scope are the people the issue is routed to: "
                f"{_units_text(alone)}",
            )


def authority_checks(org: OrgGraph) -> list[Callable[[Workflow], Iterable[Problem]]]:
    """The checks of this module for ``org``, to pass as ``check(..., checks=...)``."""
    holders = _Holders(org)

    def role_coverage(workflow: Workflow) -> Iterable[Problem]:
        return list(_coverage(workflow, org, holders))

    def separation_by_person(workflow: Workflow) -> Iterable[Problem]:
        return list(_separation(workflow, org, holders))

    return [role_coverage, separation_by_person]


def load_org(path: str | Path, schema: OrgSchema) -> OrgGraph:
    """The org graph in the JSON file at ``path`` (``{"units", "people", "links"}``, see
    :func:`govflow.org.from_json`), checked against ``schema`` (the plugins' merged schema).

    :raises DataLoadError: the file cannot be read or a row is bad.
    """
    return from_json(Path(path), graph=OrgGraph(schema))


def authority_problems(workflow: Workflow, org: OrgGraph) -> list[Problem]:
    """Every role-coverage and separation-by-person problem of ``workflow`` on ``org``."""
    return [problem for check in authority_checks(org) for problem in check(workflow)]


__all__ = ["authority_checks", "authority_problems", "load_org"]
