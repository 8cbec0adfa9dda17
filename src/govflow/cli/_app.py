"""The ``govflow`` Typer application: the root options, the built-in command modules, the
commands plugins contribute, and :func:`main`, which turns every failure into one line."""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, TextIO

import typer

from govflow.cli._output import CommandFailedError, Output
from govflow.errors import GovflowError, PluginError

#: The built-in command modules, each with a ``register(app)`` function, in help order.
COMMAND_MODULES = (
    "govflow.cli.simulate",
    "govflow.cli.demo",
    "govflow.cli.check",
    "govflow.cli.diagram",
    "govflow.cli.plugins",
    "govflow.cli.records",
    "govflow.cli.evidence",
    "govflow.cli.service",
)

HELP = "Workflows for party-building-led grassroots governance (党建引领基层治理)."


def _version(value: bool) -> None:
    if value:
        from govflow import __version__  # noqa: PLC0415  (govflow imports heavier modules)

        typer.echo(f"govflow {__version__}")
        raise typer.Exit


def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="show the traceback when a command fails")
    ] = False,
    version: Annotated[  # noqa: ARG001  (handled eagerly by _version)
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print govflow's version"),
    ] = False,
) -> None:
    if isinstance(ctx.obj, Output):
        ctx.obj.debug = debug


def _plugin_commands(extra: Iterable[object]) -> list[tuple[str, str, Any]]:
    """(plugin, command name, function or Typer app) for every command plugins contribute."""
    from govflow.plugins import PluginHost  # noqa: PLC0415  (finding plugins imports them)

    host = PluginHost(extra)
    found = []
    for ref, answer in host.collect("govflow_cli_commands"):
        if not isinstance(answer, Mapping):
            raise PluginError(ref.name, "govflow_cli_commands must return a mapping")
        for name, command in answer.items():
            if not isinstance(name, str) or not (
                callable(command) or isinstance(command, typer.Typer)
            ):
                raise PluginError(
                    ref.name, f"command {name!r}: give a name and a function or a typer.Typer"
                )
            found.append((ref.name, name, command))
    return found


def build_app(plugins: Iterable[object] = ()) -> typer.Typer:
    """The ``govflow`` application: every built-in command, then the commands of the
    installed plugins and of ``plugins`` (see ``govflow_cli_commands``). A plugin command whose
    name is taken is a :class:`~govflow.errors.PluginError` naming the plugin."""
    app = typer.Typer(
        name="govflow",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for module in COMMAND_MODULES:
        register: Callable[[typer.Typer], None] = importlib.import_module(module).register
        register(app)
    taken = {_name_of(info) for info in app.registered_commands}
    for plugin, name, command in _plugin_commands(plugins):
        if name in taken:
            raise PluginError(plugin, f"command {name!r} exists already")
        taken.add(name)
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name)(command)
    return app


def _name_of(info: Any) -> str:
    if info.name:
        return str(info.name)
    return str(info.callback.__name__).replace("_", "-")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    plugins: Iterable[object] = (),
) -> int:
    """Run the command line on ``argv`` (default: the process's); return the exit status.

    Exit statuses: 0 done; 1 the command ran and found problems (``check``, a log that does
    not verify); 2 bad arguments or input (a missing database, an unknown workflow or issue, a
    file that cannot be read or written), with one line on standard error saying what; 3 a
    bug, reported the same way. ``--debug`` shows the traceback instead. ``plugins`` are
    registered besides the installed ones (their commands join the built-in ones).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    out = Output(stdout if stdout is not None else sys.stdout, stderr or sys.stderr)
    options_end = args.index("--") if "--" in args else len(args)
    out.debug = "--debug" in args[:options_end]
    if out.debug:  # wherever it was typed (after the command, most often): it is govflow's
        args = ["--debug", *(a for a in args[:options_end] if a != "--debug"), *args[options_end:]]
    try:
        return _run(out, args, plugins)
    except CommandFailedError as failed:
        return _report(out, args, str(failed), failed.status)
    except GovflowError as err:
        return _report(out, args, str(err), 2)
    except OSError as err:  # a file the user named: a missing folder, no permission, a full disk
        said = f"{err.strerror}: {err.filename}" if err.strerror and err.filename else str(err)
        return _report(out, args, said, 2)
    except Exception as bug:  # the one place a bug becomes one line
        return _report(out, args, f"internal error: {type(bug).__name__}: {bug}", 3)


def _run(out: Output, args: list[str], plugins: Iterable[object]) -> int:
    try:
        command = typer.main.get_command(build_app(plugins))
        status = command.main(args=args, prog_name="govflow", standalone_mode=False, obj=out)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        out.note("govflow: aborted")
        return 1
    except typer.TyperException as bad:  # a usage error: unknown option, missing argument...
        context = getattr(bad, "ctx", None)
        where = context.command_path if context is not None else "govflow"
        if bad.format_message():  # empty: no arguments at all, and the help said it all
            out.note(f"{where}: {bad.format_message()} (see {where} --help)")
        return bad.exit_code
    return status if isinstance(status, int) else 0


def _report(out: Output, args: list[str], message: str, status: int) -> int:
    if out.debug:
        out.stderr.write(traceback.format_exc())
    command = next((a for a in args if not a.startswith("-")), None)
    out.note(f"govflow {command}: {message}" if command else f"govflow: {message}")
    return status


__all__ = ["COMMAND_MODULES", "HELP", "build_app", "main"]
