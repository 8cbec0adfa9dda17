"""Reads scoped to the reader, and personal data kept from those who need not see it.

China's Personal Information Protection Law (个人信息保护法, PIPL, in force since 1 November 2021)
requires that personal information be processed only to the extent the purpose needs (art. 6,
minimum necessity) and that access to it be controlled (art. 51). A resident's name, phone
number, ID number and address are needed by the person who calls back, not by everyone who
can see the issue. So:

* a workflow's :class:`~govflow.workflow.spec.Privacy` names the issue data keys that are
  personal (the reporter's contact details go under ``data["personal"]``) and the permission
  (a role) that unlocks them;
* :meth:`govflow.Engine.get`, :meth:`~govflow.Engine.history` and
  :meth:`~govflow.Engine.issues` leave those keys out unless the reader is the reporter or
  holds the permission in scope of the issue's location;
* ``Engine.issues(visible_to=...)`` lists only what the reader may see: an official the issues
  in their jurisdiction (and those assigned to them or their units), a resident their own.

A redacted event no longer matches its hash: verify logs with :meth:`govflow.Engine.verify`,
which reads the store, not a redacted export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from govflow.authority.identity import Principal
from govflow.authority.scope import covers, post_at_location
from govflow.org.graph import OrgGraph
from govflow.records import EMPTY, Event, Issue
from govflow.workflow.spec import Privacy


def _without(data: Mapping[str, Any], fields: frozenset[str]) -> Mapping[str, Any] | None:
    if not data or fields.isdisjoint(data):
        return None
    return {key: value for key, value in data.items() if key not in fields}


def redact_issue(issue: Issue, privacy: Privacy) -> Issue:
    """``issue`` without the personal keys of its data (the same object if it has none)."""
    kept = _without(issue.data, privacy.fields)
    return issue if kept is None else attrs.evolve(issue, data=kept)


def redact_event(event: Event, privacy: Privacy) -> Event:
    """``event`` with the personal keys left out of its payload and of the data it set."""
    payload = _without(event.payload, privacy.fields)
    data = event.changes.get("data")
    kept = _without(data, privacy.fields) if isinstance(data, Mapping) else None
    if payload is None and kept is None:
        return event
    changes = event.changes if kept is None else {**event.changes, "data": kept}
    return attrs.evolve(
        event, payload=event.payload if payload is None else payload, changes=changes or EMPTY
    )


def may_read_personal(
    issue: Issue, privacy: Privacy, reader: Principal | None, org: OrgGraph | None
) -> bool:
    """True if ``reader`` may see the issue's personal data: the reporter, or someone holding
    ``privacy.permission`` in scope of the issue's location (without an org graph: claiming
    it)."""
    if reader is None:
        return False
    if reader.id == issue.reporter:
        return True
    if org is None:
        return privacy.permission in reader.actor.roles
    return post_at_location(org, reader, (privacy.permission,), issue.location) is not None


def visible(issue: Issue, reader: Principal, org: OrgGraph | None) -> bool:
    """True if ``reader`` may see ``issue`` at all.

    Everyone sees what they reported, are assigned to or worked. With an org graph, an official
    also sees every issue in the jurisdiction of one of their posts and those assigned to one
    of their units; without one, an actor claiming any role sees every issue.
    """
    who = reader.id
    if who == issue.reporter or who in issue.assignees or who in issue.handlers:
        return True
    if org is None:
        return bool(reader.actor.roles)
    units = reader.units
    if not units:
        return False
    if not units.isdisjoint(issue.assignees) or not units.isdisjoint(issue.handlers):
        return True
    if issue.location is not None and issue.location not in org:
        return False
    return any(covers(org, unit, issue.location) for unit in units)


def redact_all(events: Iterable[Event], privacy: Privacy) -> tuple[Event, ...]:
    """Every event of ``events`` redacted (see :func:`redact_event`)."""
    return tuple(redact_event(event, privacy) for event in events)


__all__ = [
    "may_read_personal",
    "redact_all",
    "redact_event",
    "redact_issue",
    "visible",
]
