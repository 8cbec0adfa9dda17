"""The contract every ``govflow`` command keeps, checked for each command the application has.

A command added without a row in :data:`CASES` fails :func:`test_every_command_has_a_case`, so
none escapes: its help works; an unknown option, a bad value or a missing argument is one line
naming the command, status 2, no traceback; a command reading a record refuses a database that
is not there and does not create it; a command with ``--json`` answers JSON that parses back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
import typer
from rich.cells import cell_len

from govflow.audit.checkpoint import generate_signing_key
from govflow.cli import build_app
from tests.cli.conftest import Record, Run, Runner

Argv = Callable[[Path, Record], list[str]]
BOX = "┏┃┡│└╭╰├┌"
HAN = "\u4e00-\u9fff"


@attrs.frozen
class Case:
    """How the contract runs one command.

    ``args``: the arguments it needs besides the database. ``bad``: a run with a bad value or
    a missing argument, and a word the one-line error must contain. ``reads``: it reads an
    existing record (a missing database is refused). ``json``: a run on the record whose
    ``--json`` answer parses, and a check on it."""

    args: Argv = lambda _tmp, _record: []
    bad: tuple[Argv, str] | None = None
    reads: bool = False
    json: tuple[Argv, Callable[[object], bool]] | None = None


def db(record: Record) -> list[str]:
    return ["--database", str(record.path)]


def signing_key(folder: Path) -> Path:
    key = folder / "signing.key"
    key.write_text(generate_signing_key().hex(), encoding="utf-8")
    return key


CASES: dict[str, Case] = {
    "simulate": Case(bad=(lambda t, _: ["--issues", "many", "-d", str(t / "s.db")], "--issues")),
    "demo": Case(bad=(lambda t, _: ["--days", "x", "--database", str(t / "d.db")], "--days")),
    "check": Case(
        bad=(lambda _t, _r: ["--format", "xml"], "xml"),
        json=(lambda _t, _r: ["--format", "json"], lambda data: isinstance(data, list) and data),
    ),
    "diagram": Case(
        args=lambda _t, _r: ["closed-loop"],
        bad=(lambda _t, _r: ["no-such-workflow"], "no-such-workflow"),
        json=(
            lambda _t, _r: ["closed-loop", "--json"],
            lambda data: isinstance(data, dict) and data["workflow"] == "closed-loop",
        ),
    ),
    "plugins": Case(
        json=(
            lambda _t, _r: ["--json"],
            lambda data: isinstance(data, list) and any("govflow_" in str(p) for p in data),
        ),
    ),
    "history": Case(
        args=lambda _t, record: [record.closed],
        bad=(lambda _t, record: db(record), "Missing argument"),
        reads=True,
        json=(
            lambda _t, record: [record.closed, "--json", *db(record)],
            lambda data: isinstance(data, dict) and len(data["events"]) == 6,
        ),
    ),
    "metrics": Case(
        bad=(lambda _t, record: ["--top", "many", *db(record)], "--top"),
        reads=True,
        json=(
            lambda _t, record: ["--json", *db(record)],
            lambda data: (
                isinstance(data, dict)
                and data["total"]["received"] == 3
                # a plugin's figure as JSON, not as the text of a Python value
                and isinstance(data["plugin_metrics"]["one-group-one-council.by_category"], dict)
            ),
        ),
    ),
    "tick": Case(
        bad=(lambda _t, record: ["--now", "yesterday", *db(record)], "yesterday"),
        reads=True,
        json=(lambda _t, record: ["--json", *db(record)], lambda data: isinstance(data, list)),
    ),
    "verify": Case(
        bad=(lambda t, record: ["--since", str(t / "none.jsonl"), *db(record)], "none.jsonl"),
        reads=True,
        json=(
            lambda _t, record: ["--json", *db(record)],
            lambda data: isinstance(data, dict) and data["ok"] is True,
        ),
    ),
    "checkpoint": Case(
        args=lambda t, _r: [str(t / "cp.jsonl"), "--key", str(signing_key(t))],
        bad=(lambda t, record: [str(t / "cp.jsonl"), *db(record)], "--key"),
        reads=True,
    ),
    "keygen": Case(bad=(lambda _t, _r: [], "Missing argument")),
    "export": Case(
        args=lambda t, _r: [str(t / "out.jsonl")],
        bad=(lambda _t, record: db(record), "Missing argument"),
        reads=True,
    ),
    "import": Case(bad=(lambda t, _r: [str(t / "none.jsonl"), "-d", str(t / "i.db")], "none")),
    "erase": Case(
        args=lambda _t, _r: ["resident-nobody", "--actor", "resident-nobody"],
        bad=(lambda _t, record: ["resident-zhou", "--actor", "op-1", *db(record)], "resident-zhou"),
        reads=True,
    ),
    "serve": Case(bad=(lambda t, _r: ["--port", "web", "-d", str(t / "s.db")], "--port")),
    "worker": Case(
        bad=(lambda t, _r: ["--interval", "often", "-d", str(t / "w.db")], "--interval"),
        reads=True,
    ),
}


def commands() -> list[str]:
    group = typer.main.get_command(build_app())
    return list(group.list_commands(typer.Context(group, info_name="govflow")))  # type: ignore[attr-defined]


def one_line(run: Run, command: str) -> None:
    assert run.status == 2, run
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith(f"govflow {command}"), run.err
    assert "Traceback" not in run.err
    assert run.out == ""


def test_every_command_has_a_case() -> None:
    assert sorted(commands()) == sorted(CASES)


@pytest.mark.parametrize("command", sorted(CASES))
def test_help(govflow: Runner, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert govflow(command, "--help").status == 0
    assert f"Usage: govflow {command}" in capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(CASES))
def test_an_unknown_option_is_one_line(
    govflow: Runner, command: str, tmp_path: Path, record: Record
) -> None:
    run = govflow(command, *CASES[command].args(tmp_path, record), "--colour")
    one_line(run, command)
    assert "No such option: --colour" in run.err


@pytest.mark.parametrize("command", sorted(c for c in CASES if CASES[c].bad))
def test_a_bad_value_or_a_missing_argument_is_one_line(
    govflow: Runner, command: str, tmp_path: Path, record: Record
) -> None:
    argv, word = CASES[command].bad  # type: ignore[misc]
    before = set(tmp_path.iterdir())
    run = govflow(command, *argv(tmp_path, record))
    one_line(run, command)
    assert word in run.err
    assert set(tmp_path.iterdir()) == before, "a refused command wrote a file"


@pytest.mark.parametrize("command", sorted(c for c in CASES if CASES[c].reads))
def test_a_missing_database_is_refused_and_not_created(
    govflow: Runner, command: str, tmp_path: Path, record: Record
) -> None:
    missing = tmp_path / "missing.db"
    for database in (str(missing), f"sqlite:///{missing}"):
        run = govflow(command, *CASES[command].args(tmp_path, record), "--database", database)
        one_line(run, command)
        assert f"no database at {missing}" in run.err
    assert not missing.exists()


@pytest.mark.parametrize("command", sorted(c for c in CASES if CASES[c].json))
def test_json_parses_back(govflow: Runner, command: str, tmp_path: Path, record: Record) -> None:
    argv, check = CASES[command].json  # type: ignore[misc]
    run = govflow(command, *argv(tmp_path, record))
    assert run.status == 0, run.err
    assert check(json.loads(run.out)), run.out


def test_every_command_with_json_output_is_checked() -> None:
    group = typer.main.get_command(build_app())
    context = typer.Context(group, info_name="govflow")
    with_json = {
        name
        for name in commands()
        if any("--json" in p.opts for p in group.get_command(context, name).params)  # type: ignore[attr-defined]
    }
    assert with_json == {name for name, case in CASES.items() if case.json}


#: The commands that print tables, how to run them, and whether their tables hold Chinese.
TABLE_RUNS: dict[str, tuple[Argv, bool]] = {
    "metrics": (lambda _t, record: db(record), True),
    "history": (lambda _t, record: [record.closed, *db(record)], True),
    "plugins": (lambda _t, _r: [], False),
}


@pytest.mark.parametrize("command", sorted(TABLE_RUNS))
def test_tables_are_aligned_in_display_cells(
    govflow: Runner, command: str, tmp_path: Path, record: Record
) -> None:
    """A Chinese character takes two cells of a terminal: every line of a table (a run of
    lines drawn with box characters) is as wide as the others, counted in cells."""
    argv, chinese = TABLE_RUNS[command]
    run = govflow(command, *argv(tmp_path, record))
    assert run.status == 0, run.err
    tables: list[list[str]] = [[]]
    for line in run.out.splitlines():
        if line[:1] in BOX:
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    drawn = [table for table in tables if table]
    assert drawn, run.out
    assert chinese == any(re.search(f"[{HAN}]", line) for table in drawn for line in table)
    for table in drawn:
        assert len({cell_len(line.rstrip()) for line in table}) == 1, "\n".join(table)


def test_the_how_to_names_every_command() -> None:
    howto = (Path(__file__).resolve().parents[2] / "docs" / "howto" / "cli.md").read_text("utf-8")
    listed = set(re.findall(r"^\| `govflow ([a-z-]+)", howto, re.M))
    assert listed == set(commands())
