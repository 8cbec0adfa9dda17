"""The SQL store's keeping of subjects' data keys (see :mod:`govflow.audit.personal`).

Erasing a subject deletes their key row. A deleted row's bytes can linger in the database
file, so on SQLite the delete runs with ``secure_delete`` (SQLite overwrites the freed
content with zeros) and the write-ahead log is then checkpointed and truncated; on PostgreSQL
the keys table is rewritten by ``VACUUM FULL`` (its old file, holding the dead row, is
removed). Backups and PostgreSQL's own WAL segments taken before the erasure still hold the
key until they expire: ``docs/howto/evidence.md`` says what operators must do about them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from govflow.errors import ConflictError
from govflow.records import Issue
from govflow.store.base import SubjectKey

if TYPE_CHECKING:
    from govflow.store.sql import SQLStore

log = logging.getLogger(__name__)


def _table() -> sa.Table:
    from govflow.store.sql import _subject_keys  # noqa: PLC0415  (sql imports this module)

    return _subject_keys


def _key(row: sa.Row[Any] | None) -> SubjectKey | None:
    return None if row is None else SubjectKey(row.subject, row.key_id, bytes(row.secret))


def _select_subject(subject: str) -> sa.Select[Any]:
    keys = _table()
    return sa.select(keys.c.key_id, keys.c.subject, keys.c.secret).where(keys.c.subject == subject)


def subject_key(store: SQLStore, subject: str, *, create: bool) -> SubjectKey | None:
    found = store._run(
        "read a subject's key", lambda conn: _key(conn.execute(_select_subject(subject)).first())
    )
    if found is not None or not create:
        return found
    key = SubjectKey.new(subject)
    try:
        add_subject_key(store, key)
    except ConflictError:  # another writer made the subject's key first: use theirs
        return subject_key(store, subject, create=False)
    return key


def subject_secret(store: SQLStore, key_id: str) -> bytes | None:
    keys = _table()
    secret = store._run(
        "read a subject's key",
        lambda conn: conn.execute(
            sa.select(keys.c.secret).where(keys.c.key_id == key_id)
        ).scalar_one_or_none(),
    )
    return None if secret is None else bytes(secret)


def subject_keys(store: SQLStore) -> Iterator[SubjectKey]:
    keys = _table()
    rows = store._run(
        "read the subjects' keys",
        lambda conn: conn.execute(
            sa.select(keys.c.key_id, keys.c.subject, keys.c.secret).order_by(keys.c.subject)
        ).all(),
    )
    return iter([SubjectKey(row[1], row[0], bytes(row[2])) for row in rows])


def add_subject_key(store: SQLStore, key: SubjectKey) -> None:
    from govflow.store.sql import _RefusedError  # noqa: PLC0415

    keys = _table()
    try:
        store._run(
            "store a subject's key",
            lambda conn: conn.execute(
                sa.insert(keys).values(key_id=key.key_id, subject=key.subject, secret=key.secret)
            ),
            write=True,
        )
    except _RefusedError:
        raise ConflictError("-", f"subject {key.subject!r} holds a key already") from None


def forget_subject(store: SQLStore, subject: str) -> int:
    keys = _table()

    def delete(conn: sa.Connection) -> int:
        if store._sqlite:
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
        return conn.execute(sa.delete(keys).where(keys.c.subject == subject)).rowcount

    deleted = int(store._run("erase a subject's key", delete, write=True))
    if deleted:
        _scrub(store, keys.name)
    return deleted


def _scrub(store: SQLStore, table: str) -> None:
    """Push the deleted row's bytes out of the database's files, as far as it allows."""
    try:
        with store._engine.connect() as connection:
            if store._sqlite:
                conn = connection.execution_options(govflow_begin=None)
                # The overwritten page reaches the main file, and the log holding the old
                # one is emptied; readers still holding old pages make this partial.
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                conn = connection.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql(f"VACUUM FULL {table}")
    except sa_exc.SQLAlchemyError as err:
        # The key is deleted either way; only its bytes may linger until the space is reused.
        log.warning("%s: the erased key's row could not be scrubbed: %s", store.url, err)


def reported_by(store: SQLStore, subject: str) -> Iterator[Issue]:
    from govflow.store.sql import _SELECT_ISSUES, _issues, _readable_issues  # noqa: PLC0415

    rows = store._run(
        "find a subject's issues",
        lambda conn: conn.execute(
            # With their last event's hash: a move on one of them reads nothing of the log.
            _SELECT_ISSUES.where(_issues.c.reporter == subject).order_by(_issues.c.position)
        ).all(),
    )
    return _readable_issues(rows)


__all__ = [
    "add_subject_key",
    "forget_subject",
    "reported_by",
    "subject_key",
    "subject_keys",
    "subject_secret",
]
