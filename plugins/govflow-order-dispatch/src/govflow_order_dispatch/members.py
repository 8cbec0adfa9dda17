"""Sunk party members (下沉党员) in the org graph, and who is nearest to an order.

Seed 003: "将下沉党员精准编入网格楼栋,分配到政策宣讲、环境整治、调解纠纷、法律援助、治安巡逻等岗位"
and "下沉党员在线认领任务、就近提供服务". A member is *sunk to a place* when they are a party
member registered with its community (``registered_at``, 报到) and hold the post ``sunk_member``
in a unit of that community (a grid, a residential area, a building). Their duty posts (岗位)
are the person attribute ``duties``, a list of names. All three names are this plugin's
defaults.

*Nearest* is measured on the org tree, the only geography the graph has: the number of
``contains`` steps between the order's place and the unit the member is sunk to (the same
building 0, a neighbouring building of the same residential area 2, ...). Ties go to the member
id, so the order of offers is reproducible. The seed says "就近" without a measure; this is the
plugin's default.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from govflow import OrgGraph, Person

#: The post a sunk member holds in the unit they are sunk to (default name).
SUNK_MEMBER = "sunk_member"
#: The person attribute listing a member's duty posts (岗位) (default name).
DUTIES = "duties"
#: The duty posts seed 003 names.
DUTY_POSTS = ("政策宣讲", "环境整治", "调解纠纷", "法律援助", "治安巡逻")


def community_of(org: OrgGraph, unit_id: str) -> str | None:
    """The community (or administrative village) containing ``unit_id``, itself included."""
    for unit in org.chain(unit_id):
        if unit.kind in {"community", "administrative_village"}:
            return unit.id
    return None


def sink(org: OrgGraph, person_id: str, unit_id: str) -> None:
    """Sink ``person_id`` to ``unit_id``: register them with its community (if they are not
    yet) and give them the ``sunk_member`` post there. Duty posts are the person's attribute
    ``duties``, given when the person is added."""
    org.person(person_id)
    community = community_of(org, unit_id)
    if community is None:
        raise ValueError(f"{unit_id!r} is in no community")
    if person_id not in {p.id for p in org.registered(community)}:
        org.add_edge("registered_at", person_id, community)
    org.assign(person_id, unit_id, SUNK_MEMBER)


def _distance(org: OrgGraph, a: str, b: str) -> int:
    up_a = [u.id for u in org.chain(a)]
    up_b = [u.id for u in org.chain(b)]
    common = set(up_a) & set(up_b)
    return next(i for i, u in enumerate(up_a) if u in common) + next(
        i for i, u in enumerate(up_b) if u in common
    )


def is_sunk_to(org: OrgGraph, person: Person, place: str) -> bool:
    """True if ``person`` is a party member sunk to the community containing ``place``."""
    return any(True for _ in _posts_near(org, person, place))


def _posts_near(org: OrgGraph, person: Person, place: str) -> Iterable[str]:
    community = community_of(org, place)
    if community is None or not person.party_member:
        return
    if person.id not in {p.id for p in org.registered(community)}:
        return
    for post in org.posts_of(person.id):
        if post.role == SUNK_MEMBER and community_of(org, post.unit.id) == community:
            yield post.unit.id


def has_duty(person: Person, duty: str | None) -> bool:
    """True if ``duty`` is None or among the person's duty posts."""
    if duty is None:
        return True
    duties = person.attributes.get(DUTIES, ())
    return isinstance(duties, list | tuple) and duty in duties


def candidates(
    org: OrgGraph, place: str, *, duty: str | None = None, skip: Collection[str] = ()
) -> list[str]:
    """The members who may take an order at ``place``, nearest first: party members sunk to
    its community, holding ``duty`` (if the service names one), not in ``skip``."""
    ranked: list[tuple[int, str]] = []
    community = community_of(org, place)
    if community is None:
        return []
    for person in org.registered(community):
        if person.id in skip or not has_duty(person, duty):
            continue
        places = list(_posts_near(org, person, place))
        if places:
            ranked.append((min(_distance(org, place, p) for p in places), person.id))
    return [person for _, person in sorted(ranked)]


__all__ = [
    "DUTIES",
    "DUTY_POSTS",
    "SUNK_MEMBER",
    "candidates",
    "community_of",
    "has_duty",
    "is_sunk_to",
    "sink",
]
