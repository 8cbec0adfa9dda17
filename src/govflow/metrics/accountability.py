"""``accountability()``: the seeds' headline figures by group, as existing callers read them.

The numbers come from the same fold as :func:`govflow.metrics.compute` (the definitions are in
:mod:`govflow.metrics.spec` and :mod:`govflow.metrics.builtin`); :class:`Figures` keeps the
counts of one group under the names callers already use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from govflow.metrics.builtin import COMPOSITE
from govflow.metrics.report import NO_GROUP, Ratio, Report, build_report, declared_metrics
from govflow.metrics.report import tallies as _tallies
from govflow.metrics.spec import Composite
from govflow.records import Event, Issue
from govflow.workflow.spec import Workflow

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.metrics.ranking import Ranking


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@attrs.frozen
class Figures:
    """The accountability figures of one group of issues.

    ``received`` issues opened; ``cancelled`` turned away or withdrawn; ``excluded`` left out
    as invalid, duplicate or unreasonable; ``completed`` 办结; ``completed_on_time`` completed
    with no late handling; ``ratings`` valid follow-ups (each issue's last rating);
    ``satisfied`` those satisfied or basically satisfied.
    """

    group: str
    received: int
    cancelled: int
    completed: int
    completed_on_time: int
    ratings: int
    satisfied: int
    excluded: int = 0

    @property
    def due(self) -> int:
        """Due to complete (应办结): received − cancelled − excluded."""
        return self.received - self.cancelled - self.excluded

    @property
    def completion_rate(self) -> float | None:
        """办结率: completed ÷ due to complete; None when nothing is due."""
        return _rate(self.completed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率: completed on time ÷ due to complete; None when nothing is due."""
        return _rate(self.completed_on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied ÷ valid follow-ups; None when nobody rated."""
        return _rate(self.satisfied, self.ratings)


def _figures(group: str, table: Mapping[str, Ratio]) -> Figures:
    completion, on_time, satisfaction = (
        table["completion"],
        table["on_time"],
        table["satisfaction"],
    )
    accepted = table["accepted"]
    due = completion.denominator or 0
    received = accepted.denominator or 0
    return Figures(
        group,
        received,
        table["_cancelled"].numerator,
        completion.numerator,
        on_time.numerator,
        satisfaction.denominator or 0,
        satisfaction.numerator,
        received - table["_cancelled"].numerator - due,
    )


@attrs.frozen
class AccountabilityReport:
    """Figures for every group, the totals, what plugins' callables computed, and the full
    :class:`~govflow.metrics.Report` (every declared metric) they were read from."""

    total: Figures
    groups: tuple[Figures, ...]
    plugin_metrics: Mapping[str, Any] = attrs.field(factory=dict)
    report: Report | None = attrs.field(default=None, eq=False, repr=False)

    def rank(self, composite: Composite = COMPOSITE, *, min_sample: int = 1) -> Ranking:
        """The groups ranked by ``composite`` (响应率 10 %, 办结率 45 %, 满意率 45 % by default),
        groups of fewer than ``min_sample`` issues apart."""
        assert self.report is not None
        return self.report.rank(composite, min_sample=min_sample)

    def ranking(self, composite: Composite = COMPOSITE, *, min_sample: int = 1) -> list[Figures]:
        """Every group's figures: the ranked best first, then those missing a part of the
        composite, then those below ``min_sample`` (see :meth:`rank`, which says which is
        which, and shows ties)."""
        by_name = {figures.group: figures for figures in self.groups}
        ranking = self.rank(composite, min_sample=min_sample)
        order = [*ranking.ranked, *ranking.missing_data, *ranking.too_small]
        return [by_name[standing.group] for standing in order]


def figures_for(
    issues: Iterable[Issue],
    events_of: Callable[[str], Sequence[Event]],
    workflow_of: Callable[[Issue], Workflow],
    *,
    group_by: Callable[[Issue], str | None] = lambda issue: issue.location,
) -> tuple[Figures, tuple[Figures, ...]]:
    """Totals and per-group :class:`Figures` of ``issues`` given their events and workflows:
    the same fold as :func:`accountability`, for callers that hold the events themselves."""
    from govflow.metrics.builtin import BUILTIN  # noqa: PLC0415
    from govflow.metrics.fold import fact_bits, fold, moves_from_events, shape_of  # noqa: PLC0415
    from govflow.metrics.spec import Metric  # noqa: PLC0415

    metrics = {**BUILTIN, "_cancelled": Metric("_cancelled", "cancelled")}
    tally, events = fold(
        issues,
        lambda issue_id: moves_from_events(events_of(issue_id)),
        lambda issue: shape_of(workflow_of(issue)),
        group_of=group_by,
    )
    report = build_report(
        metrics, tally, events, fact_bits({}), lambda group: [NO_GROUP if group is None else group]
    )
    return _figures("total", report.total), tuple(
        _figures(group, table) for group, table in report.groups.items()
    )


def accountability(
    engine: Engine,
    *,
    group_by: Callable[[Issue], str | None] | None = None,
    source: str = "memory",
) -> AccountabilityReport:
    """The accountability figures of every issue in ``engine``'s store, grouped by location
    (or by ``group_by``), plus every metric plugins declare through ``govflow_metrics``.

    With ``source="sql"`` (a :class:`~govflow.store.SQLStore`, grouping by location) the
    counts are aggregated in the database; the figures are the same.

    A plugin's metric is a :class:`~govflow.metrics.Metric` (it joins the report) or, for a
    figure no ratio expresses, a callable taking ``issues`` (a list of
    :class:`~govflow.Issue`) and ``events`` (a mapping of issue id to its events) whose value
    lands in ``plugin_metrics``.
    """
    from govflow.metrics.spec import Metric  # noqa: PLC0415

    declared, callables = declared_metrics(engine)
    metrics = {**declared, "_cancelled": Metric("_cancelled", "cancelled")}
    tally, events, bits = _tallies(engine, metrics.values(), group_of=group_by, source=source)
    report = build_report(
        metrics, tally, events, bits, lambda group: [NO_GROUP if group is None else group]
    )
    extra: dict[str, Any] = {}
    if callables:
        issues = list(engine.issues())
        logs = {issue.id: engine.store.events(issue.id) for issue in issues}
        for name, metric in callables.items():
            extra[name] = metric(issues=issues, events=logs)
    public = attrs.evolve(
        report,
        metrics={k: v for k, v in report.metrics.items() if not k.startswith("_")},
    )
    return AccountabilityReport(
        _figures("total", report.total),
        tuple(_figures(group, table) for group, table in report.groups.items()),
        extra,
        public,
    )


__all__ = ["AccountabilityReport", "Figures", "accountability", "figures_for"]
