"""Joint work: parallel parties with a join, and the record of it an issue carries.

The declarations live in :mod:`govflow.workflow.joins` (:class:`~govflow.workflow.joins.Join`
on a state, branches, updates, links and relocation on transitions); this package carries them
out when an engine moves an issue. Read an issue's parties with :func:`parties` (or
:meth:`govflow.Engine.parties`), its children with :func:`govflow.links.children`, and the
path it took across levels with :func:`location_path`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from govflow.joint.record import OVERDUE, PENDING, REPORTED
from govflow.joint.rounds import PARTIES_KEY, Party, parties

if TYPE_CHECKING:
    from govflow.records import Event


def location_path(events: Sequence[Event]) -> list[str | None]:
    """Every location an issue has had, in order, read from its log (the ``open`` event's
    location, then each move that changed it)."""
    path: list[str | None] = []
    for event in events:
        if "location" in event.changes:
            where = event.changes["location"]
            if not path or path[-1] != where:
                path.append(where)
    return path


__all__ = [
    "OVERDUE",
    "PARTIES_KEY",
    "PENDING",
    "REPORTED",
    "Party",
    "location_path",
    "parties",
]
