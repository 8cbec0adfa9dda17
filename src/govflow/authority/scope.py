"""Where a role counts: the units of a :class:`~govflow.workflow.spec.Scope` for one issue.

A post counts at the issue's location (``Scope.LOCATION``) when its unit is the location, a
unit containing it (up the ``contains`` chain: grid → community → street → district), or a
party unit leading one of those (the grid's branch, the community's 党委): their jurisdiction
covers the place. An issue without a location belongs to the roots of the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from govflow.authority.identity import Principal
from govflow.org.graph import OrgGraph


def _roots(org: OrgGraph) -> list[str]:
    return [unit.id for unit in org if org.parent(unit.id) is None]


def jurisdiction(org: OrgGraph, location: str | None) -> tuple[str, ...]:
    """The units whose posts count at ``location``: its chain and the party units leading any
    unit of it, nearest first (for a location of None: the roots and their leaders)."""
    chain = [u.id for u in org.chain(location)] if location is not None else _roots(org)
    out: dict[str, None] = {}
    for unit in chain:
        out[unit] = None
        for leader in org.leaders(unit):
            out[leader.id] = None
    return tuple(out)


def covers(org: OrgGraph, unit: str, location: str | None) -> bool:
    """True if a post in ``unit`` counts at ``location`` (see :func:`jurisdiction`)."""
    places = set(_roots(org)) if location is None else {u.id for u in org.chain(location)}
    if unit in places:
        return True
    return any(led.id in places for led in org.leads(unit))


def post_at_location(
    org: OrgGraph, principal: Principal, roles: Iterable[str], location: str | None
) -> tuple[str, str] | None:
    """The first post of ``principal`` with one of ``roles`` that counts at ``location``."""
    wanted = frozenset(roles)
    candidates = [post for post in principal.posts if post[1] in wanted]
    if not candidates:
        return None
    places = {u.id for u in org.chain(location)} if location is not None else set(_roots(org))
    for post in candidates:
        if post[0] in places or any(led.id in places for led in org.leads(post[0])):
            return post
    return None


def post_in(
    principal: Principal, roles: Iterable[str] | None, units: Iterable[str]
) -> tuple[str, str] | None:
    """The first post of ``principal`` in one of ``units`` (with one of ``roles``, if given)."""
    wanted = None if roles is None else frozenset(roles)
    places = frozenset(units)
    for post in principal.posts:
        if post[0] in places and (wanted is None or post[1] in wanted):
            return post
    return None


__all__ = ["covers", "jurisdiction", "post_at_location", "post_in"]
