"""Small org graphs from a compact literal, for tests.

A unit is a key ``"kind:id"`` or ``"kind:id name"``; its value maps the units it contains::

    build_org(
        {"street:s1 幸福街道": {"community:c1 一号社区": {"grid:g1": {}, "grid:g2": {}}}},
        people={"wang": ("c1", "secretary"), "li": [("g1", "grid_worker"), ("c1", "member")]},
    )

``people`` maps a person id to one post ``(unit id, role, ...)`` or a list of posts. Kinds must
be kinds of the graph's schema (``govflow.org``'s default schema unless one is given).
:func:`parse_org` gives the plain units and posts without building anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from govflow.errors import InvalidOrgGraphError

#: A person's post: the unit, then the roles held there.
Post = tuple[str, ...]


@attrs.frozen(slots=True)
class UnitSpec:
    """One unit of a literal: ``parent`` is None for a root."""

    id: str
    kind: str
    name: str
    parent: str | None


def _unit(key: str, parent: str | None) -> UnitSpec:
    head, _, name = key.strip().partition(" ")
    kind, sep, unit_id = head.partition(":")
    if not sep or not kind or not unit_id:
        raise InvalidOrgGraphError(f"org literal: {key!r} is not 'kind:id' or 'kind:id name'")
    return UnitSpec(unit_id, kind, name.strip() or unit_id, parent)


def _walk(tree: Mapping[str, Any], parent: str | None, out: list[UnitSpec]) -> None:
    for key, children in tree.items():
        unit = _unit(key, parent)
        out.append(unit)
        if not isinstance(children, Mapping):
            raise InvalidOrgGraphError(
                f"org literal: the value of {key!r} must map contained units (use {{}} for none)"
            )
        _walk(children, unit.id, out)


def _posts(person: str, value: Sequence[Any]) -> list[Post]:
    posts = [tuple(value)] if value and isinstance(value[0], str) else [tuple(p) for p in value]
    for post in posts:
        if len(post) < 2 or not all(isinstance(part, str) for part in post):
            raise InvalidOrgGraphError(
                f"org literal: person {person!r} needs posts like ('unit', 'role', ...), "
                f"got {post!r}"
            )
    return posts


def parse_org(
    tree: Mapping[str, Any], people: Mapping[str, Sequence[Any]] | None = None
) -> tuple[list[UnitSpec], dict[str, list[Post]]]:
    """The units (parents before children) and each person's posts in a literal."""
    units: list[UnitSpec] = []
    _walk(tree, None, units)
    ids = [u.id for u in units]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidOrgGraphError(f"org literal: unit ids {duplicates} appear twice")
    posts = {person: _posts(person, value) for person, value in (people or {}).items()}
    for person, person_posts in posts.items():
        for post in person_posts:
            if post[0] not in ids:
                raise InvalidOrgGraphError(
                    f"org literal: person {person!r} holds a post in unknown unit {post[0]!r}"
                )
    return units, posts


def build_org(
    tree: Mapping[str, Any],
    people: Mapping[str, Sequence[Any]] | None = None,
    *,
    schema: Any = None,
) -> Any:
    """Build a ``govflow.org.OrgGraph`` from a literal (see the module docstring)."""
    units, posts = parse_org(tree, people)
    try:
        org = importlib.import_module("govflow.org")
    except ImportError as err:  # the org graph ships with govflow >= the org-graph release
        raise RuntimeError("build_org needs govflow.org, which this govflow lacks") from err
    graph = org.OrgGraph() if schema is None else org.OrgGraph(schema)
    for unit in units:
        graph.add_unit(unit.id, unit.kind, unit.name, parent=unit.parent)
    for person, person_posts in posts.items():
        graph.add_person(person, person)
        for unit_id, *roles in person_posts:
            graph.assign(person, unit_id, *roles)
    return graph


__all__ = ["Post", "UnitSpec", "build_org", "parse_org"]
