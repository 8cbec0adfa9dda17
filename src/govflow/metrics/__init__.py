"""Accountability figures computed from the record: metrics as data, one fold, one SQL query.

A :class:`Metric` is a numerator and a denominator of per-issue facts with exclusions
(:mod:`govflow.metrics.spec` defines the facts; :mod:`govflow.metrics.builtin` the figures
the seeds publish, each with its formula). :func:`compute` counts them over an
engine's store -- in memory, or in the database by SQL aggregation -- grouped by location or
rolled up an org graph, for a period; :meth:`Report.rank` ranks units by a weighted
:class:`Composite` with a minimum sample, explicit ties and missing data. Plugins declare
more metrics through ``govflow_metrics``. See ``docs/howto/metrics.md``.
"""

from govflow.metrics.accountability import (
    AccountabilityReport,
    Figures,
    accountability,
    figures_for,
)
from govflow.metrics.builtin import (
    ACCEPTED,
    BUILTIN,
    COMPLETION,
    COMPOSITE,
    ON_TIME,
    RESPONSE,
    REWORK,
    SATISFACTION,
)
from govflow.metrics.fold import Period
from govflow.metrics.labels import DISSATISFIED, EXCLUSIONS, RATINGS, SATISFIED
from govflow.metrics.ranking import Ranking, Standing, rank
from govflow.metrics.report import Ratio, Report, Rollup, compute
from govflow.metrics.spec import FACTS, QUALITATIVE, Composite, Metric

__all__ = [
    "ACCEPTED",
    "BUILTIN",
    "COMPLETION",
    "COMPOSITE",
    "DISSATISFIED",
    "EXCLUSIONS",
    "FACTS",
    "ON_TIME",
    "QUALITATIVE",
    "RATINGS",
    "RESPONSE",
    "REWORK",
    "SATISFACTION",
    "SATISFIED",
    "AccountabilityReport",
    "Composite",
    "Figures",
    "Metric",
    "Period",
    "Ranking",
    "Ratio",
    "Report",
    "Rollup",
    "Standing",
    "accountability",
    "compute",
    "figures_for",
    "rank",
]
