"""The ``govflow`` command line, built on Typer with rich output.

:func:`main` is the entry point (``govflow = "govflow.cli:main"``, and ``python -m govflow``).
Every command writes through the :class:`~govflow.cli._output.Output` of the run, so that tests
can hand ``main`` their own streams; failures are one line on standard error and a non-zero
exit (2: bad input, 1: the command found problems), the traceback only with ``--debug``.

Adding a built-in command
-------------------------
Put the logic in a library function in your own module (tested there), then a thin command in
a module of this package, one module per command group, e.g. ``govflow/cli/verify.py``::

    from typing import Annotated

    import typer

    from govflow.cli._options import DatabaseOption, JsonOption, open_store, engine_on
    from govflow.cli._output import fail, output


    def verify_command(
        ctx: typer.Context,
        issue: Annotated[str, typer.Argument(help="the issue's id")],
        database: DatabaseOption = "govflow.db",
        as_json: JsonOption = False,
    ) -> int:
        \"\"\"One line of help; the rest of the docstring is the command's description.\"\"\"
        out = output(ctx)                # out.print(rich things), out.json(data), out.text(str)
        with open_store(database) as store:   # refuses a missing database in one line
            checked = engine_on(store).verify(issue)
        ...                              # fail("what was wrong") stops with status 2
        return 0                         # the exit status (None means 0)


    def register(app: typer.Typer) -> None:
        app.command("verify")(verify_command)

and add the module's name to :data:`govflow.cli._app.COMMAND_MODULES` (one line). A
``GovflowError`` a command lets through is reported as ``govflow CMD: message``, status 2.
Read commands take ``--json`` (:data:`~govflow.cli._options.JsonOption`) and print with
``out.json``, which writes times as ISO 8601 and govflow's records as objects. Test the command
through ``govflow.cli.main([...], stdout=io.StringIO(), stderr=io.StringIO())`` (see
``tests/cli/``): its answer, a bad argument, a missing database, and the ``--json`` parsed back.

Adding a command from a plugin
------------------------------
Implement :func:`govflow.hookspecs.govflow_cli_commands`, returning a mapping of command name
to a Typer command function or a ``typer.Typer`` (a group of subcommands)::

    @hookimpl
    def govflow_cli_commands():
        return {"six-things-report": report_command}
"""

from govflow.cli._app import build_app, main

__all__ = ["build_app", "main"]
