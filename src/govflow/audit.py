"""The audit log: hash-chained events, their verification, and replay.

Each event's hash is SHA-256 over a canonical encoding of all its other fields (see
:func:`event_hash`), including the previous event's hash. Editing, inserting or deleting any
event therefore breaks the chain at a point :func:`verify_events` names. :func:`replay` rebuilds
an issue from its events alone: the ``open`` event carries every initial field, and each later
event carries its destination, its due time and whatever else it changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from govflow.errors import IntegrityError
from govflow.records import Event, Issue, PluginRef
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
    }
)

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
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
    """The canonical JSON text of a payload or data mapping ("" when empty): sorted keys, no
    spaces, UTF-8 kept. The same data always gives the same text, whatever its key order."""
    return _ENCODER.encode(value if type(value) is dict else to_json_value(value)) if value else ""


def _canonical(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is tuple and all(type(v) is str for v in value):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return json_text(value)
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


def canonical_mapping(value: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A changes or decisions mapping as sorted ``(key, value)`` pairs of plain values."""
    return tuple(sorted((k, _canonical(v)) for k, v in value.items())) if value else ()


def event_hash(  # noqa: PLR0917  (one parameter per hashed field, in the encoding's order)
    issue_id: str,
    sequence: int,
    trigger: str,
    source: str | None,
    destination: str,
    actor: str,
    at: datetime,
    due_at: datetime | None,
    payload: str,
    changes: tuple[tuple[str, Any], ...],
    plugin: PluginRef | None,
    decisions: tuple[tuple[str, Any], ...],
    previous_hash: str,
    acting_for: str | None = None,
) -> str:
    """The SHA-256 hex digest of an event's canonical encoding.

    The encoding is ``ascii()`` of a tuple of plain values: a Python literal, so unambiguous
    whatever the ids and names contain, and pure ASCII (every other character escaped), so it
    does not shift with the Unicode database of a future Python. ``payload`` is given as its
    :func:`json_text`, which the engine computes anyway when it checks the payload;
    ``changes`` and ``decisions`` as their :func:`canonical_mapping`, which the engine builds
    as it decides them. The engine passes the fields positionally, on every move.
    ``acting_for`` is appended only when set, so events without it hash as they always did.
    """
    fields = (
        issue_id,
        sequence,
        trigger,
        source,
        destination,
        actor,
        at.isoformat(),
        None if due_at is None else due_at.isoformat(),
        payload,
        changes,
        None if plugin is None else plugin.name,
        None if plugin is None else plugin.version,
        decisions,
        previous_hash,
    )
    encoded = ascii(fields if acting_for is None else (*fields, acting_for))
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def recompute_hash(event: Event) -> str:
    """The hash ``event`` should carry, given its other fields."""
    return event_hash(
        issue_id=event.issue_id,
        sequence=event.sequence,
        trigger=event.trigger,
        source=event.source,
        destination=event.destination,
        actor=event.actor,
        at=event.at,
        due_at=event.due_at,
        payload=json_text(event.payload),
        changes=canonical_mapping(event.changes),
        plugin=event.plugin,
        decisions=canonical_mapping(event.decisions),
        previous_hash=event.previous_hash,
        acting_for=event.acting_for,
    )


def verify_events(events: Sequence[Event], issue: Issue | None = None) -> int:
    """Check an issue's events form an unbroken chain; return how many were checked.

    With ``issue``, also check the chain ends at that issue (a deleted last event leaves a
    valid but short chain; the issue's version gives it away) and that replay reproduces it.
    Raises :class:`~govflow.errors.IntegrityError` naming the issue and the event sequence where
    the log breaks.
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
        if recompute_hash(event) != event.hash:
            raise IntegrityError(issue_id, position, "was edited: its hash does not match")
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


def replay(events: Sequence[Event]) -> Issue:
    """Rebuild an issue from its events, first (``open``) to last."""
    if not events:
        raise IntegrityError("?", 0, "cannot replay an empty log")
    first = events[0]
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
    for event in events[1:]:
        unknown = set(event.changes) - CHANGEABLE
        if unknown:
            raise IntegrityError(event.issue_id, event.sequence, f"unknown changes {unknown}")
        fields.update(event.changes)
        fields["state"] = event.destination
        fields["updated_at"] = event.at
        fields["due_at"] = event.due_at
        fields["version"] = event.sequence
    fields["last_hash"] = events[-1].hash
    return Issue(**fields)


__all__ = [
    "CHANGEABLE",
    "GENESIS",
    "canonical_mapping",
    "event_hash",
    "json_text",
    "recompute_hash",
    "replay",
    "to_json_value",
    "verify_events",
]
