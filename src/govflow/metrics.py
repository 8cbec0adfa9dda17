"""Accountability figures computed from the record: completion, timeliness, satisfaction.

The seeds report the same handful of figures everywhere -- 办结率 (completion rate), on-time
rate, 满意率 (satisfaction rate), and rankings of communities by them. govflow computes them from
the audit log and the workflows' state kinds, never from counters kept on the side, so the same
log always gives the same figures and any figure can be traced back to the events behind it.

Definitions (each over the issues of one group, e.g. one location):

* **received**: issues opened; **cancelled**: issues in a cancelled-kind state (不予受理);
* **completion rate**: issues in a closed-kind state ÷ (received − cancelled);
* **on-time rate**: completed issues none of whose moves came after the due time of the state
  it left (a move fired by the deadline clock is late by definition) ÷ completed;
* **satisfaction rate**: ratings of ``satisfied`` or ``basically_satisfied`` ÷ all ratings,
  where a rating is the ``satisfaction`` a move's payload carries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from govflow.records import SYSTEM_CLOCK, Event, Issue
from govflow.workflow.spec import StateKind, Workflow

if TYPE_CHECKING:
    from govflow.engine import Engine

#: Ratings that count as satisfied (满意, 基本满意).
SATISFIED = frozenset({"satisfied", "basically_satisfied"})


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@attrs.frozen
class Figures:
    """The accountability figures of one group of issues."""

    group: str
    received: int
    cancelled: int
    completed: int
    completed_on_time: int
    ratings: int
    satisfied: int

    @property
    def completion_rate(self) -> float | None:
        """Completed ÷ (received − cancelled); None when nothing was taken up."""
        return _rate(self.completed, self.received - self.cancelled)

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time ÷ completed; None when nothing was completed."""
        return _rate(self.completed_on_time, self.completed)

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied ratings ÷ ratings; None when nobody rated."""
        return _rate(self.satisfied, self.ratings)


@attrs.frozen
class AccountabilityReport:
    """Figures for every group, the totals, and what plugins' metrics computed."""

    total: Figures
    groups: tuple[Figures, ...]
    plugin_metrics: Mapping[str, Any] = attrs.field(factory=dict)

    def ranking(self) -> list[Figures]:
        """Groups best first: by completion rate, then satisfaction rate, then on-time rate
        (a missing rate ranks last), then by name so that ties are stable."""

        def key(figures: Figures) -> tuple[float, float, float, str]:
            def rate(value: float | None) -> float:
                return -1.0 if value is None else value

            return (
                -rate(figures.completion_rate),
                -rate(figures.satisfaction_rate),
                -rate(figures.on_time_rate),
                figures.group,
            )

        return sorted(self.groups, key=key)


@attrs.define
class _Tally:
    received: int = 0
    cancelled: int = 0
    completed: int = 0
    completed_on_time: int = 0
    ratings: int = 0
    satisfied: int = 0

    def figures(self, group: str) -> Figures:
        return Figures(group, **attrs.asdict(self))


def _was_on_time(events: Sequence[Event]) -> bool:
    due: datetime | None = None
    for event in events:
        if event.sequence > 0 and (
            event.actor == SYSTEM_CLOCK.id or (due is not None and event.at > due)
        ):
            return False
        due = event.due_at
    return True


def figures_for(
    issues: Iterable[Issue],
    events_of: Callable[[str], Sequence[Event]],
    workflow_of: Callable[[Issue], Workflow],
    *,
    group_by: Callable[[Issue], str | None] = lambda issue: issue.location,
) -> tuple[Figures, tuple[Figures, ...]]:
    """Totals and per-group figures for ``issues`` (see the module docstring)."""
    total = _Tally()
    groups: dict[str, _Tally] = defaultdict(_Tally)
    for issue in issues:
        events = events_of(issue.id)
        kind = workflow_of(issue).state(issue.state).kind
        group = groups[group_by(issue) or "(none)"]
        ratings = [e.payload["satisfaction"] for e in events if "satisfaction" in e.payload]
        for tally in (total, group):
            tally.received += 1
            tally.cancelled += kind is StateKind.CANCELLED
            if kind is StateKind.CLOSED:
                tally.completed += 1
                tally.completed_on_time += _was_on_time(events)
            tally.ratings += len(ratings)
            tally.satisfied += sum(rating in SATISFIED for rating in ratings)
    return total.figures("total"), tuple(
        tally.figures(name) for name, tally in sorted(groups.items())
    )


def accountability(
    engine: Engine, *, group_by: Callable[[Issue], str | None] | None = None
) -> AccountabilityReport:
    """The accountability figures of every issue in ``engine``'s store, grouped by location
    (or by ``group_by``), plus every metric plugins register through ``govflow_metrics``.

    A plugin metric is a callable taking ``issues`` (a list of :class:`~govflow.Issue`) and
    ``events`` (a mapping of issue id to its events) and returning any value.
    """
    issues = list(engine.issues())
    # Read once: the figures and every plugin metric use the same events (a SQL store would
    # otherwise be asked for each issue's log twice).
    events = {issue.id: engine.store.events(issue.id) for issue in issues}
    total, groups = figures_for(
        issues,
        events.__getitem__,
        lambda issue: engine.workflow(issue.workflow, issue.workflow_version),
        group_by=group_by or (lambda issue: issue.location),
    )
    extra: dict[str, Any] = {}
    contributed = engine.plugins.collect("govflow_metrics")
    if contributed:
        for _, metrics in contributed:
            for name, metric in dict(metrics).items():
                extra[name] = metric(issues=issues, events=events)
    return AccountabilityReport(total, groups, extra)


__all__ = ["SATISFIED", "AccountabilityReport", "Figures", "accountability", "figures_for"]
