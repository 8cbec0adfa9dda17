"""Where issues and their audit logs are kept.

:class:`MemoryStore` keeps them in the process; :class:`SQLStore` (``govflow.store.sql``) in a
SQLite file or a PostgreSQL database. ``SQLStore`` is imported on first use, so that
``import govflow`` does not pay for SQLAlchemy in programs that never touch a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govflow.store.base import Store, check_commit
from govflow.store.memory import MemoryStore

if TYPE_CHECKING:
    from govflow.store.sql import SQLStore

__all__ = ["MemoryStore", "SQLStore", "Store", "check_commit"]


def __getattr__(name: str) -> Any:
    if name == "SQLStore":
        from govflow.store.sql import SQLStore  # noqa: PLC0415 -- deferred on purpose, see above

        return SQLStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
