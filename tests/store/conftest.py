"""Backends for the store contract suite: the same tests run against each of them.

``memory`` is the reference :class:`MemoryStore`; ``sqlite`` a :class:`SQLStore` on a file in
the test's tmp_path; ``postgres`` a :class:`SQLStore` on the real server named by
``GOVFLOW_TEST_POSTGRES_URL`` (default: the local ``test`` database), each test in a schema of
its own that is dropped afterwards. PostgreSQL that cannot be reached FAILS the tests -- a
silent skip would let the durable store go untested -- unless ``GOVFLOW_SKIP_POSTGRES=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from govflow import MemoryStore, Store
from govflow.store import SQLStore

POSTGRES_URL = os.environ.get(
    "GOVFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SKIP_POSTGRES = os.environ.get("GOVFLOW_SKIP_POSTGRES") == "1"

BACKENDS = ("memory", "sqlite", "postgres")
SQL_BACKENDS = ("sqlite", "postgres")


class Backend:
    """One database for one test: ``open()`` gives a new handle on the same data."""

    name: str

    def __init__(self) -> None:
        self._opened: list[SQLStore] = []
        self._shared: Store | None = None

    def open(self) -> Store:
        raise NotImplementedError

    def shared(self) -> Store:
        """One handle kept for the whole test: for property tests' many examples."""
        if self._shared is None:
            self._shared = self.open()
        return self._shared

    def execute(self, sql: str, **params: Any) -> None:
        """Run raw SQL against the database behind the store, as an intruder would."""
        raise NotImplementedError

    def tamper_actor(self, issue_id: str, sequence: int, actor: str) -> None:
        """Rewrite who made one event, behind the store's back."""
        raise NotImplementedError

    def close(self) -> None:
        for store in self._opened:
            store.close()


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()

    def open(self) -> Store:
        # Nothing survives a process, so "reopening" is looking at the same object again.
        return self.store

    def tamper_actor(self, issue_id: str, sequence: int, actor: str) -> None:
        edited = attrs.evolve(self.store.events(issue_id)[sequence], actor=actor)
        self.store._events[issue_id][sequence] = edited


class SQLBackend(Backend):
    def __init__(self, name: str, url: str) -> None:
        super().__init__()
        self.name = name
        self.url = url

    def open(self) -> SQLStore:
        store = SQLStore(self.url)
        self._opened.append(store)
        return store

    def execute(self, sql: str, **params: Any) -> None:
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql), params)
        finally:
            engine.dispose()

    def tamper_actor(self, issue_id: str, sequence: int, actor: str) -> None:
        self.execute(
            "UPDATE govflow_events SET actor = :actor WHERE issue_id = :id AND sequence = :seq",
            actor=actor,
            id=issue_id,
            seq=sequence,
        )


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine | None]:
    """An engine on the PostgreSQL test database, or None when told to skip it."""
    if SKIP_POSTGRES:
        yield None
        return
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as err:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is unreachable ({err.orig}); start it, point "
            "GOVFLOW_TEST_POSTGRES_URL at one, or set GOVFLOW_SKIP_POSTGRES=1 to skip",
            pytrace=False,
        )
    yield engine
    engine.dispose()


def _postgres_url(schema: str) -> str:
    # libpq's options pass search_path to the server, so every connection of the store lands
    # in this test's schema: a plain URL, reopened as any application would.
    url = sa.make_url(POSTGRES_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _make_backend(
    name: str, tmp_path: Path, admin: Callable[[], sa.Engine | None]
) -> Iterator[Backend]:
    if name == "memory":
        yield MemoryBackend()
        return
    if name == "sqlite":
        backend = SQLBackend("sqlite", f"sqlite:///{tmp_path / 'govflow.db'}")
        yield backend
        backend.close()
        return
    engine = admin()
    if engine is None:
        pytest.skip("GOVFLOW_SKIP_POSTGRES=1")
    schema = f"govflow_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    backend = SQLBackend("postgres", _postgres_url(schema))
    try:
        yield backend
    finally:
        backend.close()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn."""
    yield from _make_backend(
        request.param, tmp_path, lambda: request.getfixturevalue("postgres_admin")
    )


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLBackend]:
    """The SQL backends only: for what only a database can do (raw SQL, real concurrency)."""
    for made in _make_backend(
        request.param, tmp_path, lambda: request.getfixturevalue("postgres_admin")
    ):
        assert isinstance(made, SQLBackend)
        yield made
