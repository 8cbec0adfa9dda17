"""The figures by SQL aggregation: the same counts as the in-memory fold, in the database.

One pass over the events, each joined to the one before it on the primary key, gives each
issue its event-level facts, its first dispatch and its last rating; the outer query adds the
issue-level facts (its state's kind), builds every issue's fact mask (see
:mod:`govflow.metrics.spec`) and groups ``(location, mask)`` pairs. A second query counts
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
from govflow.timekeeping import OVERDUE_KEY
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
        kinds: dict[str, set[StateKind]] = {}
        for shape in shapes.values():
            for name, kind in shape.kind.items():
                kinds.setdefault(name, set()).add(kind)
        #: Some state name means different kinds in different workflows: then every event's
        #: state is read with its issue's workflow (a join per event), else by name alone.
        self.ambiguous = any(len(found) > 1 for found in kinds.values())

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
        """``column``'s JSON text's ``key`` (NULL for the empty object, without parsing it)."""
        if self.postgres:
            value = sa.func.json_extract_path_text(sa.cast(column, sa.JSON), key)
        else:
            value = sa.func.json_extract(column, f"$.{key}")
        return sa.case((column == "{}", sa.null()), else_=value)

    def states(self, issue: Any, column: Any, pick: str) -> Any:
        """``column`` names a state of ``issue``'s workflow in the shape's set ``pick``."""
        if not self.ambiguous:
            names = sorted({n for shape in self.shapes.values() for n in getattr(shape, pick)})
            return column.in_(names) if names else sa.false()
        options = []
        for (name, version), shape in self.shapes.items():
            names = sorted(getattr(shape, pick))
            if names:
                options.append(
                    sa.and_(
                        issue.c.workflow == name,
                        issue.c.workflow_version == version,
                        column.in_(names),
                    )
                )
        return sa.or_(*options) if options else sa.false()

    def kind(self, issue: Any, kind: StateKind) -> Any:
        """``issue`` is in a state of ``kind``."""
        options = []
        for (name, version), shape in self.shapes.items():
            names = sorted(n for n, k in shape.kind.items() if k is kind)
            if names:
                options.append(
                    sa.and_(
                        issue.c.workflow == name,
                        issue.c.workflow_version == version,
                        issue.c.state.in_(names),
                    )
                )
        return sa.or_(*options) if options else sa.false()

    def per_issue(self, fired: Mapping[str, int], period: Period | None) -> Any:
        """One pass over the events in log order (the primary key's), each beside the one
        before it: per issue, whether each event-level fact happened, the first dispatch and
        the last rating."""
        e, i, p = _EVENTS.alias("e"), _ISSUES.alias("i"), _EVENTS.alias("p")
        moved = e.c.trigger.not_in(sorted(DEADLINE_TRIGGERS))

        def ever(condition: Any, name: str) -> Any:
            return sa.func.max(sa.case((condition, 1), else_=0)).label(name)

        rating = self.json_value(e.c.payload, RATING_KEY)
        exclusion = self.json_value(e.c.payload, EXCLUSION_KEY)
        dispatching = sa.and_(moved, self.states(i, e.c.destination, "processing"))
        columns = [
            e.c.issue_id,
            ever(sa.and_(moved, self.states(i, e.c.destination, "taken_up")), "accepted"),
            ever(dispatching, "dispatched"),
            ever(
                sa.and_(
                    moved,
                    self.states(i, e.c.source, "feedback"),
                    self.states(i, e.c.destination, "processing"),
                ),
                "reworked",
            ),
            ever(
                sa.and_(
                    moved,
                    self.states(i, e.c.source, "processing"),
                    sa.or_(
                        e.c.actor == _CLOCK,
                        sa.and_(p.c.due_at.is_not(None), self.later(e.c.at, p.c.due_at)),
                    ),
                ),
                "late",
            ),
            ever(sa.and_(moved, exclusion.in_(sorted(EXCLUSIONS))), "excluded"),
            sa.func.min(sa.case((dispatching, e.c.sequence))).label("first_seq"),
            sa.func.max(sa.case((sa.and_(moved, rating.is_not(None)), e.c.sequence))).label(
                "rating_seq"
            ),
        ]
        columns += [ever(e.c.trigger == t, f"fired_{n}") for n, t in enumerate(fired)]
        events: Any = e
        if self.ambiguous or period is not None:  # else no event needs its issue's row
            events = e.join(i, i.c.id == e.c.issue_id)
        joined = events.outerjoin(
            p, sa.and_(p.c.issue_id == e.c.issue_id, p.c.sequence == e.c.sequence - 1)
        )
        return (
            sa.select(*columns)
            .select_from(joined)
            .where(*self.in_period(i, period))
            .group_by(e.c.issue_id)
            .subquery("per_issue")
        )

    def in_period(self, issue: Any, period: Period | None) -> list[Any]:
        if period is None:
            return []
        out = []
        opened = issue.c.opened_at
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
    triggers = dict(fired or {})
    query = _Query(store.dialect, shapes)
    agg = query.per_issue(triggers, period)
    i = _ISSUES.alias("issue")
    first, rated, later = _EVENTS.alias("first"), _EVENTS.alias("rated"), _EVENTS.alias("next")
    cancelled = query.kind(i, StateKind.CANCELLED)
    completed = query.kind(i, StateKind.CLOSED)
    rating = query.json_value(rated.c.payload, RATING_KEY)
    overdue = query.json_value(i.c.timing, OVERDUE_KEY).is_not(None)
    responded = sa.and_(
        agg.c.first_seq.is_not(None),
        sa.exists(
            sa.select(sa.literal(1))
            .select_from(later)
            .where(
                later.c.issue_id == i.c.id,
                later.c.sequence > agg.c.first_seq,
                later.c.actor != _CLOCK,
                later.c.trigger.not_in(sorted(DEADLINE_TRIGGERS)),
                sa.or_(first.c.due_at.is_(None), sa.not_(query.later(later.c.at, first.c.due_at))),
            )
            .correlate(i, agg, first)
        ),
    )
    facts = {
        BIT["received"]: sa.true(),
        BIT["accepted"]: agg.c.accepted == 1,
        BIT["cancelled"]: cancelled,
        BIT["excluded"]: agg.c.excluded == 1,
        BIT["due"]: sa.and_(sa.not_(cancelled), agg.c.excluded == 0),
        BIT["completed"]: completed,
        BIT["on_time"]: sa.and_(completed, agg.c.late == 0, sa.not_(overdue)),
        BIT["dispatched"]: agg.c.dispatched == 1,
        BIT["responded"]: responded,
        BIT["rated"]: rating.in_(sorted(RATINGS)),
        BIT["satisfied"]: rating.in_(sorted(SATISFIED)),
        BIT["reworked"]: agg.c.reworked == 1,
    }
    for n, bit in enumerate(triggers.values()):
        facts[bit] = agg.c[f"fired_{n}"] == 1
    mask = sum(
        (sa.case((condition, bit), else_=0) for bit, condition in facts.items()),
        sa.literal(0),
    )
    joined = (
        i.join(agg, agg.c.issue_id == i.c.id)
        .outerjoin(first, sa.and_(first.c.issue_id == i.c.id, first.c.sequence == agg.c.first_seq))
        .outerjoin(rated, sa.and_(rated.c.issue_id == i.c.id, rated.c.sequence == agg.c.rating_seq))
    )
    # Each issue's mask once, in a subquery grouped outside it: grouping by the expression
    # itself evaluates it (and its EXISTS) twice a row.
    masked = (
        sa.select(i.c.location, mask.label("mask"))
        .select_from(joined)
        .cte("masked")
        .prefix_with("MATERIALIZED")
    )
    issues = sa.select(masked.c.location, masked.c.mask, sa.func.count().label("n")).group_by(
        masked.c.location, masked.c.mask
    )
    counted_i, e = _ISSUES.alias("counted_issue"), _EVENTS.alias("counted")
    moves = (
        sa.select(counted_i.c.location, e.c.trigger, sa.func.count().label("n"))
        .select_from(counted_i.join(e, e.c.issue_id == counted_i.c.id))
        .where(*query.in_period(counted_i, period))
        .group_by(counted_i.c.location, e.c.trigger)
    )

    def run(conn: sa.Connection) -> tuple[Iterable[Any], Iterable[Any]]:
        if not query.postgres:
            return conn.execute(issues).all(), conn.execute(moves).all() if count_events else []
        # Once the tables are analyzed, the planner's cost passes jit_above_cost and PostgreSQL
        # compiles the query's hundred CASE expressions before running it: 5.8 s with JIT,
        # 1.6 s without, over 200k events (measured, EXPLAIN ANALYZE). The store reads in one
        # transaction, so SET LOCAL ends with it and the pooled session keeps its own setting.
        conn.exec_driver_sql("SET LOCAL jit = off")
        return conn.execute(issues).all(), conn.execute(moves).all() if count_events else []

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


def workflows_in(store: SQLStore) -> list[tuple[str, int]]:
    """The ``(workflow, version)`` pairs the store's issues are on."""
    query = sa.select(_ISSUES.c.workflow, _ISSUES.c.workflow_version).distinct()
    rows = store.read("list the workflows in use", lambda conn: conn.execute(query).all())
    return [(name, int(version)) for name, version in rows]
