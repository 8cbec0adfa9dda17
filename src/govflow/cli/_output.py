"""Where a command's output goes: rich consoles for people, plain JSON for programs.

Every command writes through the :class:`Output` in ``ctx.obj`` rather than ``print``: tests
hand :func:`govflow.cli.main` their own streams, and one place decides widths and colour.
rich measures a Chinese character as two columns, so tables of community names line up.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NoReturn, TextIO

import attrs
import typer
from rich.console import Console
from rich.table import Table

#: Width for output that is not a terminal (a pipe, a file, a test's StringIO): wide enough
#: that a table of full community names is not wrapped.
PIPE_WIDTH = 120


class CommandFailedError(Exception):
    """A command could not do what it was asked: :func:`govflow.cli.main` prints the message
    as one line on standard error and exits with ``status``. It never leaves the CLI."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def fail(message: str, status: int = 2) -> NoReturn:
    """Stop the command: ``message`` on standard error, exit ``status`` (2: bad input)."""
    raise CommandFailedError(message, status)


def _console(stream: TextIO) -> Console:
    isatty = getattr(stream, "isatty", None)
    terminal = bool(isatty and isatty())
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else (None if terminal else PIPE_WIDTH)
    return Console(file=stream, width=width, soft_wrap=False, highlight=False)


def _plain(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: times, sets, govflow's records and mappings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, Mapping):
        return dict(value)
    if attrs.has(type(value)):
        return {field.name: getattr(value, field.name) for field in attrs.fields(type(value))}
    raise TypeError(f"{type(value).__name__} is not JSON data")


@attrs.define
class Output:
    """The streams of one run of the command line, and its global options."""

    stdout: TextIO
    stderr: TextIO
    debug: bool = False
    out: Console = attrs.field(init=False)
    err: Console = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.out = _console(self.stdout)
        self.err = _console(self.stderr)

    def json(self, value: Any) -> None:
        """Write ``value`` as JSON (UTF-8 text, not escaped) on standard output."""
        text = json.dumps(value, ensure_ascii=False, indent=2, default=_plain)
        self.stdout.write(text + "\n")

    def text(self, text: str) -> None:
        """Write ``text`` as it is (no markup, no wrapping) on standard output."""
        self.stdout.write(text)

    def print(self, *renderables: Any) -> None:
        """Print rich renderables (tables, markup) on standard output."""
        self.out.print(*renderables)

    def note(self, message: str) -> None:
        """A line for people on standard error, kept out of the way of piped output."""
        self.stderr.write(message + "\n")


def output(ctx: typer.Context) -> Output:
    """The :class:`Output` of the running command line."""
    found = ctx.find_object(Output)
    if found is None:  # a command invoked outside govflow.cli.main (typer's own test runner)
        found = Output(sys.stdout, sys.stderr)
        ctx.find_root().obj = found
    return found


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[str] = (),
) -> Table:
    """A table with ``columns``; the ``numeric`` ones are right-aligned."""
    right = set(numeric)
    shown = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        shown.add_column(column, justify="right" if column in right else "left")
    for row in rows:
        shown.add_row(*("-" if cell is None else str(cell) for cell in row))
    return shown


def percent(value: float | None) -> str:
    """``93.5%``, or ``-`` for a rate with nothing to count."""
    return "-" if value is None else f"{value:.1%}"


__all__ = ["PIPE_WIDTH", "CommandFailedError", "Output", "fail", "output", "percent", "table"]
