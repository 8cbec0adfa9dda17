"""Deadline workers: processes that run the engine's clock (``govflow worker``).

A :class:`Worker` ticks its engine on a schedule. On a store that can claim due issues
(:meth:`govflow.store.SQLStore.claim_due`), each round takes them a batch at a time under
claims that expire, fires their timeout moves, and releases the claims, so that several
workers on one PostgreSQL database share the due issues, none is fired twice, and the issues
a dead worker held are fired by the others once its claims expire. On any other store a round
is one :meth:`govflow.Engine.tick`.

Every fired deadline is logged as one line of JSON on the ``govflow.worker`` logger::

    {"event": "deadline_fired", "worker": "w1", "issue_id": "42", "trigger": "supervise", ...}

:func:`run_worker` installs handlers for SIGTERM and SIGINT that let the round under way finish
(its claims released) and then stop.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType
from typing import Protocol, TextIO, runtime_checkable

from govflow.engine import Engine
from govflow.errors import InvalidRequestError
from govflow.records import Event, Issue

log = logging.getLogger(__name__)


@runtime_checkable
class ClaimingStore(Protocol):
    """A store several workers can share: it hands each due issue to one of them at a time."""

    def claim_due(
        self, now: object, *, owner: str, lease: timedelta, limit: int = 100
    ) -> list[Issue]: ...

    def release_claims(self, owner: str, issue_ids: Iterable[str]) -> None: ...


def default_name() -> str:
    """``host:pid``: unique among the workers sharing a database."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """Fires an engine's deadlines, alone or beside other workers on the same database.

    :param interval: seconds between rounds.
    :param batch: issues claimed at once.
    :param lease: how long a claim holds: longer than a batch takes to fire.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        name: str | None = None,
        interval: float = 5.0,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=1),
    ) -> None:
        if interval < 0 or batch < 1 or lease <= timedelta(0):
            raise InvalidRequestError("a worker needs interval ≥ 0, batch ≥ 1 and a positive lease")
        self.engine = engine
        self.name = name or default_name()
        self.interval = interval
        self.batch = batch
        self.lease = lease
        self.stopping = threading.Event()
        #: Deadlines fired since the worker started.
        self.fired = 0

    def stop(self) -> None:
        """Finish the round under way, then stop (safe from a signal handler)."""
        self.stopping.set()

    def round(self) -> list[Event]:
        """Fire every deadline due now that no other worker holds; return the events."""
        now = self.engine.clock.now()
        store = self.engine.store
        if not isinstance(store, ClaimingStore):
            return self._logged(self.engine.tick(now))
        fired: list[Event] = []
        held: list[str] = []
        try:
            while not self.stopping.is_set():
                claimed = store.claim_due(now, owner=self.name, lease=self.lease, limit=self.batch)
                if not claimed:
                    break
                held.extend(issue.id for issue in claimed)
                for issue in claimed:  # one at a time, so each is logged as soon as it fired
                    fired.extend(self._logged(self.engine.tick(now, issues=[issue])))
        finally:
            store.release_claims(self.name, held)
        return fired

    def _logged(self, events: list[Event]) -> list[Event]:
        for event in events:
            log.info(
                json.dumps(
                    {
                        "event": "deadline_fired",
                        "worker": self.name,
                        "issue_id": event.issue_id,
                        "trigger": event.trigger,
                        "from": event.source,
                        "to": event.destination,
                        "sequence": event.sequence,
                        "overdue_since": event.payload.get("overdue_since"),
                        "fired_at": event.at.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
        self.fired += len(events)
        return events

    def run(self, *, rounds: int | None = None) -> int:
        """Run rounds every ``interval`` seconds until stopped (or ``rounds`` are done);
        return how many deadlines were fired."""
        done = 0
        while not self.stopping.is_set() and (rounds is None or done < rounds):
            self.round()
            done += 1
            if rounds is None or done < rounds:
                self.stopping.wait(self.interval)
        return self.fired


@contextmanager
def logging_to(stream: TextIO) -> Iterator[None]:
    """While the block runs, send the worker's log lines, bare JSON one per line, to
    ``stream`` (and only there)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def run_worker(
    database: str,
    *,
    plugins: Iterable[str] = (),
    name: str | None = None,
    interval: float = 5.0,
    batch: int = 100,
    lease: timedelta = timedelta(minutes=1),
    autoload: bool = True,
) -> int:
    """Run a worker on the database at ``database`` until SIGTERM or SIGINT; return how many
    deadlines it fired. What ``govflow worker`` runs."""
    from govflow.deploy import engine_for  # noqa: PLC0415  (imports SQLAlchemy)

    engine = engine_for(database, plugins, autoload=autoload)
    worker = Worker(engine, name=name, interval=interval, batch=batch, lease=lease)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info(json.dumps({"event": "stopping", "worker": worker.name, "signal": signum}))
        worker.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info(
        json.dumps({"event": "started", "worker": worker.name, "database": repr(engine.store)})
    )
    try:
        return worker.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        close = getattr(engine.store, "close", None)
        if callable(close):
            close()
        log.info(json.dumps({"event": "stopped", "worker": worker.name, "fired": worker.fired}))


__all__ = ["ClaimingStore", "Worker", "default_name", "logging_to", "run_worker"]
