"""Where a role counts: the units of a :class:`~govflow.workflow.spec.Scope` for one issue.

A post counts at the issue's location (``Scope.LOCATION``) when its unit is the location, a
unit containing it (up the ``contains`` chain: grid → community → street → district), or a
party unit leading one of those (the grid's branch, the community's 党委): their jurisdiction
covers the place. An issue without a location belongs to the roots of the graph.
"""

from __future__ import annotations

import weakref
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


#: Per graph, the chain id set of each location, kept with the chain tuple it was built from:
#: the graph hands out the same tuple until its tree changes, so an identity check keeps the
#: memo honest. Every move with a located role asks, so this saves a set per move.
_CHAIN_SETS: weakref.WeakKeyDictionary[OrgGraph, dict[str, tuple[object, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _places(org: OrgGraph, location: str | None) -> frozenset[str]:
    if location is None:
        return frozenset(_roots(org))
    chain = org.chain(location)
    memo = _CHAIN_SETS.get(org)
    if memo is None:
        memo = _CHAIN_SETS[org] = {}
    known = memo.get(location)
    if known is not None and known[0] is chain:
        return known[1]
    ids = frozenset(u.id for u in chain)
    memo[location] = (chain, ids)
    return ids


def covers(org: OrgGraph, unit: str, location: str | None) -> bool:
    """True if a post in ``unit`` counts at ``location`` (see :func:`jurisdiction`)."""
    places = _places(org, location)
    if unit in places:
        return True
    return any(led.id in places for led in org.leads(unit))


def post_at_location(
    org: OrgGraph, principal: Principal, roles: Iterable[str], location: str | None
) -> tuple[str, str] | None:
    """The first post of ``principal`` with one of ``roles`` that counts at ``location``."""
    wanted = roles if isinstance(roles, frozenset) else frozenset(roles)
    candidates = [post for post in principal.posts if post[1] in wanted]
    if not candidates:
        return None
    places = _places(org, location)
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
