"""The season report: the figures a district publishes, from the record, as one HTML file.

:func:`season_report` reads a season's record (every issue and its events, through the public
Engine API) into a :class:`SeasonReport`: day-by-day arrivals, completions, backlog and on-time
rate; the figures per street; the community ranking; the slowest issues with their histories;
the audit verification of every log. :func:`render_html` writes it as a self-contained page --
styles inline, charts and workflow diagrams drawn as inline SVG, no script, no web font, no
request to anywhere -- that opens from a file on a machine without a network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from govflow.demo import MIN_SAMPLE
from govflow.errors import IntegrityError
from govflow.metrics import AccountabilityReport, Figures, accountability, figures_for
from govflow.records import Event, Issue
from govflow.workflow.spec import StateKind, Workflow

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.org import OrgGraph
    from govflow.season import SeasonResult

#: Beijing time, for the dates people read (the record keeps UTC).
BEIJING = timedelta(hours=8)


@attrs.frozen
class Day:
    """One day of the season: issues that arrived, were completed, were still open at its end;
    the on-time rate of everything completed so far, and the completion rate (办结率) so far:
    issues completed over issues that have arrived."""

    date: str
    arrivals: int
    completed: int
    backlog: int
    on_time_rate: float | None
    completion_rate: float | None


@attrs.frozen
class SlowIssue:
    """One of the slowest issues: how long it took (or has been open) and its history."""

    issue: Issue
    days: float
    finished: bool
    events: tuple[Event, ...]


@attrs.frozen
class SeasonReport:
    """Everything the report shows."""

    title: str
    period: tuple[str, str]  # the first and the last day shown, Beijing time
    raised_until: (
        str  # the day the last issue was raised: the season then runs on until they settle
    )
    opened: dict[str, int]
    moves: int
    deadline_moves: int
    total: Figures
    streets: tuple[Figures, ...]
    ranking: tuple[Figures, ...]
    days: tuple[Day, ...]
    slowest: tuple[SlowIssue, ...]
    workflows: tuple[Workflow, ...]
    verified_issues: int
    verified_events: int
    failures: tuple[str, ...]
    plugin_metrics: dict[str, object]  # the figures plugins contribute (govflow_metrics)

    @property
    def span(self) -> str:
        """When the season's issues were raised, and until when they were followed."""
        first, last = self.period
        return f"issues raised {first} to {self.raised_until}, followed until {last}"


def place_of(issue: Issue) -> str | None:
    """Where an issue is: its location, or the community its data names (六事's matters)."""
    if issue.location is not None:
        return issue.location
    community = issue.data.get("community")
    return community if isinstance(community, str) else None


def grouped_by(org: OrgGraph, kinds: Sequence[str]) -> Callable[[Issue], str | None]:
    """Group issues by the name of the nearest unit of one of ``kinds`` above their place."""
    cache: dict[str, str | None] = {}

    def group(issue: Issue) -> str | None:
        place = place_of(issue)
        if place is None or place not in org:
            return None
        if place not in cache:
            cache[place] = next((u.name for u in org.chain(place) if u.kind in kinds), None)
        return cache[place]

    return group


def _finished_at(events: Sequence[Event], workflow: Workflow) -> datetime | None:
    for event in events:
        if workflow.state(event.destination).kind in (StateKind.CLOSED, StateKind.CANCELLED):
            return event.at
    return None


def _always(workflow: Workflow) -> Callable[[Issue], Workflow]:
    return lambda _issue: workflow


def season_report(engine: Engine, result: SeasonResult, *, slowest: int = 5) -> SeasonReport:
    """Read the season's record into a report (see the module docstring)."""
    org = result.org
    streets = accountability(engine, group_by=grouped_by(org, ("street", "township")))
    communities: AccountabilityReport = accountability(
        engine, group_by=grouped_by(org, ("community", "administrative_village"))
    )
    by_community = {figures.group: figures for figures in communities.groups}
    issues = list(engine.issues())
    events = {issue.id: engine.history(issue.id) for issue in issues}
    days = (result.end - result.start).days
    arrivals, completed = Counter[int](), Counter[int]()
    on_time_by_day = Counter[int]()
    finished: dict[str, datetime | None] = {}
    for issue in issues:
        workflow = engine.workflow(issue.workflow, issue.workflow_version)
        arrivals[(issue.opened_at - result.start).days] += 1
        done = _finished_at(events[issue.id], workflow)
        finished[issue.id] = done
        if done is not None:
            day = (done - result.start).days
            completed[day] += 1
            total, _ = figures_for([issue], events.__getitem__, _always(workflow))
            on_time_by_day[day] += total.completed_on_time
    timeline = []
    open_now = done_so_far = on_time_so_far = arrived_so_far = 0
    for day in range(days):
        open_now += arrivals[day] - completed[day]
        arrived_so_far += arrivals[day]
        done_so_far += completed[day]
        on_time_so_far += on_time_by_day[day]
        date = (result.start + BEIJING + timedelta(days=day)).strftime("%m-%d")
        timeline.append(
            Day(
                date,
                arrivals[day],
                completed[day],
                open_now,
                None if done_so_far == 0 else on_time_so_far / done_so_far,
                None if arrived_so_far == 0 else done_so_far / arrived_so_far,
            )
        )
    durations = []
    for issue in issues:
        done = finished[issue.id]
        until = done if done is not None else result.end
        durations.append((until - issue.opened_at, issue.id, done is not None))
    durations.sort(reverse=True)
    slow = tuple(
        SlowIssue(engine.get(issue_id), took.total_seconds() / 86400, was_done, events[issue_id])
        for took, issue_id, was_done in durations[:slowest]
    )
    failures, verified = [], 0
    for issue in issues:
        try:
            verified += engine.verify(issue.id)
        except IntegrityError as err:
            failures.append(f"{issue.id}: {err}")
    return SeasonReport(
        title=f"{result.district} — a season of governance, simulated",
        raised_until=max(
            (issue.opened_at + BEIJING for issue in issues), default=result.start + BEIJING
        ).strftime("%Y-%m-%d"),
        period=(
            (result.start + BEIJING).strftime("%Y-%m-%d"),
            (result.start + BEIJING + timedelta(days=days - 1)).strftime("%Y-%m-%d"),
        ),
        opened=dict(result.opened),
        moves=result.moves,
        deadline_moves=result.deadline_moves,
        total=communities.total,
        streets=tuple(streets.ranking()),
        # Ranked by the composite (响应率 10 %, 办结率 45 %, 满意率 45 %); a community with fewer
        # than MIN_SAMPLE issues, or missing a part of the composite, is not ranked.
        ranking=tuple(
            by_community[group] for group in communities.rank(min_sample=MIN_SAMPLE).order()
        ),
        days=tuple(timeline),
        slowest=slow,
        workflows=tuple(engine.workflow(name) for name in dict.fromkeys(result.opened)),
        verified_issues=len(issues) - len(failures),
        verified_events=verified,
        failures=tuple(failures),
        plugin_metrics=dict(communities.plugin_metrics),
    )


from govflow.report._html import render_html  # noqa: E402  (the page reads the types above)

__all__ = [
    "BEIJING",
    "Day",
    "SeasonReport",
    "SlowIssue",
    "grouped_by",
    "place_of",
    "render_html",
    "season_report",
]
