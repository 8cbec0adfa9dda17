"""Default routing: an assigning move goes to the actors named in its payload's ``assignees``.

Registered ``trylast`` so that local methods (route by category, by grid, by pairing) answer
first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from govflow.errors import InvalidRequestError
from govflow.hookspecs import hookimpl


@hookimpl(trylast=True)
def govflow_resolve_assignees(payload: Mapping[str, Any]) -> Sequence[str] | None:
    assignees = payload.get("assignees")
    if assignees is None:
        return None
    if isinstance(assignees, str):
        assignees = [assignees]
    if not isinstance(assignees, list | tuple) or not all(
        isinstance(a, str) and a for a in assignees
    ):
        raise InvalidRequestError(
            f"payload 'assignees' must be a list of actor ids, got {assignees!r}"
        )
    return list(assignees)
