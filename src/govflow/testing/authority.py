"""Testing authority: people with posts, and a brute-force oracle for where a post counts.

:func:`staff` adds a person with posts (and other accounts) to an org graph in one call;
:func:`holds_in_scope` answers, by walking the networkx graph itself (``contains``, ``leads``
and ``member_of`` edges) rather than the OrgGraph's indexes, whether a person holds one of some
roles at a location -- the oracle property tests compare the engine's decisions with::

    org = build_org({"street:s1": {"community:c1": {"grid:g1": {}}}})
    staff(org, "wang", ("c1", "inspector"), accounts=["wang-app"])
    assert holds_in_scope(org, "wang", {"inspector"}, "g1")

Hypothesis strategies for staffed org graphs are :func:`govflow.testing.strategies.staffed_orgs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from govflow.authority.identity import ACCOUNTS

_CONTAINS, _LEADS, _MEMBER_OF = "contains", "leads", "member_of"


def staff(
    org: Any,
    person_id: str,
    *posts: Sequence[str],
    name: str | None = None,
    accounts: Iterable[str] = (),
    party_member: bool = False,
    home_unit: str | None = None,
) -> Any:
    """Add ``person_id`` to ``org`` holding ``posts`` (each ``(unit id, role, ...)``), known
    also by ``accounts``; returns the person record."""
    attributes = {ACCOUNTS: list(accounts)} if accounts else None
    org.add_person(
        person_id,
        name or person_id,
        party_member=party_member,
        home_unit=home_unit,
        attributes=attributes,
    )
    for unit, *roles in posts:
        org.assign(person_id, unit, *roles)
    return org.person(person_id)


def _parents(graph: Any, node: str) -> list[str]:
    return [u for u, _, kind in graph.in_edges(node, keys=True) if kind == _CONTAINS]


def covering_units(org: Any, location: str | None) -> set[str]:
    """Brute force: the location, every unit above it, and every unit leading one of those
    (for None: the roots of the contains forest and their leaders)."""
    graph = org.nx
    if location is None:
        places = {
            n
            for n, data in graph.nodes(data=True)
            if hasattr(data["record"], "layer") and not _parents(graph, n)
        }
    else:
        places = set()
        node: str | None = location
        while node is not None:
            places.add(node)
            above = _parents(graph, node)
            node = above[0] if above else None
    leaders = {u for p in places for u, _, kind in graph.in_edges(p, keys=True) if kind == _LEADS}
    return places | leaders


def holds_in_scope(org: Any, person_id: str, roles: Iterable[str], location: str | None) -> bool:
    """Brute force: does ``person_id`` hold one of ``roles`` in a unit covering ``location``?"""
    graph = org.nx
    if person_id not in graph:
        return False
    wanted = set(roles)
    covering = covering_units(org, location)
    return any(
        kind == _MEMBER_OF and unit in covering and wanted & set(data.get("roles", ()))
        for _, unit, kind, data in graph.out_edges(person_id, keys=True, data=True)
    )


__all__ = ["covering_units", "holds_in_scope", "staff"]
