"""The figures by SQL aggregation: the same counts as the in-memory fold, in the database.

One query builds every issue's fact mask (see :mod:`govflow.metrics.spec`) with correlated
subqueries on the events' primary key, and groups ``(location, mask)`` pairs; a second counts
moves by location and trigger when a metric counts events. Nothing but the counts leaves the
database, so a district's store is reported on without reading its log into Python.

Times are compared as instants: as text when both carry the same UTC offset (ISO 8601 of one
offset sorts as time does, to the microsecond), else through ``julianday`` on SQLite and
``timestamptz`` on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from govflow.metrics.fold import BIT, EventTally, Period, Shape, Tally
from govflow.metrics.labels import EXCLUSION_KEY, EXCLUSIONS, RATING_KEY, RATINGS, SATISFIED
from govflow.records import SYSTEM_CLOCK
from govflow.store.sql import SQLStore, metadata
from govflow.workflow.spec import DEADLINE_TRIGGERS, StateKind

_ISSUES = metadata.tables["govflow_issues"]
_EVENTS = metadata.tables["govflow_events"]
_CLOCK = SYSTEM_CLOCK.id

Shapes = Mapping[tuple[str, int], Shape]


class _Query:
    """The pieces of the aggregation for one dialect and one set of workflows."""

    def __init__(self, dialect: str, shapes: Shapes) -> None:
        self.postgres = dialect == "postgresql"
        self.shapes = shapes
        self.i = _ISSUES.alias("i")

    # --- helpers -------------------------------------------------------------------------------

    def later(self, first: Any, second: Any) -> Any:
        """``first > second`` for two ISO 8601 text columns, as instants."""
        if self.postgres:
            stamp = sa.TIMESTAMP(timezone=True)
            return sa.cast(first, stamp) > sa.cast(second, stamp)
        same_offset = sa.func.substr(first, -6) == sa.func.substr(second, -6)
        return sa.case(
            (same_offset, first > second),
            else_=sa.func.julianday(first) > sa.func.julianday(second),
        )

    def json_value(self, column: Any, key: str) -> Any:
        if self.postgres:
            return sa.func.json_extract_path_text(sa.cast(column, sa.JSON), key)
        return sa.func.json_extract(column, f"$.{key}")

    def states(self, column: Any, pick: str) -> Any:
        """``column`` names a state of the issue's workflow in the shape's set ``pick``."""
        options = []
        for (name, version), shape in self.shapes.items():
            names = sorted(getattr(shape, pick))
            if names:
                options.append(
                    sa.and_(
                        self.i.c.workflow == name,
                        self.i.c.workflow_version == version,
                        column.in_(names),
                    )
                )
        return sa.or_(*options) if options else sa.false()

    def kind(self, kind: StateKind) -> Any:
        options = []
        for (name, version), shape in self.shapes.items():
            names = sorted(n for n, k in shape.kind.items() if k is kind)
            if names:
                options.append(
                    sa.and_(
                        self.i.c.workflow == name,
                        self.i.c.workflow_version == version,
                        self.i.c.state.in_(names),
                    )
                )
        return sa.or_(*options) if options else sa.false()

    def events(self, name: str) -> Any:
        return _EVENTS.alias(name)

    def exists(self, *conditions: Any, name: str = "e") -> Any:
        e = self.events(name)
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(e)
            .where(e.c.issue_id == self.i.c.id, *[c(e) for c in conditions])
            .correlate(self.i)
        )

    # --- facts ---------------------------------------------------------------------------------

    def facts(self, fired: Mapping[str, int]) -> dict[int, Any]:
        """Each fact's bit and its condition on the issue ``self.i``."""
        moved = lambda e: e.c.trigger.not_in(sorted(DEADLINE_TRIGGERS))  # noqa: E731
        cancelled = self.kind(StateKind.CANCELLED)
        completed = self.kind(StateKind.CLOSED)
        excluded = self.exists(
            moved, lambda e: self.json_value(e.c.payload, EXCLUSION_KEY).in_(sorted(EXCLUSIONS))
        )
        rating = self.last_rating()
        out = {
            BIT["received"]: sa.true(),
            BIT["accepted"]: self.exists(moved, lambda e: self.states(e.c.destination, "taken_up")),
            BIT["cancelled"]: cancelled,
            BIT["excluded"]: excluded,
            BIT["due"]: sa.and_(sa.not_(cancelled), sa.not_(excluded)),
            BIT["completed"]: completed,
            BIT["on_time"]: sa.and_(completed, sa.not_(self.late())),
            BIT["dispatched"]: self.exists(
                moved, lambda e: self.states(e.c.destination, "processing")
            ),
            BIT["responded"]: self.responded(),
            BIT["rated"]: rating.in_(sorted(RATINGS)),
            BIT["satisfied"]: rating.in_(sorted(SATISFIED)),
            BIT["reworked"]: self.exists(
                moved,
                lambda e: self.states(e.c.source, "feedback"),
                lambda e: self.states(e.c.destination, "processing"),
            ),
        }
        for trigger, bit in fired.items():
            out[bit] = self.exists(lambda e, t=trigger: e.c.trigger == t)
        return out

    def late(self) -> Any:
        e, p = self.events("late_e"), self.events("late_p")
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(
                e.join(p, sa.and_(p.c.issue_id == e.c.issue_id, p.c.sequence == e.c.sequence - 1))
            )
            .where(
                e.c.issue_id == self.i.c.id,
                e.c.trigger.not_in(sorted(DEADLINE_TRIGGERS)),
                self.states(e.c.source, "processing"),
                sa.or_(
                    e.c.actor == _CLOCK,
                    sa.and_(p.c.due_at.is_not(None), self.later(e.c.at, p.c.due_at)),
                ),
            )
            .correlate(self.i)
        )

    def responded(self) -> Any:
        first_e = self.events("first_e")
        first = (
            sa.select(sa.func.min(first_e.c.sequence))
            .where(
                first_e.c.issue_id == self.i.c.id,
                first_e.c.trigger.not_in(sorted(DEADLINE_TRIGGERS)),
                self.states(first_e.c.destination, "processing"),
            )
            .correlate(self.i)
            .scalar_subquery()
        )
        f, n = self.events("resp_f"), self.events("resp_n")
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(f.join(n, n.c.issue_id == f.c.issue_id))
            .where(
                f.c.issue_id == self.i.c.id,
                f.c.sequence == first,
                n.c.sequence > f.c.sequence,
                n.c.actor != _CLOCK,
                n.c.trigger.not_in(sorted(DEADLINE_TRIGGERS)),
                sa.or_(f.c.due_at.is_(None), sa.not_(self.later(n.c.at, f.c.due_at))),
            )
            .correlate(self.i)
        )

    def last_rating(self) -> Any:
        e = self.events("rating_e")
        value = self.json_value(e.c.payload, RATING_KEY)
        return (
            sa.select(value)
            .where(
                e.c.issue_id == self.i.c.id,
                e.c.trigger.not_in(sorted(DEADLINE_TRIGGERS)),
                value.is_not(None),
            )
            .order_by(e.c.sequence.desc())
            .limit(1)
            .correlate(self.i)
            .scalar_subquery()
        )

    def in_period(self, period: Period | None) -> list[Any]:
        if period is None:
            return []
        out = []
        opened = self.i.c.opened_at
        if period.start is not None:
            out.append(sa.not_(self.later(sa.literal(period.start.isoformat()), opened)))
        if period.end is not None:
            out.append(self.later(sa.literal(period.end.isoformat()), opened))
        return out


