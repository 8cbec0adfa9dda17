"""Qualitative scores (定性评价) entered as events, for rankings that combine them with figures.

Register this module as a plugin (``Engine(plugins=[govflow.metrics.assessment])``): it
contributes the ``unit-assessment`` workflow. An assessor opens one issue per unit and period
located at the unit, and fires ``score`` with ``{"score": 0..100}``: the score is in the audit
log like every other judgement, hash-chained and replayable. :func:`qualitative_scores` reads
them back (the last score of each unit) for :meth:`govflow.metrics.Report.rank`.
"""

from __future__ import annotations

from collections.abc import Mapping

from govflow.hookspecs import hookimpl
from govflow.metrics.fold import Period
from govflow.metrics.report import ASSESSMENT_WORKFLOW, NO_GROUP, Rollup
from govflow.workflow.machine import Guard, MoveContext
from govflow.workflow.spec import State, StateKind, Transition, Workflow

ASSESSMENT = Workflow(
    name=ASSESSMENT_WORKFLOW,
    label="定性评价 qualitative assessment",
    initial="assessing",
    states=[
        State("assessing", "评价中 assessing", StateKind.FEEDBACK, timeout_exempt=True),
        State("scored", "已评分 scored", StateKind.CLOSED),
    ],
    transitions=[
        Transition(
            "score",
            "assessing",
            "scored",
            roles={"assessor"},
            evaluation=True,
            guards="score_given",
            label="评分",
        )
    ],
)


def score_given(context: MoveContext) -> bool:
    """The payload carries a ``score`` from 0 to 100."""
    score = context.payload.get("score")
    return isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 100


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [ASSESSMENT]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {"score_given": score_given}


def qualitative_scores(
    engine: object, *, by: Rollup | None = None, period: Period | None = None
) -> dict[str, float]:
    """Each group's qualitative score: the mean of its units' last scores (0–100)."""
    from govflow.engine import Engine  # noqa: PLC0415  (engine imports metrics lazily)

    assert isinstance(engine, Engine)
    last: dict[str, float] = {}
    for issue in engine.issues():
        if issue.workflow != ASSESSMENT_WORKFLOW or issue.location is None:
            continue
        if period is not None and not period.holds(issue.opened_at):
            continue
        for event in engine.history(issue.id):
            if event.trigger == "score":
                last[issue.location] = float(event.payload["score"])
    grouped: dict[str, list[float]] = {}
    for unit, score in last.items():
        for group in by.groups(unit) if by is not None else [unit or NO_GROUP]:
            grouped.setdefault(group, []).append(score)
    return {group: sum(scores) / len(scores) for group, scores in sorted(grouped.items())}


__all__ = ["ASSESSMENT", "qualitative_scores", "score_given"]
