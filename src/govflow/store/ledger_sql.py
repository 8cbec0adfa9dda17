"""Ledger entries in SQLite or PostgreSQL, behind :class:`~govflow.ledgers.LedgerStore`.

One table, ``ledger_entries``, keyed by (ledger, sequence): an append is one INSERT, so two
writers racing for the same next entry cannot both succeed -- the loser gets
:class:`~govflow.errors.ConflictError` and nothing is written. Entries come back exactly as
they went in (times with their offset, data as JSON), so their hashes verify after a reopen.
Give it to :class:`~govflow.ledgers.Ledgers` as its ``store`` (or set ``engine.ledgers.store``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from govflow.audit import json_text
from govflow.errors import ConflictError, StoreError
from govflow.ledgers import Entry
from govflow.records import EMPTY, PluginRef


def _table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "ledger_entries",
        metadata,
        sa.Column("ledger", sa.String(200), primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("subject", sa.String(200)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),  # ISO 8601 with its offset
        sa.Column("data", sa.Text, nullable=False),  # canonical JSON ("" when empty)
        sa.Column("plugin", sa.String(200)),
        sa.Column("plugin_version", sa.String(100)),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


class SQLLedgerStore:
    """Ledger entries in the database at ``url_or_engine`` (a SQLAlchemy URL or Engine).

    :param schema: the database schema to keep the table in (PostgreSQL); None: the default.
    The table is created on first use.
    """

    def __init__(self, url_or_engine: str | sa.Engine, *, schema: str | None = None) -> None:
        try:
            self._engine = (
                sa.create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
            )
            self._table = _table(sa.MetaData(schema=schema))
            self._table.metadata.create_all(self._engine)
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"cannot open the ledger store: {err}") from None
        self._owned = isinstance(url_or_engine, str)

    def append(self, entry: Entry) -> None:
        values = {
            "ledger": entry.ledger,
            "sequence": entry.sequence,
            "kind": entry.kind,
            "unit": entry.unit,
            "subject": entry.subject,
            "actor": entry.actor,
            "at": entry.at.isoformat(),
            "data": json_text(entry.data),
            "plugin": None if entry.plugin is None else entry.plugin.name,
            "plugin_version": None if entry.plugin is None else entry.plugin.version,
            "previous_hash": entry.previous_hash,
            "hash": entry.hash,
        }
        table = self._table
        try:
            with self._engine.begin() as connection:
                count = connection.execute(
                    sa.select(sa.func.count()).where(table.c.ledger == entry.ledger)
                ).scalar_one()
                if count != entry.sequence:
                    raise ConflictError(
                        f"ledger:{entry.ledger}",
                        f"entry {entry.sequence} appended where entry {count} was expected",
                    )
                connection.execute(table.insert().values(**values))
        except sa_exc.IntegrityError:
            raise ConflictError(
                f"ledger:{entry.ledger}",
                f"entry {entry.sequence} was appended by another writer first",
            ) from None
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"cannot append to ledger {entry.ledger!r}: {err}") from None

    def entries(self, ledger: str) -> Sequence[Entry]:
        table = self._table
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(
                    sa.select(table).where(table.c.ledger == ledger).order_by(table.c.sequence)
                ).all()
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"cannot read ledger {ledger!r}: {err}") from None
        return tuple(
            Entry(
                ledger=row.ledger,
                sequence=row.sequence,
                kind=row.kind,
                unit=row.unit,
                subject=row.subject,
                actor=row.actor,
                at=datetime.fromisoformat(row.at),
                data=MappingProxyType(json.loads(row.data)) if row.data else EMPTY,
                plugin=None if row.plugin is None else PluginRef(row.plugin, row.plugin_version),
                previous_hash=row.previous_hash,
                hash=row.hash,
            )
            for row in rows
        )

    def close(self) -> None:
        """Release the connections (only those of an engine this store created)."""
        if self._owned:
            self._engine.dispose()


__all__ = ["SQLLedgerStore"]
