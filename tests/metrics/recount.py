"""A brute-force recount of every fact, written from the definitions alone, to hold the fold
and the SQL aggregation to: slow, obvious, one fact at a time from the events."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from govflow import Engine, Event, Issue, StateKind
from govflow.metrics.fold import BIT
from govflow.metrics.labels import EXCLUSIONS, RATINGS, SATISFIED
from govflow.workflow.spec import DEADLINE_TRIGGERS

CLOCK = "system:clock"


def facts(engine: Engine, issue: Issue, events: Sequence[Event]) -> set[str]:  # noqa: PLR0912
    workflow = engine.workflow(issue.workflow, issue.workflow_version)

    def kind(state: str | None) -> StateKind | None:
        return None if state is None else workflow.state(state).kind

    moves = [e for e in events if e.trigger not in DEADLINE_TRIGGERS]
    out = {"received"}
    if any(kind(e.destination) not in (StateKind.OPEN, StateKind.CANCELLED) for e in moves):
        out.add("accepted")
    if kind(issue.state) is StateKind.CANCELLED:
        out.add("cancelled")
    if any(e.payload.get("exclusion") in EXCLUSIONS for e in moves if _text(e, "exclusion")):
        out.add("excluded")
    if not out & {"cancelled", "excluded"}:
        out.add("due")
    if kind(issue.state) is StateKind.CLOSED:
        out.add("completed")
        late = False
        for before, event in itertools.pairwise(events):
            if event.trigger in DEADLINE_TRIGGERS or kind(event.source) is not StateKind.PROCESSING:
                continue
            if event.actor == CLOCK or (before.due_at is not None and event.at > before.due_at):
                late = True
        if not late and not _past_overall_limit(events):
            out.add("on_time")
    entering = [e for e in moves if kind(e.destination) is StateKind.PROCESSING]
    if entering:
        out.add("dispatched")
        first = entering[0]
        if any(
            e.sequence > first.sequence
            and e.actor != CLOCK
            and (first.due_at is None or e.at <= first.due_at)
            for e in moves
        ):
            out.add("responded")
    rated = [e.payload["satisfaction"] for e in moves if e.payload.get("satisfaction") is not None]
    if rated and isinstance(rated[-1], str) and rated[-1] in RATINGS:
        out.add("rated")
        if rated[-1] in SATISFIED:
            out.add("satisfied")
    if any(
        kind(e.source) is StateKind.FEEDBACK and kind(e.destination) is StateKind.PROCESSING
        for e in moves
    ):
        out.add("reworked")
    return out


def _past_overall_limit(events: Sequence[Event]) -> bool:
    """The clock recorded the 办结时限 passing, or the closing move came after the 办结时限
    the events set last (the closing move's own timing no longer holds one)."""
    if any(e.trigger == "overall_overdue" for e in events):
        return True
    overall = None
    for event in events:
        timing = event.changes.get("timing")
        if timing is not None and "overall_due" in timing:
            overall = datetime.fromisoformat(timing["overall_due"])
    closing = [e for e in events if e.trigger not in DEADLINE_TRIGGERS][-1]
    return overall is not None and closing.at > overall


def _text(event: Event, key: str) -> bool:
    return isinstance(event.payload.get(key), str)


def tally(engine: Engine) -> dict[str | None, Counter[int]]:
    """Counts of fact masks by location, as the fold and the SQL aggregation give them."""
    out: dict[str | None, Counter[int]] = {}
    for issue in engine.issues():
        mask = sum(BIT[f] for f in facts(engine, issue, engine.history(issue.id)))
        out.setdefault(issue.location, Counter())[mask] += 1
    return out
