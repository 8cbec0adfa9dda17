"""``govflow serve`` and ``govflow worker``: the long-running processes of a deployment.

Thin commands over :func:`govflow.web.serve.serve` and :func:`govflow.worker.run_worker`; both
create the store's tables when the database has none yet. The worker refuses a SQLite file that
does not exist: it only fires what a store already holds, and a mistyped path would otherwise
become an empty database it watches for ever.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from govflow.cli._options import DatabaseOption, NoAutoloadOption, database_url
from govflow.cli._output import output

PluginOption = Annotated[
    list[str] | None,
    typer.Option("--plugin", help="a plugin module to register (repeatable)", metavar="MODULE"),
]


def _url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{database}"


def serve_command(
    *,
    database: DatabaseOption,
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="the port to listen on", min=0)] = 8311,
    plugin: PluginOption = None,
    no_autoload: NoAutoloadOption = False,
) -> None:
    """Serve the HTTP API and Open311 GeoReport v2 over a database (needs the web extra).

    Bearer tokens are signed with the secret in GOVFLOW_SECRET.
    """
    from govflow.web.serve import serve  # noqa: PLC0415  (needs the web extra)

    serve(_url(database), host=host, port=port, plugins=plugin or (), autoload=not no_autoload)


def worker_command(
    ctx: typer.Context,
    *,
    database: DatabaseOption,
    interval: Annotated[float, typer.Option(help="seconds between rounds", min=0)] = 5.0,
    batch: Annotated[int, typer.Option(help="issues claimed at once", min=1)] = 100,
    lease: Annotated[float, typer.Option(help="seconds a claim holds", min=0.001)] = 60.0,
    name: Annotated[str | None, typer.Option(help="the worker's name (default host:pid)")] = None,
    plugin: PluginOption = None,
    no_autoload: NoAutoloadOption = False,
) -> None:
    """Fire due deadlines on a schedule until SIGTERM; several workers may share a database.

    One JSON line per fired deadline on standard error.
    """
    from govflow.worker import logging_to, run_worker  # noqa: PLC0415

    with logging_to(output(ctx).stderr):
        run_worker(
            database_url(database),
            plugins=plugin or (),
            name=name,
            interval=interval,
            batch=batch,
            lease=timedelta(seconds=lease),
            autoload=not no_autoload,
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("worker")(worker_command)
