"""事项准入: only the items on a community's access list may be pushed down to it (seed 004).

Seed 004: "逐级建立街道、社区、网格权责事项清单,实行事项准入制度。" The community's list of items
(权责清单) is a ledger, ``access-lists``: an item is listed or delisted by an entry, so the list on
any day is on the record and cannot be edited unseen. A department (or the street) that wants a
community to take on a piece of work pushes it down with :func:`push_down`, which refuses, with
a typed error and nothing opened, any item not on the community's list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govflow import Actor, Engine, Entry, Issue, LedgerSpec
from govflow.errors import InvalidRequestError, PermissionDeniedError

#: 权责清单: entries ``listed`` / ``delisted``, each naming an ``item``, unit the community.
ACCESS_LISTS = LedgerSpec(
    "access-lists", label="社区权责清单 (事项准入)", kinds={"listed", "delisted"}, required={"item"}
)


def _community(engine: Engine, community: str) -> None:
    if engine.org is None:
        raise InvalidRequestError("事项准入 needs the org graph the communities are in")
    if engine.org.unit(community).kind != "community":
        raise InvalidRequestError(f"{community!r} is not a community")


def list_item(engine: Engine, community: str, item: str, *, actor: Actor | str) -> Entry:
    """Put ``item`` on the access list of ``community``."""
    _community(engine, community)
    if item in access_list(engine, community):
        raise InvalidRequestError(f"{item!r} is on the access list of {community!r} already")
    return engine.ledgers.record(
        "access-lists", "listed", actor=actor, unit=community, data={"item": item}
    )


def delist_item(engine: Engine, community: str, item: str, *, actor: Actor | str) -> Entry:
    """Take ``item`` off the access list of ``community``."""
    _community(engine, community)
    if item not in access_list(engine, community):
        raise InvalidRequestError(f"{item!r} is not on the access list of {community!r}")
    return engine.ledgers.record(
        "access-lists", "delisted", actor=actor, unit=community, data={"item": item}
    )


def access_list(engine: Engine, community: str) -> tuple[str, ...]:
    """The items ``community`` takes on now, in the order they were listed."""
    items: dict[str, None] = {}
    for entry in engine.ledgers.entries("access-lists", unit=community):
        item = str(entry.data["item"])
        if entry.kind == "listed":
            items[item] = None
        else:
            items.pop(item, None)
    return tuple(items)


def push_down(
    engine: Engine,
    community: str,
    item: str,
    *,
    by: Actor | str,
    workflow: str = "closed-loop",
    data: Mapping[str, Any] | None = None,
) -> Issue:
    """Push the work ``item`` down to ``community`` as an issue of ``workflow`` located there.

    :raises PermissionDeniedError: if ``item`` is not on the community's access list (事项准入);
        nothing is opened.
    """
    _community(engine, community)
    who = by if isinstance(by, Actor) else Actor(str(by))
    listed = access_list(engine, community)
    if item not in listed:
        raise PermissionDeniedError(
            "(not opened)",
            "push_down",
            who.id,
            reason=(
                f"{item!r} is not on the access list of {community!r} (事项准入); "
                f"listed: {list(listed)}"
            ),
        )
    return engine.open(
        workflow,
        reporter=who,
        location=community,
        category=item,
        data={**(data or {}), "pushed_down_by": who.id},
    )


__all__ = ["ACCESS_LISTS", "access_list", "delist_item", "list_item", "push_down"]
