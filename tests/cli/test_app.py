"""The command line as a whole: help, version, errors as one line, commands from plugins."""

from __future__ import annotations

from typing import Annotated

import typer

from govflow import __version__, hookimpl
from govflow.cli import build_app
from govflow.cli._app import COMMAND_MODULES
from tests.cli.conftest import Runner

BUILT_IN = ("demo", "check", "diagram", "plugins", "history", "metrics", "tick")


def test_every_built_in_command_is_listed_in_the_help(govflow: Runner, capsys) -> None:
    assert govflow("--help").status == 0
    shown = capsys.readouterr().out
    for command in BUILT_IN:
        assert command in shown
    names = {info.name for info in build_app().registered_commands}
    assert set(BUILT_IN) <= names


def test_every_command_module_registers_something() -> None:
    assert len(build_app().registered_commands) >= len(COMMAND_MODULES)


def test_version(govflow: Runner, capsys) -> None:
    assert govflow("--version").status == 0
    assert capsys.readouterr().out == f"govflow {__version__}\n"


def test_an_unknown_command_is_one_line_and_status_2(govflow: Runner) -> None:
    run = govflow("frobnicate")
    assert run.status == 2
    assert run.err.count("\n") == 1
    assert "No such command 'frobnicate'" in run.err
    assert "Traceback" not in run.err


def test_an_unknown_option_names_the_command(govflow: Runner) -> None:
    run = govflow("plugins", "--colour")
    assert run.status == 2
    assert run.err.startswith("govflow plugins: No such option: --colour")


class Greeter:
    """A plugin adding a command and a group of commands."""

    govflow_name = "greeter"

    @hookimpl
    def govflow_cli_commands(self):  # type: ignore[no-untyped-def]
        def hello(name: Annotated[str, typer.Argument(help="who")] = "世界") -> None:
            """Say hello."""
            typer.echo(f"你好, {name}")

        def crash() -> None:
            """Fail the way a bug does."""
            raise RuntimeError("boom")

        group = typer.Typer(help="council commands")

        @group.command("members")
        def members() -> int:
            typer.echo("7 members")
            return 0

        return {"hello": hello, "crash": crash, "council": group}


def test_a_plugin_adds_commands_and_groups(govflow: Runner, capsys) -> None:
    assert govflow("hello", "王阿姨", plugins=(Greeter(),)).status == 0
    assert capsys.readouterr().out == "你好, 王阿姨\n"
    assert govflow("council", "members", plugins=(Greeter(),)).status == 0
    assert capsys.readouterr().out == "7 members\n"


def test_a_bug_is_one_line_without_debug_and_a_traceback_with_it(govflow: Runner) -> None:
    quiet = govflow("crash", plugins=(Greeter(),))
    assert quiet.status == 3
    assert quiet.err == "govflow crash: internal error: RuntimeError: boom\n"
    for argv in (("--debug", "crash"), ("crash", "--debug")):  # before or after the command
        loud = govflow(*argv, plugins=(Greeter(),))
        assert loud.status == 3
        assert "Traceback (most recent call last)" in loud.err
        assert 'raise RuntimeError("boom")' in loud.err


class Squatter:
    govflow_name = "squatter"

    @hookimpl
    def govflow_cli_commands(self):  # type: ignore[no-untyped-def]
        return {"check": lambda: None}


def test_a_plugin_cannot_take_a_built_in_command_name(govflow: Runner) -> None:
    run = govflow("plugins", plugins=(Squatter(),))
    assert run.status == 2
    assert run.err == "govflow plugins: plugin 'squatter': command 'check' exists already\n"


class Confused:
    govflow_name = "confused"

    @hookimpl
    def govflow_cli_commands(self):  # type: ignore[no-untyped-def]
        return ["hello"]


def test_a_plugin_answering_something_else_than_a_mapping_is_named(govflow: Runner) -> None:
    run = govflow("plugins", plugins=(Confused(),))
    assert run.status == 2
    assert "confused" in run.err
    assert "must return a mapping" in run.err
