"""The fold over a MemoryStore's own log, without building an event or a move per event.

:func:`govflow.metrics.fold.issue_mask` reads moves built for it; here the same definition
runs inline over the store's packed tuples (see :mod:`govflow.store.memory` for their layout),
which is what lets the figures of a million events come in about a second: building a move
tuple and calling a function per issue cost as much as the fold itself (measured in
``bench/metrics.py``). :func:`issue_mask` stays the reference this is tested against.

Each issue's mask is also remembered, keyed by the hash of its latest event: that hash
covers the issue's whole log through the chain, so a remembered mask is one the log gives, and
a move (a new latest event) or a different workflow shape makes it be folded again. A report
asked for again -- a dashboard refreshing -- folds only the issues that moved since.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from govflow.metrics.fold import BIT, EventTally, Period, Shape, Tally
from govflow.metrics.labels import EXCLUSION_KEY, EXCLUSIONS, RATING_KEY, RATINGS, SATISFIED
from govflow.records import SYSTEM_CLOCK, Event, Issue
from govflow.store.memory import _FIXED, MemoryStore
from govflow.workflow.spec import DEADLINE_TRIGGERS, StateKind

_CLOCK = SYSTEM_CLOCK.id
_CANCELLED_KIND = StateKind.CANCELLED
_CLOSED_KIND = StateKind.CLOSED

#: store -> issue id -> (hash of its latest event, shape and fired key, mask)
_REMEMBERED: weakref.WeakKeyDictionary[MemoryStore, dict[str, tuple[str, Any, int]]] = (
    weakref.WeakKeyDictionary()
)


def _shape_key(shape: Shape, fired: Mapping[str, int]) -> Any:
    return (frozenset(shape.kind.items()), frozenset(fired.items()))


def fold_memory(  # noqa: PLR0912, PLR0915  (one loop, inlined on purpose: see above)
    store: MemoryStore,
    shape_for: Callable[[Issue], Shape],
    *,
    fired: Mapping[str, int] | None = None,
    count_events: bool = False,
    period: Period | None = None,
    skip_workflow: str | None = None,
) -> tuple[Tally, EventTally]:
    """:func:`govflow.metrics.fold.fold` of every issue in ``store``, by location."""
    received, accepted_bit, cancelled_bit = BIT["received"], BIT["accepted"], BIT["cancelled"]
    excluded_bit, due_bit, completed_bit = BIT["excluded"], BIT["due"], BIT["completed"]
    on_time_bit, dispatched_bit, responded_bit = BIT["on_time"], BIT["dispatched"], BIT["responded"]
    rated_bit, satisfied_bit, reworked_bit = BIT["rated"], BIT["satisfied"], BIT["reworked"]
    deadline = DEADLINE_TRIGGERS
    ratings, satisfied, exclusions = RATINGS, SATISFIED, EXCLUSIONS
    triggers = fired or {}
    tally: Tally = {}
    events: EventTally = {}
    shapes: dict[tuple[str, int], tuple[Shape, Any]] = {}
    logs = store._events
    remembered = _REMEMBERED.setdefault(store, {})
    for issue_id, issue in store._issues.items():
        if issue.workflow == skip_workflow:
            continue
        if period is not None and not period.holds(issue.opened_at):
            continue
        key = (issue.workflow, issue.workflow_version)
        known = shapes.get(key)
        if known is None:
            made = shape_for(issue)
            known = shapes[key] = (made, _shape_key(made, triggers))
        shape, shape_key = known
        log = logs[issue_id]
        last_hash = log[-1].hash  # type: ignore[union-attr]  # the latest is kept as an Event
        memo = remembered.get(issue_id)
        if memo is not None and memo[0] == last_hash and memo[1] == shape_key:
            _count(tally, events, issue.location, memo[2], log, count_events)
            continue
        processing, feedback, taken_up = shape.processing, shape.feedback, shape.taken_up
        mask = received
        late = False
        rating = None
        previous_due: datetime | None = None
        phase = 0
        first_due: datetime | None = None
        for kept in log:
            if type(kept) is tuple:
                trigger, source, destination, actor, at, due = kept[1:7]
                rated = exclusion = None
                count = kept[_FIXED - 1]  # the payload's key count ends the fixed fields
                if count:
                    for index in range(_FIXED, _FIXED + 2 * count, 2):
                        name = kept[index]
                        if name == RATING_KEY:
                            rated = kept[index + 1]
                        elif name == EXCLUSION_KEY:
                            exclusion = kept[index + 1]
            else:
                event: Event = kept  # type: ignore[assignment]  # the open or latest event
                trigger, source, destination = event.trigger, event.source, event.destination
                actor, at, due = event.actor, event.at, event.due_at
                payload = event.payload
                if payload:
                    rated, exclusion = payload.get(RATING_KEY), payload.get(EXCLUSION_KEY)
                else:
                    rated = exclusion = None
            if trigger in deadline:
                previous_due = due
                continue
            if source in processing:
                if actor == _CLOCK or (previous_due is not None and at > previous_due):
                    late = True
            elif source in feedback and destination in processing:
                mask |= reworked_bit
            if phase == 1 and actor != _CLOCK and (first_due is None or at <= first_due):
                phase = 2
            if destination in taken_up:
                mask |= accepted_bit
                if phase == 0 and destination in processing:
                    mask |= dispatched_bit
                    phase, first_due = 1, due
            if rated is not None:
                rating = rated
            if exclusion is not None and type(exclusion) is str and exclusion in exclusions:
                mask |= excluded_bit
            if triggers:
                bit = triggers.get(trigger)
                if bit:
                    mask |= bit
            previous_due = due
        if phase == 2:
            mask |= responded_bit
        kind = shape.kind[issue.state]
        if kind is _CANCELLED_KIND:
            mask |= cancelled_bit
        elif kind is _CLOSED_KIND:
            mask |= completed_bit
            if not late:
                mask |= on_time_bit
        if not mask & (cancelled_bit | excluded_bit):
            mask |= due_bit
        if type(rating) is str and rating in ratings:
            mask |= rated_bit
            if rating in satisfied:
                mask |= satisfied_bit
        remembered[issue_id] = (last_hash, shape_key, mask)
        _count(tally, events, issue.location, mask, log, count_events)
    return tally, events


def _count(  # noqa: PLR0917  (called once an issue: positional is cheaper)
    tally: Tally,
    events: EventTally,
    group: str | None,
    mask: int,
    log: list[Any],
    count_events: bool,
) -> None:
    counts = tally.get(group)
    if counts is None:
        counts = tally[group] = Counter()
    counts[mask] += 1
    if count_events:
        moved = events.get(group)
        if moved is None:
            moved = events[group] = Counter()
        moved[None] += len(log)
        moved.update(k[1] if type(k) is tuple else k.trigger for k in log)


__all__ = ["fold_memory"]
