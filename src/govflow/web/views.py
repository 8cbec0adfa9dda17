"""What the HTTP API shows of issues, events, workflows and figures: plain JSON values.

The views show what the engine gives the reader: :meth:`govflow.Engine.get` and
:meth:`~govflow.Engine.history` leave a workflow's personal data out (its
:class:`~govflow.workflow.spec.Privacy`: the reporter's details under ``personal``, phone,
address...) unless the reader is the reporter or holds the permission to see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from govflow.metrics import AccountabilityReport, Figures
from govflow.records import Event, Issue
from govflow.workflow.spec import Workflow


def json_value(value: Any) -> Any:
    """``value`` as plain JSON: mappings as objects, tuples as lists, times in ISO 8601."""
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
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
        "data": json_value(issue.data),
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
        "payload": json_value(event.payload),
        "changes": json_value(event.changes),
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
    "event_view",
    "figures_view",
    "issue_view",
    "json_value",
    "report_view",
    "workflow_view",
]
