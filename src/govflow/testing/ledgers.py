"""Testing ledgers and obligations: fill a ledger day by day, and tamper with one on purpose.

``record_on_days`` writes one entry per local date (a worker stationed on Monday, Tuesday and
Thursday; a community's two four-party meetings in a month), which is what obligation tests need;
``tamper`` edits an entry in a :class:`~govflow.ledgers.MemoryLedgerStore` in place, which is
what a test of :meth:`~govflow.ledgers.Ledgers.verify` needs. Hypothesis strategies for entries
are in :mod:`govflow.testing.strategies` (``ledger_records``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any

import attrs

from govflow.ledgers import Entry, Ledgers, MemoryLedgerStore
from govflow.obligations import CHINA_TIME


def record_on_days(
    ledgers: Ledgers,
    ledger: str,
    kind: str,
    days: Iterable[date],
    *,
    actor: str,
    unit: str | None = None,
    subject: str | None = None,
    data: Mapping[str, Any] | None = None,
    hour: int = 10,
    tz: tzinfo = CHINA_TIME,
) -> list[Entry]:
    """Record one ``kind`` entry at ``hour`` o'clock local time on each of ``days``."""
    return [
        ledgers.record(
            ledger,
            kind,
            actor=actor,
            unit=unit,
            subject=subject,
            data=data,
            at=datetime.combine(day, time(hour), tz),
        )
        for day in days
    ]


def tamper(ledgers: Ledgers, ledger: str, position: int, /, **changes: Any) -> Entry:
    """Edit the entry at ``position`` of ``ledger`` in place (``data=...``, ``unit=...``, ...)
    without rehashing it, as someone editing the database would; return the edited entry.

    Only for ledgers kept in a :class:`~govflow.ledgers.MemoryLedgerStore`.
    """
    store = ledgers.store
    if not isinstance(store, MemoryLedgerStore):
        raise TypeError("tamper edits a MemoryLedgerStore only")
    edited = attrs.evolve(store.entries(ledger)[position], **changes)
    store.replace(ledger, position, edited)
    return edited


__all__ = ["record_on_days", "tamper"]
