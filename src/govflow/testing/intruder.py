"""An intruder with the database: edits of a store behind govflow's back, for tests.

Each function does what someone with write access to the tables could do, as thoroughly as
they could -- re-hashing the chain after an edit and rewriting the store-wide log to match,
rolling the issue row back with the events -- so that what is left to catch them is what
:func:`govflow.audit.verify.verify_store` checks against a checkpoint kept elsewhere. They
work on a :class:`~govflow.store.MemoryStore` and on a :class:`~govflow.store.SQLStore`
(SQLite or PostgreSQL) alike::

    from govflow.testing.intruder import rewrite_event
    rewrite_event(store, issue_id, 2, actor="someone-else")   # and re-hash everything after

The ``sql_*`` functions reach columns only a database has (``due_key``, raw text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from govflow.audit.chain import GENESIS, replay, seal
from govflow.records import Event, Issue
from govflow.store.base import Store
from govflow.store.memory import MemoryStore


def _rechain(events: Sequence[Event], start: int) -> list[Event]:
    """``events`` with every event from ``start`` on re-linked and re-hashed."""
    fixed = list(events[:start])
    previous = fixed[-1].hash if fixed else GENESIS
    for event in events[start:]:
        relinked = seal(attrs.evolve(event, previous_hash=previous, hash=""))
        fixed.append(relinked)
        previous = relinked.hash
    return fixed


def _sql(store: Store) -> sa.Engine:
    engine = getattr(store, "_engine", None)
    if not isinstance(engine, sa.Engine):
        raise TypeError(f"{type(store).__name__} is not a SQL store")
    return engine


def _replace(store: Store, issue_id: str, events: list[Event], issue: Issue | None) -> None:
    """Make the issue's events ``events`` and its row ``issue`` (None: no row), and rewrite the
    store-wide log to match: entries of events that are gone removed, hashes updated."""
    hashes = {event.sequence: event.hash for event in events}
    if isinstance(store, MemoryStore):
        if issue is None:
            store._issues.pop(issue_id, None)
        else:
            store._issues[issue_id] = issue
        if events:
            store._events[issue_id] = list(events)
        else:
            store._events.pop(issue_id, None)
        store._log[:] = [
            (i, s, hashes[s] if i == issue_id else h)
            for i, s, h in store._log
            if i != issue_id or s in hashes
        ]
        return
    from govflow.store.sql import (  # noqa: PLC0415
        _event_values,
        _events,
        _issue_values,
        _issues,
        _keys,
    )

    with _sql(store).begin() as conn:
        conn.execute(sa.delete(_keys).where(_keys.c.issue_id == issue_id))
        conn.execute(sa.delete(_events).where(_events.c.issue_id == issue_id))
        if issue is None:
            conn.execute(sa.delete(_issues).where(_issues.c.id == issue_id))
        else:
            conn.execute(
                sa.update(_issues).where(_issues.c.id == issue_id).values(_issue_values(issue))
            )
        for event in events:
            conn.execute(sa.insert(_events).values(_event_values(event)))
        rows = conn.execute(
            sa.text("SELECT sequence FROM govflow_log WHERE issue_id = :i"), {"i": issue_id}
        ).all()
        for (sequence,) in rows:
            if sequence in hashes:
                conn.execute(
                    sa.text(
                        "UPDATE govflow_log SET hash = :h WHERE issue_id = :i AND sequence = :s"
                    ),
                    {"h": hashes[sequence], "i": issue_id, "s": sequence},
                )
            else:
                conn.execute(
                    sa.text("DELETE FROM govflow_log WHERE issue_id = :i AND sequence = :s"),
                    {"i": issue_id, "s": sequence},
                )


def rewrite_event(store: Store, issue_id: str, sequence: int, **fields: Any) -> None:
    """Edit one event, re-hash it and every later event of the issue, and rewrite the issue row
    and the store-wide log to match: the chain verifies; only a checkpoint tells."""
    events = list(store.events(issue_id))
    events[sequence] = attrs.evolve(events[sequence], **fields)
    fixed = _rechain(events, sequence)
    _replace(store, issue_id, fixed, replay(fixed))


def roll_back(store: Store, issue_id: str) -> None:
    """Delete the issue's last event, its log entry and its effect on the issue row."""
    events = list(store.events(issue_id))[:-1]
    _replace(store, issue_id, events, replay(events) if events else None)


def forge_append(
    store: Store,
    issue_id: str,
    *,
    trigger: str,
    destination: str,
    actor: str,
    at: datetime,
    logged: bool = True,
) -> Event:
    """Append a well-formed, correctly hashed event nobody fired, update the issue row to match,
    and (``logged``) append it to the store-wide log as a commit would."""
    events = list(store.events(issue_id))
    last = events[-1]
    forged = seal(
        Event(
            issue_id,
            last.sequence + 1,
            trigger,
            last.destination,
            destination,
            actor,
            at,
            previous_hash=last.hash,
        )
    )
    events.append(forged)
    _replace(store, issue_id, events, replay(events))
    if logged:
        if isinstance(store, MemoryStore):
            store._log.append((issue_id, forged.sequence, forged.hash))
        else:
            with _sql(store).begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO govflow_log (issue_id, sequence, hash) VALUES (:i, :s, :h)"
                    ),
                    {"i": issue_id, "s": forged.sequence, "h": forged.hash},
                )
    return forged


def delete_issue(store: Store, issue_id: str) -> None:
    """Remove the issue, its events, its keys and its log entries, as if it never was."""
    _replace(store, issue_id, [], None)


def sql_execute(store: Store, statement: str, **params: Any) -> None:
    """Run raw SQL on the database behind a SQL store (``due_key`` edits, corrupt text)."""
    with _sql(store).begin() as conn:
        conn.execute(sa.text(statement), params)


__all__ = ["delete_issue", "forge_append", "rewrite_event", "roll_back", "sql_execute"]
