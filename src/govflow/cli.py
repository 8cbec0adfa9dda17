"""The ``govflow`` command line.

One argparse parser with a subcommand per job. Adding a subcommand is a function that adds its
parser and sets ``handler``::

    def _add_demo(commands):
        parser = commands.add_parser("demo", help="...")
        parser.set_defaults(handler=_demo)

and a line in :data:`_SUBCOMMANDS`. A handler takes the parsed arguments and returns the exit
status.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from govflow.errors import GovflowError, UnknownWorkflowError
from govflow.workflow.check import CheckReport, check, plugin_checks

Handler = Callable[[argparse.Namespace], int]


def _load_data(path: Path) -> dict[str, Any]:
    """A workflow's plain data from a ``.toml`` or ``.json`` file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import tomllib  # noqa: PLC0415  (only this branch needs it)

        data = tomllib.loads(text)
    if not isinstance(data, dict):
        raise TypeError(f"{path}: a workflow file holds one table")
    return data


def _roles_option(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(r.strip() for r in value.split(",") if r.strip())


def _check(args: argparse.Namespace) -> int:
    from govflow.engine import Engine  # noqa: PLC0415  (building an engine loads plugins)

    out: TextIO = args.stdout
    roles = _roles_option(args.roles)
    engine = Engine(autoload=not args.no_autoload)
    extra = plugin_checks(engine)
    reports: list[CheckReport] = []
    targets: list[str] = args.targets or sorted(engine.workflows)
    for target in targets:
        path = Path(target)
        if path.suffix.lower() in (".toml", ".json") or path.is_file():
            try:
                data = _load_data(path)
            except (OSError, ValueError, TypeError) as err:
                print(f"govflow check: cannot read {target}: {err}", file=args.stderr)
                return 2
            reports.append(check(data, roles, checks=extra))
        else:
            try:
                workflow = engine.workflow(target)
            except UnknownWorkflowError:
                known = ", ".join(sorted(engine.workflows)) or "none"
                print(
                    f"govflow check: no workflow or file {target!r} (registered: {known})",
                    file=args.stderr,
                )
                return 2
            reports.append(check(workflow, roles, checks=extra))
    for report in reports:
        print(report.format(), file=out)
    failed = sum(not r.ok for r in reports)
    print(f"{len(reports)} workflow(s) checked, {failed} with problems", file=out)
    return 1 if failed else 0


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="verify workflows statically (reachability, closed loop, separation of duties...)",
        description=(
            "Check workflows: each TARGET is the name of a workflow registered by the installed "
            "plugins, or a .toml/.json file. Without TARGET, every registered workflow is "
            "checked. Exits 1 if any problem is found."
        ),
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET")
    parser.add_argument(
        "--roles",
        metavar="A,B,...",
        help="the roles the org schema declares; transitions naming others are problems",
    )
    parser.add_argument(
        "--no-autoload",
        action="store_true",
        help="use only govflow's built-in plugins, not the installed ones",
    )
    parser.set_defaults(handler=_check)


#: Functions adding one subcommand each, in the order ``--help`` lists them.
def _demo(args: argparse.Namespace) -> int:
    from govflow.demo import render, run_demo  # noqa: PLC0415  (loads the district's data)
    from govflow.store.sql import SQLStore  # noqa: PLC0415  (imports SQLAlchemy)

    database = args.database
    if database is None:
        database = Path(tempfile.mkdtemp(prefix="govflow-demo-")) / "govflow.sqlite3"
    with SQLStore(f"sqlite:///{database}") as store:
        result = run_demo(store, issues=args.issues, days=args.days, seed=args.seed)
    render(result, args.stdout)
    print(f"The record is in {database} (SQLite).", file=args.stdout)
    return 0


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        help="simulate a month of 蚌山区's closed loop and report on it",
        description="Load 蚌山区 (Bengbu) from the shipped division table, simulate residents' "
        "issues through the closed loop, print the accountability figures and verify the log.",
    )
    parser.add_argument("--issues", type=int, default=300, help="issues to simulate")
    parser.add_argument("--days", type=int, default=30, help="simulated days")
    parser.add_argument("--seed", type=int, default=2024, help="the same seed, the same log")
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="SQLite file to keep the record in (default: a new file in a temporary folder)",
    )
    parser.set_defaults(handler=_demo)


