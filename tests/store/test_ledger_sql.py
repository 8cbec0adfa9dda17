"""Ledgers on SQLite and PostgreSQL: the same entries come back after a reopen and verify; a
stale append is a conflict that writes nothing; an edit behind the store's back is caught."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from govflow import Ledgers, LedgerSpec, ManualClock
from govflow.errors import ConflictError, LedgerIntegrityError
from govflow.ledgers import MemoryLedgerStore
from govflow.store.ledger_sql import SQLLedgerStore

from .conftest import POSTGRES_URL, SKIP_POSTGRES

HOURS = LedgerSpec("service-hours", kinds={"served"}, required={"hours"}, numeric={"hours"})
START = datetime(2024, 3, 4, 9, tzinfo=UTC)


class _Database:
    def __init__(self, url: str, schema: str | None) -> None:
        self.url, self.schema = url, schema
        self.stores: list[SQLLedgerStore] = []

    def open(self) -> SQLLedgerStore:
        store = SQLLedgerStore(self.url, schema=self.schema)
        self.stores.append(store)
        return store

    def execute(self, sql: str, **params: object) -> None:
        engine = sa.create_engine(self.url)
        with engine.begin() as connection:
            if self.schema is not None:
                connection.execute(sa.text(f'SET search_path TO "{self.schema}"'))
            connection.execute(sa.text(sql), params)
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Database]:
    if request.param == "sqlite":
        db = _Database(f"sqlite:///{tmp_path / 'ledgers.db'}", None)
        yield db
    else:
        if SKIP_POSTGRES:
            pytest.skip("GOVFLOW_SKIP_POSTGRES=1")
        schema = f"ledgers_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        db = _Database(POSTGRES_URL, schema)
        yield db
        for store in db.stores:
            store.close()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        return
    for store in db.stores:
        store.close()


def _fill(ledgers: Ledgers) -> None:
    ledgers.record("service-hours", "served", actor="sec", subject="m1", data={"hours": 1.5})
    ledgers.record(
        "service-hours",
        "served",
        actor="sec",
        unit="420281002007",
        subject="m2",
        data={"hours": 2, "note": "调解纠纷"},
        at=datetime(2024, 3, 5, 10, tzinfo=timezone(timedelta(hours=8))),
    )


def test_entries_come_back_after_a_reopen_and_verify(database: _Database) -> None:
    ledgers = Ledgers([HOURS], store=database.open(), clock=ManualClock(START))
    _fill(ledgers)
    memory = Ledgers([HOURS], store=MemoryLedgerStore(), clock=ManualClock(START))
    _fill(memory)
    reopened = Ledgers([HOURS], store=database.open())
    assert reopened.store.entries("service-hours") == memory.store.entries("service-hours")
    assert reopened.verify("service-hours") == 2
    assert reopened.total("service-hours", "hours") == 3.5
    assert reopened.store.entries("no-such-ledger") == ()


def test_a_stale_append_is_a_conflict_and_writes_nothing(database: _Database) -> None:
    first = Ledgers([HOURS], store=database.open(), clock=ManualClock(START))
    second = Ledgers([HOURS], store=database.open(), clock=ManualClock(START))
    entry = first.record("service-hours", "served", actor="a", data={"hours": 1})
    with pytest.raises(ConflictError):
        second.store.append(entry)  # the same sequence again
    assert len(second.store.entries("service-hours")) == 1


def test_an_edit_behind_the_stores_back_is_caught(database: _Database) -> None:
    ledgers = Ledgers([HOURS], store=database.open(), clock=ManualClock(START))
    _fill(ledgers)
    edited = '{"hours":9.5}'
    database.execute("UPDATE ledger_entries SET data = :data WHERE sequence = 1", data=edited)
    with pytest.raises(LedgerIntegrityError, match="entry 1") as broken:
        Ledgers([HOURS], store=database.open()).verify("service-hours")
    assert broken.value.sequence == 1
