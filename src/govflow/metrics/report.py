"""Computing figures: which metrics, over which issues, grouped how, counted where.

:func:`compute` folds the engine's store (in memory, or by SQL aggregation in the database
with ``source="sql"``) into per-location counts, rolls them up to the groups asked for, and
reads every metric off the counts. The result is a :class:`Report` of :class:`Ratio` values:
the counts behind each rate stay visible, so any published figure can be traced to its issues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from govflow.errors import DefinitionError, InvalidRequestError, PluginError
from govflow.metrics.builtin import BUILTIN, COMPOSITE
from govflow.metrics.fold import (
    MOVE_KEYS,
    EventTally,
    Move,
    Period,
    Shape,
    Tally,
    fact_bits,
    fold,
    moves_from_events,
    shape_of,
    trigger_bits,
)
from govflow.metrics.spec import FIRED, Composite, Metric
from govflow.org import OrgGraph
from govflow.records import Issue
from govflow.store import MemoryStore

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.metrics.ranking import Ranking

#: Issues of this workflow carry qualitative scores (:mod:`govflow.metrics.assessment`), not
#: residents' matters: the figures leave them out.
ASSESSMENT_WORKFLOW = "unit-assessment"
#: The group of issues that have no location.
NO_GROUP = "(none)"


@attrs.frozen(slots=True)
class Ratio:
    """A figure and the counts behind it. ``value`` is None when the denominator is zero
    (missing data, never 0 %); a metric without a denominator is a count (``value`` is it)."""

    numerator: int
    denominator: int | None

    @property
    def value(self) -> float | None:
        """numerator ÷ denominator, or the count, or None."""
        if self.denominator is None:
            return float(self.numerator)
        return None if self.denominator == 0 else self.numerator / self.denominator

    def percent(self, digits: int = 2) -> str:
        """``"93.72 %"`` (``"-"`` for missing data)."""
        value = self.value
        return "-" if value is None else f"{value * 100:.{digits}f} %"


def _kinds(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen(slots=True)
class Rollup:
    """Group issues by the units of ``org`` their location lies in.

    :param kinds: unit kinds to report (``{"community", "administrative_village"}``); None:
        every unit of the location's chain, so a street's figures include its communities'.
    :param names: key groups by unit name instead of id.
    """

    org: OrgGraph
    kinds: frozenset[str] | None = attrs.field(default=None, converter=_kinds)
    names: bool = False

    def groups(self, location: str | None) -> list[str]:
        """The groups an issue at ``location`` counts in."""
        if location is None or location not in self.org:
            return [NO_GROUP if location is None else location]
        chain = self.org.chain(location)
        units = [u for u in chain if self.kinds is None or u.kind in self.kinds]
        return [u.name if self.names else u.id for u in units] or [NO_GROUP]


@attrs.frozen
class Report:
    """Every metric for every group, the totals, and each group's sample size (issues)."""

    metrics: Mapping[str, Metric]
    total: Mapping[str, Ratio]
    groups: Mapping[str, Mapping[str, Ratio]]
    samples: Mapping[str, int]

    def value(self, metric: str, group: str | None = None) -> float | None:
        """One figure: ``report.value("completion", "喻义巷社区")``."""
        table = self.total if group is None else self.groups[group]
        return table[metric].value

    def rank(
        self,
        composite: Composite = COMPOSITE,
        *,
        min_sample: int = 1,
        qualitative: Mapping[str, float] | None = None,
    ) -> Ranking:
        """Rank the groups by ``composite``; see :func:`govflow.metrics.ranking.rank`."""
        from govflow.metrics.ranking import rank  # noqa: PLC0415  (ranking reads reports)

        return rank(self, composite, min_sample=min_sample, qualitative=qualitative)


def declared_metrics(engine: Engine) -> tuple[dict[str, Metric], dict[str, Any]]:
    """The built-in metrics and those plugins declare through ``govflow_metrics``; and, apart,
    plugins' callables (figures no ratio expresses, computed in memory only)."""
    metrics: dict[str, Metric] = dict(BUILTIN)
    callables: dict[str, Any] = {}
    for ref, answer in engine.plugins.collect("govflow_metrics"):
        for name, metric in dict(answer).items():
            if isinstance(metric, Metric):
                if metric.name in metrics:
                    raise PluginError(ref.name, f"metric {metric.name!r} is declared already")
                metrics[metric.name] = metric
            elif callable(metric):
                callables[name] = metric
            else:
                raise PluginError(ref.name, f"metric {name!r} is neither a Metric nor callable")
    return metrics, callables


def _moves_of(engine: Engine) -> Callable[[str], Sequence[Move]]:
    store = engine.store
    if isinstance(store, MemoryStore):
        return lambda issue_id: store.moves(issue_id, MOVE_KEYS)
    return lambda issue_id: moves_from_events(store.events(issue_id))


def _shape_for(engine: Engine) -> Callable[[Issue], Shape]:
    shapes: dict[tuple[str, int], Shape] = {}

    def shape(issue: Issue) -> Shape:
        key = (issue.workflow, issue.workflow_version)
        found = shapes.get(key)
        if found is None:
            found = shapes[key] = shape_of(engine.workflow(*key))
        return found

    return shape