def aggregate(
    store: SQLStore,
    shapes: Shapes,
    *,
    fired: Mapping[str, int] | None = None,
    count_events: bool = False,
    period: Period | None = None,
) -> tuple[Tally, EventTally]:
    """The fold's tallies (:func:`govflow.metrics.fold.fold`), counted by ``store``'s database.

    :param shapes: the state kinds of every workflow the store's issues are on, by
        ``(name, version)``.
    """
    query = _Query(store.dialect, shapes)
    facts = query.facts(fired or {})
    mask = sum(
        (sa.case((condition, bit), else_=0) for bit, condition in facts.items()),
        sa.literal(0),
    ).label("mask")
    where = query.in_period(period)
    issues = (
        sa.select(query.i.c.location, mask, sa.func.count().label("n"))
        .where(*where)
        .group_by(query.i.c.location, mask)
    )
    e = _EVENTS.alias("counted")
    moves = (
        sa.select(query.i.c.location, e.c.trigger, sa.func.count().label("n"))
        .select_from(query.i.join(e, e.c.issue_id == query.i.c.id))
        .where(*where)
        .group_by(query.i.c.location, e.c.trigger)
    )

    def run(conn: sa.Connection) -> tuple[Iterable[Any], Iterable[Any]]:
        rows = conn.execute(issues).all()
        counted = conn.execute(moves).all() if count_events else []
        return rows, counted

    rows, counted = store.read("aggregate the figures", run)
    tally: Tally = {}
    for location, bits, n in rows:
        tally.setdefault(location, Counter())[int(bits)] += int(n)
    events: EventTally = {}
    for location, trigger, n in counted:
        moved = events.setdefault(location, Counter())
        moved[trigger] += int(n)
        moved[None] += int(n)
    return tally, events


__all__ = ["aggregate", "workflows_in"]


def workflows_in(store: SQLStore) -> list[tuple[str, int]]:
    """The ``(workflow, version)`` pairs the store's issues are on."""
    query = sa.select(_ISSUES.c.workflow, _ISSUES.c.workflow_version).distinct()
    rows = store.read("list the workflows in use", lambda conn: conn.execute(query).all())
    return [(name, int(version)) for name, version in rows]
