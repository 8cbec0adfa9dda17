"""Options several commands share, and opening what they name (a database, an engine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from govflow.cli._output import fail

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.store.sql import SQLStore

#: ``--json``: the command's answer as JSON on standard output, for programs.
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]

#: ``--no-autoload``: only govflow's built-in plugins.
NoAutoloadOption = Annotated[
    bool,
    typer.Option("--no-autoload", help="use only govflow's built-in plugins, not the installed"),
]

#: ``--database``: where the record is (also ``GOVFLOW_DATABASE``).
DatabaseOption = Annotated[
    str,
    typer.Option(
        "--database",
        "-d",
        envvar="GOVFLOW_DATABASE",
        metavar="URL",
        help="the store: a SQLAlchemy URL (sqlite:///govflow.db, postgresql+psycopg://...) "
        "or the path of a SQLite file",
    ),
]


_WHICH = " (name one with --database or GOVFLOW_DATABASE)"


def database_url(database: str) -> str:
    """The SQLAlchemy URL ``database`` names; a plain path is a SQLite file, which must exist
    (reading commands never create an empty database by mistake)."""
    if "://" in database:
        if database.startswith("sqlite:///"):
            path = database.removeprefix("sqlite:///").split("?", 1)[0]
            if path and path != ":memory:" and not Path(path).exists():
                fail(f"no database at {path}{_WHICH}")
        return database
    if not Path(database).exists():
        fail(f"no database at {database}{_WHICH}")
    return f"sqlite:///{database}"


@contextmanager
def open_store(database: str) -> Iterator[SQLStore]:
    """The existing govflow store ``database`` names (its tables must be there)."""
    from govflow.store.sql import SQLStore  # noqa: PLC0415  (imports SQLAlchemy)

    with SQLStore(database_url(database), create=False) as store:
        yield store


def engine_on(store: SQLStore | None = None, *, autoload: bool = True) -> Engine:
    """An engine with the installed plugins (so every workflow the record uses is known)."""
    from govflow.engine import Engine  # noqa: PLC0415  (building an engine loads plugins)

    return Engine(store=store, autoload=autoload)


__all__ = [
    "DatabaseOption",
    "JsonOption",
    "NoAutoloadOption",
    "database_url",
    "engine_on",
    "open_store",
]
