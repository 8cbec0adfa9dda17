"""The in-memory fold: every issue's facts from its moves, tallied by location in one pass.

Each issue becomes one small integer, the bit mask of its facts (see
:mod:`govflow.metrics.spec`), and the fold counts ``(location, mask)`` pairs. Every metric is
then a sum over those counts, so one pass serves any number of metrics, and the SQL
aggregation (:mod:`govflow.metrics.sql`) only has to produce the same counts.

A *move* here is the tuple ``(trigger, source, destination, actor, at, due_at, rating,
exclusion)``: an event without what the figures never read. :class:`~govflow.MemoryStore`
hands them out without building events (:meth:`~govflow.MemoryStore.moves`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from govflow.metrics.labels import EXCLUSION_KEY, EXCLUSIONS, RATING_KEY, RATINGS, SATISFIED
from govflow.metrics.spec import FACTS, FIRED
from govflow.records import SYSTEM_CLOCK, Event, Issue
from govflow.timekeeping import OVERDUE_KEY
from govflow.workflow.spec import DEADLINE_TRIGGERS, StateKind, Workflow

Move = tuple[str, str | None, str, str, datetime, datetime | None, Any, Any]
#: The payload keys a move carries the values of, in order.
MOVE_KEYS = (RATING_KEY, EXCLUSION_KEY)
#: Counts of issues by location (None: no location) and fact mask.
Tally = dict[str | None, Counter[int]]
#: Counts of moves by location and trigger (the key None counts every move).
EventTally = dict[str | None, Counter[str | None]]

BIT = {fact: 1 << index for index, fact in enumerate(FACTS)}
_RECEIVED = BIT["received"]
_ACCEPTED = BIT["accepted"]
_CANCELLED = BIT["cancelled"]
_EXCLUDED = BIT["excluded"]
_DUE = BIT["due"]
_COMPLETED = BIT["completed"]
_ON_TIME = BIT["on_time"]
_DISPATCHED = BIT["dispatched"]
_RESPONDED = BIT["responded"]
_RATED = BIT["rated"]
_SATISFIED = BIT["satisfied"]
_REWORKED = BIT["reworked"]
_CLOCK = SYSTEM_CLOCK.id


@attrs.frozen(slots=True)
class Period:
    """Issues opened in ``[start, end)``; either end may be open (None)."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, when: datetime) -> bool:
        """True if ``when`` falls in the period."""
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


@attrs.frozen(slots=True)
class Shape:
    """What the fold needs to know of one workflow: its states by kind."""

    kind: Mapping[str, StateKind]
    processing: frozenset[str]
    feedback: frozenset[str]
    taken_up: frozenset[str]  #: neither OPEN nor CANCELLED: entering one accepts the issue


def shape_of(workflow: Workflow) -> Shape:
    """The :class:`Shape` of ``workflow``."""
    kind = {s.name: s.kind for s in workflow.states}
    return Shape(
        kind,
        frozenset(n for n, k in kind.items() if k is StateKind.PROCESSING),
        frozenset(n for n, k in kind.items() if k is StateKind.FEEDBACK),
        frozenset(n for n, k in kind.items() if k not in (StateKind.OPEN, StateKind.CANCELLED)),
    )


def trigger_bits(facts: Iterable[str]) -> dict[str, int]:
    """Bits for the ``fired:<trigger>`` facts among ``facts``, after the fixed ones."""
    triggers = sorted({f[len(FIRED) :] for f in facts if f.startswith(FIRED)})
    return {t: 1 << (len(FACTS) + i) for i, t in enumerate(triggers)}


def fact_bits(fired: Mapping[str, int]) -> dict[str, int]:
    """Every fact's bit, ``fired:`` ones included."""
    return {**BIT, **{FIRED + t: bit for t, bit in fired.items()}}


