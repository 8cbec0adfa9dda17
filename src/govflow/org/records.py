"""The records an org graph holds: units, people, and the posts people hold in units.

Records are frozen and slotted; they refer to each other by id (never by object), so a big graph
holds no reference cycles for the garbage collector to chase.

Unit ids are strings. Units loaded from the official statistical table use their 12-digit code
(padded with zeros: Anhui is ``"340000000000"``, 喻义巷社区 is ``"340303001001"``); units
generated or loaded from tables use whatever id the caller gives (the synthetic generator
derives them from the parent id, e.g. ``"340303001001-A01"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs


@attrs.frozen(slots=True)
class Unit:
    """A unit of any layer: a street, a community, a party branch, a council, a department.

    ``layer`` comes from the schema's entry for ``kind``; ``code`` is an optional division or grid
    code (unique in a graph); ``attributes`` hold anything else (population, address, ...).
    """

    id: str
    kind: str
    name: str
    layer: str
    code: str | None = None
    attributes: Mapping[str, object] = attrs.field(factory=dict, eq=False, repr=False)


def _role_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen(slots=True)
class Person:
    """A person: a grid worker, a branch secretary, an in-service party member, a resident.

    ``roles`` is every role the person holds anywhere (the unit of each post is on the
    ``member_of`` edge, see :class:`Post`); ``home_unit`` is where the person lives, if known.
    """

    id: str
    name: str
    party_member: bool = False
    home_unit: str | None = None
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_role_set)
    attributes: Mapping[str, object] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen(slots=True)
class Post:
    """``person`` holds ``role`` in ``unit``: the answer of ``responsible`` and ``members``."""

    unit: Unit
    role: str
    person: Person


@attrs.frozen(slots=True)
class EscalationStep:
    """One level of an escalation path: the unit, the party unit that leads it, and (when a role
    was asked for) who holds that role there."""

    unit: Unit
    party_unit: Unit | None
    holder: Post | None = None


__all__ = ["EscalationStep", "Person", "Post", "Unit"]