def _plugins(args: argparse.Namespace) -> int:
    from govflow.engine import Engine  # noqa: PLC0415  (building an engine loads plugins)

    engine = Engine(autoload=not args.no_autoload)
    contributed: dict[str, list[str]] = {}
    for workflow in engine.workflows.values():
        plugin = engine.workflow_plugin(workflow.name)
        contributed.setdefault(plugin, []).append(f"{workflow.name} v{workflow.version}")
    for name in engine.plugins.names():
        version = engine.plugins.ref(name).version or "-"
        workflows = ", ".join(contributed.get(name, [])) or "-"
        print(f"{name:<36} {version:<10} workflows: {workflows}", file=args.stdout)
    return 0


def _add_plugins(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plugins", help="list the plugins an engine loads, their versions and workflows"
    )
    parser.add_argument("--no-autoload", action="store_true", help="built-ins only")
    parser.set_defaults(handler=_plugins)


def _diagram(args: argparse.Namespace) -> int:
    from govflow.engine import Engine  # noqa: PLC0415  (building an engine loads plugins)
    from govflow.workflow.diagram import workflow_to_mermaid  # noqa: PLC0415

    engine = Engine(autoload=not args.no_autoload)
    try:
        workflow = engine.workflow(args.workflow, args.version)
    except UnknownWorkflowError as err:
        print(
            f"govflow diagram: {err}; registered: {', '.join(sorted(engine.workflows))}",
            file=args.stderr,
        )
        return 2
    print(workflow_to_mermaid(workflow), end="", file=args.stdout)
    return 0


def _add_diagram(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "diagram", help="print a registered workflow as a Mermaid state diagram"
    )
    parser.add_argument("workflow", help="a workflow name, e.g. closed-loop")
    parser.add_argument("--version", type=int, default=None, help="default: the latest")
    parser.add_argument("--no-autoload", action="store_true", help="built-ins only")
    parser.set_defaults(handler=_diagram)


def _serve(args: argparse.Namespace) -> int:
    from govflow.web.serve import serve  # noqa: PLC0415  (needs the web extra)

    serve(
        args.database,
        host=args.host,
        port=args.port,
        plugins=args.plugin,
        autoload=not args.no_autoload,
    )
    return 0


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the HTTP API and Open311 GeoReport v2 over a database (web extra)",
        description="Serve govflow.web's app with uvicorn; tokens are signed with the secret "
        "in GOVFLOW_SECRET.",
    )
    parser.add_argument("--database", required=True, help="a SQLAlchemy URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--plugin", action="append", default=[], help="a plugin module")
    parser.add_argument("--no-autoload", action="store_true", help="built-ins only")
    parser.set_defaults(handler=_serve)


def _worker(args: argparse.Namespace) -> int:
    from datetime import timedelta  # noqa: PLC0415

    from govflow.worker import log_to, run_worker  # noqa: PLC0415

    log_to(args.stderr)
    run_worker(
        args.database,
        plugins=args.plugin,
        name=args.name,
        interval=args.interval,
        batch=args.batch,
        lease=timedelta(seconds=args.lease),
        autoload=not args.no_autoload,
    )
    return 0


def _add_worker(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "worker",
        help="fire due deadlines on a schedule; several workers may share one database",
        description="Loop tick on the database until SIGTERM; one JSON log line per fired "
        "deadline on stderr.",
    )
    parser.add_argument("--database", required=True, help="a SQLAlchemy URL")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    parser.add_argument("--batch", type=int, default=100, help="issues claimed at once")
    parser.add_argument("--lease", type=float, default=60.0, help="seconds a claim holds")
    parser.add_argument("--name", default=None, help="default: host:pid")
    parser.add_argument("--plugin", action="append", default=[], help="a plugin module")
    parser.add_argument("--no-autoload", action="store_true", help="built-ins only")
    parser.set_defaults(handler=_worker)


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_check,
    _add_demo,
    _add_diagram,
    _add_plugins,
    _add_serve,
    _add_worker,
]


def build_parser() -> argparse.ArgumentParser:
    """The ``govflow`` argument parser with every subcommand."""
    from govflow import __version__  # noqa: PLC0415  (govflow imports heavier modules)

    parser = argparse.ArgumentParser(
        prog="govflow", description="Workflows for party-building-led grassroots governance."
    )
    parser.add_argument("--version", action="version", version=f"govflow {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in _SUBCOMMANDS:
        add(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; return the exit status (``python -m govflow`` exits with it)."""
    args = build_parser().parse_args(argv)
    args.stdout = stdout if stdout is not None else sys.stdout
    args.stderr = stderr if stderr is not None else sys.stderr
    handler: Handler = args.handler
    try:
        return handler(args)
    except GovflowError as err:
        print(f"govflow {args.command}: {err}", file=args.stderr)
        return 2
