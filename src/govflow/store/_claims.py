"""Claims on due issues, so that several deadline workers share one database.

A claim says "worker ``owner`` fires the deadline of this issue, at this version, until
``expires``". It lives in ``govflow_claims``, a table of leases rather than of the record: it
is created on first use, takes no part in the schema version, and may be emptied at any time
(at worst two workers then try the same deadline, and the store's version check lets one of
them commit).

Taking claims is one transaction. On PostgreSQL the candidates are read ``FOR UPDATE SKIP
LOCKED``, so concurrent claimers pass each other by instead of queueing on the same rows; the
claims are then written with ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` the existing claim
has expired or is for an older version, ``RETURNING`` what was actually taken, so that of two
claimers racing for one issue exactly one gets it. A worker that dies holds its claims until
they expire; then the issues are due and unclaimed again.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from govflow.errors import GovflowError, InvalidRequestError
from govflow.records import Issue

if TYPE_CHECKING:
    from govflow.store.sql import SQLStore

claims_metadata = sa.MetaData()

claims = sa.Table(
    "govflow_claims",
    claims_metadata,
    sa.Column("issue_id", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("expires_key", sa.BigInteger, nullable=False),
)


def _create(conn: sa.Connection) -> None:
    claims_metadata.create_all(conn, checkfirst=True)


#: Stores whose database is known to have the claims table: it is looked for once per store.
_READY: weakref.WeakSet[SQLStore] = weakref.WeakSet()


def ensure_table(store: SQLStore) -> None:
    """Create ``govflow_claims`` if it is not there.

    Two processes creating it at once on PostgreSQL: the loser's CREATE TABLE hits the winner's
    catalog entry; once the winner committed, one more try sees the table.
    """
    if store in _READY:
        return
    try:
        store._run("create the claims table", _create, write=True)
    except GovflowError:
        store._run("create the claims table", _create, write=True)
    _READY.add(store)


def _upsert(dialect: str) -> Any:
    return postgresql.insert(claims) if dialect == "postgresql" else sqlite.insert(claims)


def claim_due(
    store: SQLStore, now: datetime, *, owner: str, lease: timedelta, limit: int
) -> list[Issue]:
    """Claim up to ``limit`` issues due at ``now`` that nobody holds a live claim on."""
    from govflow.store.sql import (  # noqa: PLC0415
        _SELECT_ISSUES,
        _issue_from_row,
        _issues,
        _time_key,
    )

    if not owner:
        raise InvalidRequestError("a claim needs an owner")
    if lease <= timedelta(0) or limit < 1:
        raise InvalidRequestError("a claim needs a positive lease and limit")
    now_key = _time_key(now)
    expires = _time_key(now + lease)
    dialect = store._engine.dialect.name

    def work(conn: sa.Connection) -> list[Issue]:
        live = sa.and_(
            claims.c.issue_id == _issues.c.id,
            claims.c.version == _issues.c.version,
            claims.c.expires_key > now_key,
        )
        # Read with their last event's hash, as every read of an issue is: the worker's move
        # on a claimed issue then reads nothing of the log.
        query = (
            _SELECT_ISSUES.outerjoin(claims, live)
            .where(_issues.c.due_key <= now_key, claims.c.issue_id.is_(None))
            .order_by(_issues.c.due_key, _issues.c.id)
            .limit(limit)
        )
        if dialect == "postgresql":
            query = query.with_for_update(of=_issues, skip_locked=True)
        candidates = {row._mapping["id"]: _issue_from_row(row) for row in conn.execute(query)}
        if not candidates:
            return []
        insert = _upsert(dialect).values(
            [
                {"issue_id": i.id, "version": i.version, "owner": owner, "expires_key": expires}
                for i in candidates.values()
            ]
        )
        taken = insert.on_conflict_do_update(
            index_elements=[claims.c.issue_id],
            set_={
                "version": insert.excluded.version,
                "owner": insert.excluded.owner,
                "expires_key": insert.excluded.expires_key,
            },
            where=sa.or_(
                claims.c.expires_key <= now_key, claims.c.version != insert.excluded.version
            ),
        ).returning(claims.c.issue_id)
        won = {row[0] for row in conn.execute(taken)}
        return [issue for issue_id, issue in candidates.items() if issue_id in won]

    ensure_table(store)
    return store._run("claim due issues", work, write=True)


def release(store: SQLStore, owner: str, issue_ids: Iterable[str]) -> None:
    """Drop ``owner``'s claims on ``issue_ids``."""
    ids = list(issue_ids)
    if not ids:
        return

    def work(conn: sa.Connection) -> None:
        conn.execute(sa.delete(claims).where(claims.c.owner == owner, claims.c.issue_id.in_(ids)))

    ensure_table(store)
    store._run("release claims", work, write=True)


__all__ = ["claim_due", "claims", "release"]
