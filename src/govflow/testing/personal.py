"""Checks that residents' personal data is where it should be, and nowhere else, for tests.

Personal values are sealed before anything stores them, and erasing a resident destroys the
key that opens them (:mod:`govflow.audit.personal`). A plugin that copies a phone number into
a payload key the workflow does not declare personal, or into a ledger, leaks it in the clear;
these find such copies::

    from govflow.testing.personal import leaked_in_export, leaked_in_files
    assert leaked_in_export(engine.store, ["13800000000"]) == []
    assert leaked_in_files(tmp_path / "district.db", ["13800000000"]) == []
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from govflow.audit.export import export_store
from govflow.store.base import Store


def leaked_in_export(store: Store, values: Iterable[str]) -> list[str]:
    """The ``values`` that appear in the clear in ``store``'s export (``govflow export``)."""
    out = io.StringIO()
    export_store(store, out)
    text = out.getvalue()
    return [value for value in values if value in text]


def leaked_in_files(database: str | Path, values: Iterable[str | bytes]) -> list[str | bytes]:
    """The ``values`` whose UTF-8 bytes appear anywhere in a SQLite database's files (the
    database, its write-ahead log and its shared memory): what someone holding a copy of
    the files could read, deleted rows included."""
    path = Path(database)
    raw = b"".join(
        candidate.read_bytes()
        for candidate in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        )
        if candidate.exists()
    )
    return [
        value
        for value in values
        if (value if isinstance(value, bytes) else value.encode("utf-8")) in raw
    ]


__all__ = ["leaked_in_export", "leaked_in_files"]