def moves_from_events(events: Sequence[Event]) -> list[Move]:
    """Events as the fold's moves (for stores without a faster way)."""
    return [
        (
            e.trigger,
            e.source,
            e.destination,
            e.actor,
            e.at,
            e.due_at,
            e.payload.get(RATING_KEY),
            e.payload.get(EXCLUSION_KEY),
        )
        for e in events
    ]


def issue_mask(  # noqa: PLR0912  (one pass, every fact: splitting it costs a call per event)
    state: str,
    moves: Sequence[Move],
    shape: Shape,
    fired: Mapping[str, int],
    *,
    overdue: bool = False,
) -> int:
    """The fact mask of an issue in ``state`` whose log is ``moves`` (see the spec module);
    ``overdue``: its 办结时限 passed before it was closed (``"overdue"`` in its timing)."""
    kind = shape.kind[state]
    processing = shape.processing
    mask = _RECEIVED
    late = False
    rating = None
    previous_due: datetime | None = None
    phase = 0  # 0: not dispatched yet; 1: awaiting first contact; 2: responded
    first_due: datetime | None = None
    for trigger, source, destination, actor, at, due, rated, exclusion in moves:
        if fired:
            bit = fired.get(trigger)
            if bit:
                mask |= bit
        if trigger in DEADLINE_TRIGGERS:
            previous_due = due
            continue
        if source in processing:
            if actor == _CLOCK or (previous_due is not None and at > previous_due):
                late = True
        elif source in shape.feedback and destination in processing:
            mask |= _REWORKED
        if phase == 1 and actor != _CLOCK and (first_due is None or at <= first_due):
            phase = 2
        if phase == 0 and destination in processing:
            mask |= _DISPATCHED
            phase, first_due = 1, due
        if destination in shape.taken_up:
            mask |= _ACCEPTED
        if rated is not None:
            rating = rated
        if type(exclusion) is str and exclusion in EXCLUSIONS:
            mask |= _EXCLUDED
        previous_due = due
    if phase == 2:
        mask |= _RESPONDED
    if kind is StateKind.CANCELLED:
        mask |= _CANCELLED
    elif kind is StateKind.CLOSED:
        mask |= _COMPLETED
        if not late and not overdue:
            mask |= _ON_TIME
    if not mask & (_CANCELLED | _EXCLUDED):
        mask |= _DUE
    if type(rating) is str and rating in RATINGS:
        mask |= _RATED
        if rating in SATISFIED:
            mask |= _SATISFIED
    return mask


def fold(
    issues: Iterable[Issue],
    moves_of: Callable[[str], Sequence[Move]],
    shape_for: Callable[[Issue], Shape],
    *,
    fired: Mapping[str, int] | None = None,
    count_events: bool = False,
    period: Period | None = None,
    group_of: Callable[[Issue], str | None] | None = None,
) -> tuple[Tally, EventTally]:
    """Tally the fact masks of ``issues`` by location (or by ``group_of``); with
    ``count_events``, also their moves by trigger."""
    tally: Tally = {}
    events: EventTally = {}
    triggers = fired or {}
    for issue in issues:
        if period is not None and not period.holds(issue.opened_at):
            continue
        moves = moves_of(issue.id)
        group = issue.location if group_of is None else group_of(issue)
        counts = tally.get(group)
        if counts is None:
            counts = tally[group] = Counter()
        overdue = OVERDUE_KEY in issue.timing
        counts[issue_mask(issue.state, moves, shape_for(issue), triggers, overdue=overdue)] += 1
        if count_events:
            moved = events.get(group)
            if moved is None:
                moved = events[group] = Counter()
            moved[None] += len(moves)
            moved.update(m[0] for m in moves)
    return tally, events


__all__ = [
    "BIT",
    "MOVE_KEYS",
    "EventTally",
    "Move",
    "Period",
    "Shape",
    "Tally",
    "fact_bits",
    "fold",
    "issue_mask",
    "moves_from_events",
    "shape_of",
    "trigger_bits",
]
