"""What 四议两公开 makes public: the process, not only the result.

Seed 002: "确保做到实施过程和处理结果公开透明". :func:`public_record` reads, from the audit log
alone, every meeting the matter went through (when, which body, how many were due, attended,
voted for, against, abstained, and what it came to), every progress disclosure made while
carrying it out, every objection raised during a notice, and the result reported. It gives
counts, not names: who voted how stays in the log for those entitled to read it (a default:
the seed does not say what a notice must show).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from govflow import Engine, Event

_VOTES = ("pass_", "fail_", "adjourn_", "merge_")


@attrs.frozen(slots=True)
class Meeting:
    """One meeting held on the matter, as a notice shows it."""

    at: datetime
    gate: str
    due: int
    attended: int
    votes_for: int
    against: int
    abstain: int
    outcome: str


@attrs.frozen(slots=True)
class PublicRecord:
    """The process and the result of one 四议两公开 matter, ready to be posted."""

    issue_id: str
    subject: str | None
    meetings: tuple[Meeting, ...]
    progress: tuple[tuple[datetime, str], ...]
    objections: tuple[tuple[datetime, str], ...]
    result: Mapping[str, Any] | None
    state: str


def _due(bodies: Any, gates: str, keys: Mapping[str, str]) -> int:
    """How many were due at the meeting of ``gates`` (``a+b`` for a joint meeting)."""
    due: set[str] = set()
    for gate in gates.split("+"):
        entry = bodies.get(keys.get(gate, ""), ()) if isinstance(bodies, Mapping) else ()
        members = entry.get("members", ()) if isinstance(entry, Mapping) else entry
        due.update(m for m in members if isinstance(m, str))
    return len(due)


def _meeting(event: Event, bodies: Any, keys: Mapping[str, str]) -> Meeting:
    payload = event.payload
    gate = str(payload.get("gate", ""))
    return Meeting(
        at=event.at,
        gate=gate,
        due=_due(bodies, gate, keys),
        attended=len(payload.get("attendees", ())),
        votes_for=len(payload.get("for", ())),
        against=len(payload.get("against", ())),
        abstain=len(payload.get("abstain", ())),
        outcome=str(payload.get("outcome", "")),
    )


def public_record(engine: Engine, issue_id: str) -> PublicRecord:
    """The public record of a 四议两公开 matter, read from its log.

    :raises govflow.errors.UnknownIssueError: no such issue.
    """
    from govflow_four_deliberations import DECISION, VILLAGERS_MEETING  # noqa: PLC0415

    keys = {
        step.name: step.body
        for sequence in (DECISION, VILLAGERS_MEETING)
        for step in sequence.steps
        if hasattr(step, "body")
    }
    issue = engine.get(issue_id)
    bodies = issue.data.get("bodies")
    meetings, progress, objections = [], [], []
    result: Mapping[str, Any] | None = None
    for event in engine.history(issue_id):
        trigger = event.trigger
        if trigger.startswith(_VOTES) and "gate" in event.payload:
            meetings.append(_meeting(event, bodies, keys))
        elif trigger == "disclose_progress":
            progress.append((event.at, str(event.payload["progress"])))
        elif trigger.startswith("object_"):
            objections.append((event.at, str(event.payload.get("reason", ""))))
        elif trigger == "report_result":
            result = dict(event.payload)
    subject = issue.data.get("subject")
    return PublicRecord(
        issue_id=issue_id,
        subject=subject if isinstance(subject, str) else None,
        meetings=tuple(meetings),
        progress=tuple(progress),
        objections=tuple(objections),
        result=result,
        state=issue.state,
    )


__all__ = ["Meeting", "PublicRecord", "public_record"]
