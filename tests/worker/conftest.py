"""A PostgreSQL schema of its own for each worker test, and a plugin module workers can import.

Worker processes are separate programs: they find the test's workflow through a plugin module
written into the test's tmp_path (put on their PYTHONPATH), as a deployment names its plugins.
"""

from __future__ import annotations

import importlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get(
    "GOVFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

PLUGIN = """
import os
import time

from govflow import State, StateKind, Transition, Workflow, hookimpl

WAITING = Workflow(
    name="waiting",
    initial="waiting",
    states=[
        State("waiting", "待办", StateKind.OPEN, time_limit="1h"),
        State("expired", "逾期", StateKind.CANCELLED),
        State("done", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition("expire", "waiting", "expired", on_timeout=True),
        Transition("finish", "waiting", "done"),
    ],
)


@hookimpl
def govflow_workflows():
    return [WAITING]


@hookimpl
def govflow_before_transition():
    # A worker started with GF_SLOW=1 takes its time over each move: it can be killed while it
    # holds claims on issues it has not fired yet.
    if os.environ.get("GF_SLOW") == "1":
        time.sleep(0.05)
"""


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections land in a schema made for this test, dropped afterwards."""
    if os.environ.get("GOVFLOW_SKIP_POSTGRES") == "1":
        pytest.skip("GOVFLOW_SKIP_POSTGRES=1")
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"govflow_worker_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def plugin_module(tmp_path: Path) -> Iterator[ModuleType]:
    """A plugin module contributing the ``waiting`` workflow, importable by child processes."""
    name = f"gf_waiting_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(PLUGIN, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
