"""What the HTTP API shows of issues, events, workflows and figures: plain JSON values.

Personal data never leaves through a view. Whatever the data of an issue or the payload of a
move holds under a key of :data:`PERSONAL_FIELDS` (at any depth: the Open311 layer keeps the
reporter's details under ``contact``) stays in the record, for the deployment's own tools, and
is left out of every response.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from govflow.metrics import AccountabilityReport, Figures
from govflow.records import Event, Issue
from govflow.workflow.spec import Workflow

#: Keys whose values are personal data: never shown by a view.
PERSONAL_FIELDS: Final = frozenset(
    {
        "contact",
        "name",
        "first_name",
        "last_name",
        "phone",
        "email",
        "device_id",
        "account_id",
        "id_card",
    }
)


def public_value(value: Any) -> Any:
    """``value`` as JSON, with every mapping's personal keys left out (at any depth)."""
    if isinstance(value, Mapping):
        return {
            str(key): public_value(item)
            for key, item in value.items()
            if key not in PERSONAL_FIELDS
        }
    if isinstance(value, list | tuple):
        return [public_value(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def issue_view(issue: Issue, workflow: Workflow) -> dict[str, Any]:
    """An issue as the API shows it, with its state's kind and label."""
    state = workflow.state(issue.state)
    return {
        "id": issue.id,
        "workflow": issue.workflow,
        "workflow_version": issue.workflow_version,
        "state": issue.state,
        "state_kind": str(state.kind),
        "state_label": state.label,
        "terminal": state.terminal,
        "category": issue.category,
        "location": issue.location,
        "reporter": issue.reporter,
        "opened_at": _time(issue.opened_at),
        "updated_at": _time(issue.updated_at),
        "due_at": _time(issue.due_at),
        "assignees": list(issue.assignees),
        "handlers": list(issue.handlers),
        "data": public_value(issue.data),
        "version": issue.version,
    }


def event_view(event: Event) -> dict[str, Any]:
    """One entry of the audit log as the API shows it."""
    return {
        "issue_id": event.issue_id,
        "sequence": event.sequence,
        "trigger": event.trigger,
        "source": event.source,
        "destination": event.destination,
        "actor": event.actor,
        "at": _time(event.at),
        "due_at": _time(event.due_at),
        "payload": public_value(event.payload),
        "changes": public_value(event.changes),
        "plugin": None if event.plugin is None else str(event.plugin),
        "decisions": dict(event.decisions),
        "previous_hash": event.previous_hash,
        "hash": event.hash,
    }


def figures_view(figures: Figures) -> dict[str, Any]:
    """One group's accountability figures, counts and rates."""
    return {
        "group": figures.group,
        "received": figures.received,
        "cancelled": figures.cancelled,
        "completed": figures.completed,
        "completed_on_time": figures.completed_on_time,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        "completion_rate": figures.completion_rate,
        "on_time_rate": figures.on_time_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }


def report_view(report: AccountabilityReport) -> dict[str, Any]:
    """Totals, every group, and the ranking (group names, best first)."""
    return {
        "total": figures_view(report.total),
        "groups": [figures_view(group) for group in report.groups],
        "ranking": [group.group for group in report.ranking()],
    }


def workflow_view(workflow: Workflow, plugin: str) -> dict[str, Any]:
    """A workflow's plain-data form (what ``Workflow.from_dict`` reads) and who contributed it."""
    return {**workflow.to_dict(), "plugin": plugin}


__all__ = [
    "PERSONAL_FIELDS",
    "event_view",
    "figures_view",
    "issue_view",
    "public_value",
    "report_view",
    "workflow_view",
]
