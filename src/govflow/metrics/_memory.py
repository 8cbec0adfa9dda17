"""The fold over a MemoryStore's own log, without building an event or a move per event.

:func:`govflow.metrics.fold.issue_mask` reads moves built for it; here the same definition
runs inline over the store's packed tuples (see :mod:`govflow.store.memory` for their layout),
reading each field by index: building a move tuple, slicing a packed one or calling a function
per issue cost as much as the fold itself, and every container allocated per event or per
issue wakes the cyclic collector, which then walks the whole log (measured in
``bench/metrics.py``). :func:`issue_mask` stays the reference this is tested against.

Each issue's mask is also remembered, keyed by the hash of its latest event: that hash
covers the issue's whole log through the chain (its timing included), so a remembered mask is
one the log gives, and a move (a new latest event) makes it be folded again. A report asked
for again -- a dashboard refreshing -- folds only the issues that moved since. The memory
holds one ``hash -> mask`` entry per issue folded last time, per workflow shape.
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
from govflow.timekeeping import OVERDUE_KEY
from govflow.workflow.spec import DEADLINE_TRIGGERS, StateKind

_CLOCK = SYSTEM_CLOCK.id
_CANCELLED_KIND = StateKind.CANCELLED
_CLOSED_KIND = StateKind.CLOSED

#: store -> (shape and fired key) -> hash of an issue's latest event -> its mask
_REMEMBERED: weakref.WeakKeyDictionary[MemoryStore, dict[Any, dict[str, int]]] = (
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
    not_due = cancelled_bit | excluded_bit
    deadline = DEADLINE_TRIGGERS
    ratings, satisfied, exclusions = RATINGS, SATISFIED, EXCLUSIONS
    rating_key, exclusion_key, overdue_key, clock = RATING_KEY, EXCLUSION_KEY, OVERDUE_KEY, _CLOCK
    payload_count, fixed = _FIXED - 1, _FIXED
    triggers = fired or {}
    tally: Tally = {}
    events: EventTally = {}
    # (workflow, version) -> its shape, what it remembered last time, what it remembers now
    shapes: dict[tuple[str, int], tuple[Shape, dict[str, int], dict[str, int]]] = {}
    logs = store._events
    remembered = _REMEMBERED.setdefault(store, {})
    memories: dict[Any, tuple[dict[str, int], dict[str, int]]] = {}
    counts: Counter[int] | None = None
    counts_group: Any = counts  # the group ``counts`` counts for (issues come grouped)
    for issue_id, issue in store._issues.items():
        workflow = issue.workflow
        if workflow == skip_workflow:
            continue
        if period is not None and not period.holds(issue.opened_at):
            continue
        key = (workflow, issue.workflow_version)
        known = shapes.get(key)
        if known is None:
            made = shape_for(issue)
            shape_key = _shape_key(made, triggers)
            memory = memories.get(shape_key)
            if memory is None:
                before = remembered.get(shape_key, {})
                if period is None:  # only the issues folded now are remembered
                    now_known: dict[str, int] = {}
                    remembered[shape_key] = now_known
                else:  # a partial fold adds to what is remembered, and forgets nothing
                    now_known = remembered.setdefault(shape_key, before)
                memory = memories[shape_key] = (before, now_known)
            known = shapes[key] = (made, *memory)
        shape, before, now_known = known
        log: list[Any] = logs[issue_id]
        last_hash: str = log[-1].hash  # the latest is kept as an Event
        mask = before.get(last_hash)
        if mask is None:
            processing, feedback, taken_up = shape.processing, shape.feedback, shape.taken_up
            mask = received
            late = False
            rating = None
            previous_due: datetime | None = None
            phase = 0
            first_due: datetime | None = None
            for kept in log:
                packed = type(kept) is tuple
                if packed:
                    trigger, due = kept[1], kept[6]
                else:
                    event: Event = kept  # the open or latest event
                    trigger, due = event.trigger, event.due_at
                if triggers:
                    bit = triggers.get(trigger)
                    if bit:
                        mask |= bit
                if trigger in deadline:
                    previous_due = due
                    continue
                if packed:
                    source, destination = kept[2], kept[3]  # pairs: no tuple is built
                    actor, at = kept[4], kept[5]
                    rated = exclusion = None
                    count = kept[payload_count]
                    if count:
                        for index in range(fixed, fixed + 2 * count, 2):
                            name = kept[index]
                            if name == rating_key:
                                rated = kept[index + 1]
                            elif name == exclusion_key:
                                exclusion = kept[index + 1]
                else:
                    source, destination = event.source, event.destination
                    actor, at = event.actor, event.at
                    payload = event.payload
                    if payload:
                        rated, exclusion = payload.get(rating_key), payload.get(exclusion_key)
                    else:
                        rated = exclusion = None
                if source in processing:
                    if actor == clock or (previous_due is not None and at > previous_due):
                        late = True
                elif source in feedback and destination in processing:
                    mask |= reworked_bit
                if phase == 1 and actor != clock and (first_due is None or at <= first_due):
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
                previous_due = due
            if phase == 2:
                mask |= responded_bit
            kind = shape.kind[issue.state]
            if kind is _CANCELLED_KIND:
                mask |= cancelled_bit
            elif kind is _CLOSED_KIND:
                mask |= completed_bit
                timing = issue.timing
                if not late and not (timing and overdue_key in timing):
                    mask |= on_time_bit
            if not mask & not_due:
                mask |= due_bit
            if type(rating) is str and rating in ratings:
                mask |= rated_bit
                if rating in satisfied:
                    mask |= satisfied_bit
        now_known[last_hash] = mask
        group = issue.location
        if counts is None or group != counts_group:
            counts = tally.get(group)
            if counts is None:
                counts = tally[group] = Counter()
            counts_group = group
        counts[mask] += 1
        if count_events:
            moved = events.get(group)
            if moved is None:
                moved = events[group] = Counter()
            moved[None] += len(log)
            moved.update(k[1] if type(k) is tuple else k.trigger for k in log)
    return tally, events


__all__ = ["fold_memory"]