def tallies(
    engine: Engine,
    metrics: Iterable[Metric],
    *,
    period: Period | None = None,
    source: str = "memory",
    group_of: Callable[[Issue], str | None] | None = None,
) -> tuple[Tally, EventTally, dict[str, int]]:
    """Counts of fact masks (and moves) by location, and the bits of the facts."""
    chosen = list(metrics)
    fired = trigger_bits(f for m in chosen for f in m.facts)
    count_events = any(m.over == "events" for m in chosen)
    if source == "memory" and group_of is None and isinstance(engine.store, MemoryStore):
        from govflow.metrics._memory import fold_memory  # noqa: PLC0415

        tally, events = fold_memory(
            engine.store,
            _shape_for(engine),
            fired=fired,
            count_events=count_events,
            period=period,
            skip_workflow=ASSESSMENT_WORKFLOW,
        )
    elif source == "memory":
        issues = (i for i in engine.issues() if i.workflow != ASSESSMENT_WORKFLOW)
        tally, events = fold(
            issues,
            _moves_of(engine),
            _shape_for(engine),
            fired=fired,
            count_events=count_events,
            period=period,
            group_of=group_of,
        )
    elif source == "sql":
        from govflow.metrics.sql import aggregate, workflows_in  # noqa: PLC0415  (optional)
        from govflow.store.sql import SQLStore  # noqa: PLC0415

        if group_of is not None:
            raise InvalidRequestError("SQL aggregation groups by location or a Rollup only")
        store = engine.store
        if not isinstance(store, SQLStore):
            raise InvalidRequestError("source='sql' needs an engine on a SQLStore")
        shapes = {
            key: shape_of(engine.workflow(*key))
            for key in workflows_in(store)
            if key[0] != ASSESSMENT_WORKFLOW
        }
        tally, events = aggregate(
            store, shapes, fired=fired, count_events=count_events, period=period
        )
    else:
        raise InvalidRequestError(f"source must be 'memory' or 'sql', not {source!r}")
    return tally, events, fact_bits(fired)


def _ratio(
    metric: Metric, masks: Counter[int], moved: Counter[str | None], bits: Mapping[str, int]
) -> Ratio:
    if metric.over == "events":

        def moves(fact: str) -> int:
            return moved[None] if fact == "received" else moved[fact[len(FIRED) :]]

        return Ratio(
            moves(metric.numerator),
            None if metric.denominator is None else moves(metric.denominator),
        )
    out_bits = 0
    for fact in metric.exclude:
        out_bits |= bits[fact]
    top = bits[metric.numerator]
    bottom = None if metric.denominator is None else bits[metric.denominator]
    numerator = denominator = 0
    for mask, count in masks.items():
        if mask & out_bits:
            continue
        if mask & top:
            numerator += count
        if bottom is not None and mask & bottom:
            denominator += count
    return Ratio(numerator, None if bottom is None else denominator)


def build_report(
    metrics: Mapping[str, Metric],
    tally: Tally,
    events: EventTally,
    bits: Mapping[str, int],
    groups_of: Callable[[str | None], Iterable[str]],
) -> Report:
    """Roll the per-location counts up into groups and read every metric off them."""
    grouped: dict[str, Counter[int]] = {}
    moved: dict[str, Counter[str | None]] = {}
    total: Counter[int] = Counter()
    total_moved: Counter[str | None] = Counter()
    for location, masks in tally.items():
        total.update(masks)
        for group in groups_of(location):
            grouped.setdefault(group, Counter()).update(masks)
    for location, triggers in events.items():
        total_moved.update(triggers)
        for group in groups_of(location):
            moved.setdefault(group, Counter()).update(triggers)
    empty: Counter[str | None] = Counter()
    return Report(
        dict(metrics),
        {name: _ratio(m, total, total_moved, bits) for name, m in metrics.items()},
        {
            group: {
                name: _ratio(m, masks, moved.get(group, empty), bits) for name, m in metrics.items()
            }
            for group, masks in sorted(grouped.items())
        },
        {group: sum(masks.values()) for group, masks in sorted(grouped.items())},
    )


def compute(
    engine: Engine,
    metrics: Iterable[Metric | str] | None = None,
    *,
    by: Rollup | None = None,
    period: Period | None = None,
    source: str = "memory",
) -> Report:
    """The figures of ``engine``'s issues.

    :param metrics: metrics (or names of declared ones); by default every declared metric
        (the built-ins and plugins').
    :param by: group by the units of an org graph (:class:`Rollup`); by default by location.
    :param period: only issues opened in this period.
    :param source: ``"memory"`` (the in-memory fold) or ``"sql"`` (aggregation in the
        database of a :class:`~govflow.store.SQLStore`): the same numbers either way.
    """
    declared, _ = declared_metrics(engine)
    chosen: dict[str, Metric] = {}
    for item in declared.values() if metrics is None else metrics:
        if isinstance(item, str) and item not in declared:
            raise DefinitionError(f"no metric {item!r}; declared are {sorted(declared)}")
        metric = declared[item] if isinstance(item, str) else item
        chosen[metric.name] = metric
    tally, events, bits = tallies(engine, chosen.values(), period=period, source=source)

    def groups_of(location: str | None) -> Iterable[str]:
        if by is not None:
            return by.groups(location)
        return [NO_GROUP if location is None else location]

    return build_report(chosen, tally, events, bits, groups_of)


__all__ = [
    "ASSESSMENT_WORKFLOW",
    "NO_GROUP",
    "Ratio",
    "Report",
    "Rollup",
    "build_report",
    "compute",
    "declared_metrics",
    "tallies",
]
