"""Each issue's log: hash-chained events, their verification, and replay.

Each event's hash is its ``hash_algorithm`` (SHA-256 by default) over the RFC 8785 canonical
JSON of all its other fields (:mod:`govflow.audit.canonical`), including the previous event's
hash. Editing, inserting or deleting any
event therefore breaks the chain at a point :func:`verify_events` names. :func:`replay` rebuilds
an issue from its events alone: the ``open`` event carries every initial field, and each later
event carries its destination, its due time and whatever else it changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from govflow.audit.canonical import (
    AUDIT_FORMAT,
    canonical_bytes,
    canonical_json,
)
from govflow.audit.hashing import digest
from govflow.errors import GovflowError, IntegrityError
from govflow.records import Event, Issue
from govflow.workflow.spec import OPEN_TRIGGER

#: The ``previous_hash`` of an issue's first event.
GENESIS = "0" * 64

#: Fields of :class:`~govflow.records.Issue` an event's ``changes`` may set.
CHANGEABLE = frozenset(
    {
        "workflow",
        "workflow_version",
        "category",
        "location",
        "reporter",
        "assignees",
        "handlers",
        "data",
        "joint",
        "timing",
    }
)


def to_json_value(value: Any) -> Any:
    """``value`` with datetimes as ISO strings and mappings as dicts (tuples stay: JSON lists)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    return value


def json_text(value: Mapping[str, Any]) -> str:
    """The canonical (RFC 8785) JSON text of a payload or data mapping ("" when empty)."""
    return canonical_json(value) if value else ""


def event_hash(event: Event) -> str:
    """The hash ``event`` should carry: its ``hash_algorithm`` over its canonical bytes.

    :raises CanonicalFormError: a field has no canonical form.
    :raises DefinitionError: the event names an algorithm this installation lacks.
    """
    if event.audit_format != AUDIT_FORMAT:
        raise IntegrityError(
            event.issue_id,
            event.sequence,
            f"audit format {event.audit_format!r} is not one this govflow reads ({AUDIT_FORMAT})",
        )
    return digest(event.hash_algorithm, canonical_bytes(event))


def recompute_hash(event: Event) -> str:
    """The hash ``event`` should carry, given its other fields (same as :func:`event_hash`)."""
    return event_hash(event)


def seal(event: Event) -> Event:
    """``event`` with its ``hash`` computed: what the engine appends.

    The event is fresh (nobody else holds it yet), so the hash is written into it in place
    rather than by building a second copy: this runs on every move.
    """
    object.__setattr__(event, "hash", event_hash(event))
    return event


def verify_events(
    events: Sequence[Event],
    issue: Issue | None = None,
    *,
    hashes: Sequence[str | None] = (),
) -> int:
    """Check an issue's events form an unbroken chain; return how many were checked.

    With ``issue``, also check the chain ends at that issue (a deleted last event leaves a
    valid but short chain; the issue's version gives it away) and that replay reproduces it.
    Raises :class:`~govflow.errors.IntegrityError` naming the issue and the event sequence where
    the log breaks.

    ``hashes`` are the events' hashes as a store recomputed them from the rows it read
    (:attr:`govflow.store.base.IssueScan.hashes`): one that matches the event's ``hash`` counts
    as checked; any other event is recomputed here, so that what is reported never depends on
    the store's shortcut.
    """
    if not events:
        if issue is not None:
            raise IntegrityError(issue.id, 0, "the issue has no events")
        return 0
    issue_id = events[0].issue_id
    previous = GENESIS
    for position, event in enumerate(events):
        if event.issue_id != issue_id:
            raise IntegrityError(issue_id, position, f"belongs to issue {event.issue_id!r}")
        if event.sequence != position:
            raise IntegrityError(
                issue_id,
                position,
                f"has sequence {event.sequence}; an event was inserted or deleted here",
            )
        if event.previous_hash != previous:
            raise IntegrityError(
                issue_id, position, "previous_hash does not match the event before it"
            )
        if position >= len(hashes) or hashes[position] != event.hash:
            _check_hash(event, issue_id, position)
        previous = event.hash
    if issue is not None:
        last = events[-1].sequence
        if issue.version != last:
            raise IntegrityError(
                issue_id,
                last + 1,
                f"the issue is at version {issue.version} but the log ends at {last}: "
                "events are missing",
            )
        if replay(events) != issue:
            raise IntegrityError(issue_id, last, "replaying the log does not give the issue")
    return len(events)


def _check_hash(event: Event, issue_id: str, position: int) -> None:
    try:
        recomputed = recompute_hash(event)
    except IntegrityError:
        raise
    except (GovflowError, RecursionError, ValueError, TypeError) as err:
        raise IntegrityError(issue_id, position, f"cannot be hashed: {err}") from None
    if recomputed != event.hash:
        raise IntegrityError(issue_id, position, "was edited: its hash does not match")


def _opening_fields(first: Event) -> dict[str, Any]:
    if first.trigger != OPEN_TRIGGER or first.sequence != 0:
        raise IntegrityError(first.issue_id, first.sequence, "the log does not start with open")
    fields: dict[str, Any] = {
        "id": first.issue_id,
        "state": first.destination,
        "opened_at": first.at,
        "updated_at": first.at,
        "due_at": first.due_at,
        "version": 0,
    }
    fields.update(first.changes)
    return fields


def _apply(fields: dict[str, Any], event: Event) -> None:
    unknown = set(event.changes) - CHANGEABLE
    if unknown:
        raise IntegrityError(event.issue_id, event.sequence, f"unknown changes {unknown}")
    fields.update(event.changes)
    fields["state"] = event.destination
    fields["updated_at"] = event.at
    fields["due_at"] = event.due_at
    fields["version"] = event.sequence


def replay(events: Sequence[Event]) -> Issue:
    """Rebuild an issue from its events, first (``open``) to last."""
    if not events:
        raise IntegrityError("?", 0, "cannot replay an empty log")
    fields = _opening_fields(events[0])
    for event in events[1:]:
        _apply(fields, event)
    return Issue(**fields)


def advance(issue: Issue | None, event: Event) -> Issue:
    """The issue after ``event``: ``replay`` one event at a time (None before the open)."""
    if issue is None:
        return Issue(**_opening_fields(event))
    fields = attrs.asdict(issue, recurse=False)
    _apply(fields, event)
    return Issue(**fields)


__all__ = [
    "CHANGEABLE",
    "GENESIS",
    "advance",
    "event_hash",
    "json_text",
    "recompute_hash",
    "replay",
    "seal",
    "to_json_value",
    "verify_events",
]
