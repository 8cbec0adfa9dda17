"""Linked issues: a move opens child issues, the parent waits for them and feeds back their
outcome (一组一会 refers a 三重一大 matter into 四议两公开 and reports back what it came to).

A transition declares ``opens=[Link(name, workflow, location)]``; the engine allocates each
child's id, commits the parent's event with the link in its ``joint`` record (``links``), then
opens the child with the parent in its own record (``parent``: issue, link and the parent's
event). Both logs therefore hold the link, and :func:`verify_links` checks they agree.

A transition declaring ``awaits=name`` may fire only when every child opened under ``name``
exists and has concluded (reached a terminal state); the parent's record then keeps each
child's outcome (its final state and that state's kind), read from the child itself, never
taken from the caller's payload.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import attrs

from govflow.errors import GuardFailedError, IntegrityError, InvalidRequestError
from govflow.joint.record import iso

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.records import Actor, Issue
    from govflow.workflow.joins import Link
    from govflow.workflow.spec import Transition

#: Payload keys a move that opens children may carry.
CHILD_LOCATION_KEY = "child_location"
CHILD_DATA_KEY = "child_data"
CHILD_CATEGORY_KEY = "child_category"


@attrs.frozen(slots=True)
class LinkedIssue:
    """One child of an issue, as the parent's record keeps it."""

    name: str  #: the link it was opened under
    issue: str  #: the child's id
    workflow: str
    location: str | None
    sequence: int  #: the parent's event that opened it
    outcome: Mapping[str, Any] | None = None  #: once awaited: the child's ``state`` and ``kind``


@attrs.frozen(slots=True)
class ChildToOpen:
    """A child a move will open once the parent's event is committed."""

    link: Link
    issue_id: str
    location: str | None
    category: str | None
    data: Mapping[str, Any]


def children(issue: Issue) -> tuple[LinkedIssue, ...]:
    """The issue's child issues, in the order they were opened."""
    found = issue.joint.get("links") or []
    return tuple(
        LinkedIssue(
            name=str(entry["name"]),
            issue=str(entry["issue"]),
            workflow=str(entry["workflow"]),
            location=entry.get("location"),
            sequence=int(entry["sequence"]),
            outcome=entry.get("outcome"),
        )
        for entry in found
    )


def parent(issue: Issue) -> Mapping[str, Any] | None:
    """The parent link of a child issue (``issue``, ``link``, ``sequence``), or None."""
    found = issue.joint.get("parent")
    return found if isinstance(found, Mapping) else None


def plan_child(
    engine: Engine,
    issue: Issue,
    *,
    move: Transition,
    link: Link,
    payload: Mapping[str, Any],
    location: str | None,
    record: MutableMapping[str, Any],
) -> ChildToOpen:
    """Check and allocate the child ``link`` opens, and note it in the parent's ``record``.

    :raises UnknownWorkflowError, InvalidRequestError: the child's workflow is not registered,
        or its location is not a unit; nothing is committed.
    """
    engine.workflow(link.workflow)  # UnknownWorkflowError, before anything is written
    if link.location == "payload":
        where = payload.get(CHILD_LOCATION_KEY)
        if not isinstance(where, str) or not where:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {move.trigger!r} opens a {link.workflow!r} issue "
                f"located by the payload's {CHILD_LOCATION_KEY!r}, which is missing"
            )
        child_location: str | None = where
    elif link.location == "up" and location is not None:
        org = engine.org
        up = None if org is None else org.parent(location)
        if org is not None and up is not None and link.up_to:
            up = next((u for u in org.chain(up.id) if u.kind in link.up_to), None)
        if up is None:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {move.trigger!r} opens a child one level up, but "
                f"{location!r} has no parent unit"
                + (f" of kind {' or '.join(link.up_to)}" if link.up_to else "")
            )
        child_location = up.id
    else:
        child_location = location
    if child_location is not None and engine.org is not None:
        engine.org.unit(child_location)  # UnknownUnitError (an InvalidRequestError)
    data = payload.get(CHILD_DATA_KEY) or {}
    if not isinstance(data, Mapping):
        raise InvalidRequestError(f"payload {CHILD_DATA_KEY!r} must be a table, got {data!r}")
    category = payload.get(CHILD_CATEGORY_KEY, issue.category)
    child_id = engine.store.new_issue_id()
    record.setdefault("links", []).append(
        {
            "name": link.name,
            "issue": child_id,
            "workflow": link.workflow,
            "location": child_location,
            "sequence": issue.version + 1,
            "outcome": None,
        }
    )
    return ChildToOpen(link, child_id, child_location, category, dict(data))


