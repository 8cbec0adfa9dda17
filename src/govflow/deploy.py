"""An engine for a long-running process: a database URL and the plugins to load.

What ``govflow serve`` and ``govflow worker`` share: both build their engine here, so the two
processes of one deployment see the same workflows, guards and deadlines.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from govflow.engine import Engine
from govflow.errors import DefinitionError


def load_plugins(modules: Iterable[str]) -> list[object]:
    """Import each named module (``package.module``) as a plugin to register."""
    plugins: list[object] = []
    for name in modules:
        try:
            plugins.append(importlib.import_module(name))
        except ImportError as err:
            raise DefinitionError(f"cannot import plugin module {name!r}: {err}") from None
    return plugins


def engine_for(database: str, plugins: Iterable[str] = (), *, autoload: bool = True) -> Engine:
    """An engine on the SQL store at ``database`` (a SQLAlchemy URL, tables created if
    missing), with the installed plugins (unless ``autoload=False``) and ``plugins`` modules."""
    from govflow.store.sql import SQLStore  # noqa: PLC0415  (imports SQLAlchemy)

    return Engine(plugins=load_plugins(plugins), store=SQLStore(database), autoload=autoload)


__all__ = ["engine_for", "load_plugins"]