def open_child(engine: Engine, parent_issue: Issue, child: ChildToOpen, actor: Actor) -> Issue:
    """Open a planned child, its record naming the parent and the event that opened it."""
    return engine.open(
        child.link.workflow,
        reporter=actor,
        location=child.location,
        category=child.category,
        data=child.data,
        issue_id=child.issue_id,
        joint={
            "parent": {
                "issue": parent_issue.id,
                "link": child.link.name,
                "sequence": parent_issue.version,
            }
        },
    )


def await_children(
    engine: Engine,
    issue: Issue,
    move: Transition,
    payload: Mapping[str, Any],
    record: MutableMapping[str, Any],
) -> None:
    """Refuse the move unless every child under ``move.awaits`` exists and has concluded;
    then keep each child's outcome in the parent's ``record``.

    :raises InvalidRequestError: the issue opened no child under the link, or the payload's
        ``child`` names an issue that is not one of them.
    :raises GuardFailedError: a child has not concluded (or is missing from the store).
    """
    name = move.awaits
    entries = [e for e in record.get("links", []) if e["name"] == name]
    if not entries:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {move.trigger!r} awaits link {name!r}, but the issue opened "
            "no child under it"
        )
    named = payload.get("child")
    if named is not None and named not in {e["issue"] for e in entries}:
        raise InvalidRequestError(
            f"issue {issue.id!r}: {named!r} is not a child under link {name!r} "
            f"(children: {[e['issue'] for e in entries]})"
        )
    for entry in entries:
        try:
            child = engine.get(entry["issue"])
        except LookupError:
            raise GuardFailedError(
                issue.id, move.trigger, f"awaits {name}", f"child {entry['issue']!r} does not exist"
            ) from None
        state = engine.workflow(child.workflow, child.workflow_version).state(child.state)
        if not state.terminal:
            raise GuardFailedError(
                issue.id,
                move.trigger,
                f"awaits {name}",
                f"child {child.id!r} is in {child.state!r}, not concluded",
            )
        entry["outcome"] = {
            "state": child.state,
            "kind": str(state.kind),
            "at": iso(child.updated_at),
        }


def verify_links(engine: Engine, issue_id: str) -> int:
    """Check the issue's links agree in both logs: each child it opened names it as parent
    (and the parent event that opened it), and its parent, if any, lists it. Returns the
    number of links checked.

    :raises IntegrityError: naming the issue and what disagrees.
    """
    issue = engine.get(issue_id)
    checked = 0
    events = engine.history(issue_id)
    for child in children(issue):
        if child.sequence >= len(events) or not _opened_by(
            events[child.sequence].changes, child.issue
        ):
            raise IntegrityError(issue_id, child.sequence, f"no event opened child {child.issue!r}")
        try:
            found = engine.get(child.issue)
        except LookupError:
            raise IntegrityError(
                issue_id, child.sequence, f"child {child.issue!r} does not exist"
            ) from None
        up = parent(found)
        if up is None or up.get("issue") != issue_id or up.get("sequence") != child.sequence:
            raise IntegrityError(
                issue_id,
                child.sequence,
                f"child {child.issue!r} does not name this event as its parent",
            )
        checked += 1
    up = parent(issue)
    if up is not None:
        try:
            above = engine.get(str(up["issue"]))
        except LookupError:
            raise IntegrityError(issue_id, 0, f"parent {up['issue']!r} does not exist") from None
        if issue_id not in {c.issue for c in children(above)}:
            raise IntegrityError(issue_id, 0, f"parent {above.id!r} does not list this issue")
        checked += 1
    return checked


def _opened_by(changes: Mapping[str, Any], child_id: str) -> bool:
    record = changes.get("joint")
    if not isinstance(record, Mapping):
        return False
    return any(entry.get("issue") == child_id for entry in record.get("links", []))


__all__ = [
    "CHILD_CATEGORY_KEY",
    "CHILD_DATA_KEY",
    "CHILD_LOCATION_KEY",
    "ChildToOpen",
    "LinkedIssue",
    "await_children",
    "children",
    "open_child",
    "parent",
    "plan_child",
    "verify_links",
]
